//! TripPin, the OData v4 reference service model
//! (`tests/peer/schemas/trippin.xml`, imported from
//! `../shared/metadata/trippin.xml`), end to end: `odata-v4-gen generate`
//! writes its crate, which compiles without warnings and runs against the
//! local peer serving the same model (strict profile): an open type,
//! inheritance (a query for a derived type), the `Me` singleton,
//! containment, bound functions and actions, unbound ones, an enum and a
//! spatial property read and written back.

use std::path::PathBuf;
use std::process::Command;

use odata_v4_codegen::Dependencies;
use odata_v4_gen::Request;
use sdk_tests::generated_crates::{add_test, run_ok};
use sdk_tests::peer::repository_path;
use sdk_tests::{PeerConfig, PeerServer};

/// The test placed in the generated crate. It talks to the peer whose base
/// URL is in `TRIPPIN_BASE_URL`, and runs as one sequence: the last step
/// resets the data source and checks the writes before it are gone.
const PEER_TEST: &str = r##"
use trippin::runtime::chrono::{DateTime, FixedOffset};
use trippin::runtime::{Client, Error, Json};
use trippin::trip_pin_res_tier_service::{self as tp, airport, complex::AirportLocation, enums::PersonGender, flight, person, trip};

fn api() -> tp::Api {
    let base = std::env::var("TRIPPIN_BASE_URL").expect("TRIPPIN_BASE_URL is set by the test");
    tp::Api::new(&Client::builder(base).build().expect("a client"))
}

#[tokio::test]
async fn trippin_against_the_peer() {
    let api = api();

    // An open type: a property the model does not declare is kept, and an
    // open complex value carries its own undeclared properties when written.
    let russell = api.person("russellwhyte").get().await.unwrap();
    assert_eq!(russell.first_name, "Russell");
    assert_eq!(russell.additional_properties.get("Nickname").map(|value| value.get()), Some("\"Rusty\""));
    let mut home = russell.address_info[0].clone();
    home.additional_properties.insert("Floor".to_owned(), Json::from_text("3").unwrap());
    let updated = api
        .person("russellwhyte")
        .update(&russell, person::PersonUpdate::new().address_info([home]))
        .await
        .unwrap();
    assert_eq!(updated.address_info[0].additional_properties.get("Floor").map(|value| value.get()), Some("3"));

    // An enum, read, filtered on and written back (a qualified literal: the strict profile).
    assert_eq!(russell.gender, Some(PersonGender::Male));
    let women = api.people().list().filter(person::gender().eq(PersonGender::Female));
    assert!(women.url().contains("Gender%20eq%20Microsoft.OData.SampleService.Models.TripPin.PersonGender%27Female%27"), "{}", women.url());
    let names: Vec<String> = women.collect().await.unwrap().into_iter().map(|p| p.user_name).collect();
    assert_eq!(names, ["aprilcline"]);
    let changed = api
        .person("russellwhyte")
        .update(&updated, person::PersonUpdate::new().gender(PersonGender::Unknown))
        .await
        .unwrap();
    assert_eq!(changed.gender, Some(PersonGender::Unknown));
    let stale = api.person("russellwhyte").update(&russell, person::PersonUpdate::new().first_name("Rusty")).await.unwrap_err();
    assert!(matches!(stale, Error::StaleEtag(_)), "{stale:?}");

    // A spatial property (Edm.GeographyPoint, kept as GeoJSON) read and written back.
    let sfo = api.airport("KSFO").get().await.unwrap();
    let coordinates: serde_json::Value = sfo.location.loc.parse().unwrap();
    assert_eq!(coordinates["type"], "Point");
    assert_eq!(coordinates["coordinates"][1].as_f64(), Some(37.6188888888889));
    let moved = AirportLocation {
        loc: Json::from_text(r#"{"type":"Point","coordinates":[-122.38,37.62]}"#).unwrap(),
        ..sfo.location.clone()
    };
    let after = api.airport("KSFO").update(&sfo, airport::AirportUpdate::new().location(moved)).await.unwrap();
    let written: serde_json::Value = after.location.loc.parse().unwrap();
    assert_eq!(written["coordinates"], serde_json::json!([-122.38, 37.62]));
    assert_eq!(after.location.city.name, "San Francisco", "the rest of the value came back as it was");

    // The singleton `Me`, read and updated.
    let me = api.me().get().await.unwrap();
    assert_eq!(me.user_name, "aprilcline");
    let me = api.me().update(&me, person::PersonUpdate::new().last_name("Cline-Smith")).await.unwrap();
    assert_eq!(me.last_name, "Cline-Smith");
    assert!(api.me().friends().url().ends_with("/TripPinRESTierService/Me/Friends"));

    // Containment: trips live in their person, plan items in their trip.
    let trips = api.person("russellwhyte").trips().list().collect().await.unwrap();
    assert_eq!(trips.iter().map(|t| t.trip_id).collect::<Vec<_>>(), [1001]);
    let plan = api.person("russellwhyte").trip(1001).plan_items().list().collect().await.unwrap();
    assert_eq!(plan.len(), 3);
    let at = |text: &str| DateTime::<FixedOffset>::parse_from_rfc3339(text).unwrap();
    let weekend = trip::TripCreate::new(
        "Weekend in Shanghai",
        800.0,
        at("2014-03-01T00:00:00Z"),
        at("2014-03-03T00:00:00Z"),
        ["Leisure".to_owned()],
    );
    let created = api.person("scottketchum").trips().create(weekend).await.unwrap();
    assert_eq!(created.name, "Weekend in Shanghai");
    assert!(created.trip_id > 2004, "the service assigns the id: {}", created.trip_id);

    // Inheritance: only the flights among the plan items, with their own properties.
    let flights = api
        .person("russellwhyte")
        .trip(1001)
        .plan_items()
        .cast::<flight::FlightEntities>()
        .list()
        .order_by(flight::flight_number())
        .collect()
        .await
        .unwrap();
    assert_eq!(flights.iter().map(|f| f.flight_number.as_str()).collect::<Vec<_>>(), ["AA4035", "VA1930"]);
    let airline = api.person("russellwhyte").trip(1001).plan_item(11).cast::<flight::FlightEntities>().airline().get().await.unwrap();
    assert_eq!(airline.airline_code, "AA");

    // Bound functions and a bound action.
    let favourite = api.person("russellwhyte").get_favorite_airline().await.unwrap();
    assert_eq!(favourite.name, "American Airlines");
    let friends_trips = api.person("russellwhyte").get_friends_trips("scottketchum").await.unwrap();
    assert_eq!(friends_trips.len(), 2, "the seeded trip and the one created above");
    let involved = api.person("russellwhyte").trip(1001).get_involved_people().await.unwrap();
    assert_eq!(involved.iter().map(|p| p.user_name.as_str()).collect::<Vec<_>>(), ["russellwhyte"]);
    // People carry ETags (`Core.OptimisticConcurrency`): an action on one
    // takes the person as last read and sends its ETag.
    let russell = api.person("russellwhyte").get().await.unwrap();
    api.person("russellwhyte").share_trip(&russell, "scottketchum", 1001).await.unwrap();
    let shared = api.person("scottketchum").trips().count().await.unwrap();
    assert_eq!(shared, 3);

    // Unbound operations: a function through its import, then the action
    // that puts the data back as it was.
    let nearest = api.get_nearest_airport(33.9, -118.4).await.unwrap();
    assert_eq!(nearest.icao_code, "KLAX");
    api.reset_data_source().await.unwrap();
    assert_eq!(api.person("scottketchum").trips().count().await.unwrap(), 1);
    let russell = api.person("russellwhyte").get().await.unwrap();
    assert_eq!(russell.gender, Some(PersonGender::Male));
    assert_eq!(api.airport("KSFO").get().await.unwrap().location.loc.get(), sfo.location.loc.get());
}
"##;

#[test]
fn trippin_generates_compiles_and_runs_against_the_peer() {
    let root = repository_path("");
    let scratch = root.join("target").join("generated-crates");
    let out: PathBuf = scratch.join("trippin");
    let _ = std::fs::remove_dir_all(&out);
    let mut request = Request::new(repository_path("tests/peer/schemas/trippin.xml").display().to_string(), &out);
    request.service_root = Some("TripPinRESTierService".to_owned());
    request.crate_name = Some("trippin".to_owned());
    request.dependencies = Dependencies::Checkout(root.clone());
    let outcome = odata_v4_gen::generate(&request, &mut |_| {}).expect("TripPin generates");
    assert_eq!(outcome.generated.customization, "strict OData");

    let manifest = add_test(
        &out,
        &root,
        "tokio = { version = \"1\", features = [\"rt\", \"macros\"] }\nserde_json = \"1\"\n",
        PEER_TEST,
    );

    let target = scratch.join("target");
    let checked = run_ok(
        Command::new(env!("CARGO"))
            .args(["check", "--message-format", "short", "--manifest-path"])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target),
    );
    let stderr = String::from_utf8_lossy(&checked.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert!(warnings.is_empty(), "the TripPin crate compiles with warnings:\n{}", warnings.join("\n"));

    let peer = PeerServer::start(PeerConfig::trippin()).expect("the TripPin peer starts");
    run_ok(
        Command::new(env!("CARGO"))
            .args(["test", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target)
            .env("TRIPPIN_BASE_URL", peer.base_url()),
    );
}
