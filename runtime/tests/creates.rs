//! A create answered `204 No Content`: finding 10 of the hardening review
//! (the entity was created, then the empty body failed to decode, which
//! invited a duplicate on retry).

mod support;

use odata_v4_runtime::Error;
use odata_v4_runtime::uuid::Uuid;
use serde_json::json;
use support::model::{CurrencyCreate, currencies};
use support::{api, builder, request_count};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const COMPANY: Uuid = Uuid::from_u128(1);
const CURRENCY: &str = "2b7e1516-28ae-d2a6-abf7-158809cf4f3c";

fn set_path() -> String {
    format!("/api/v2.0/companies({COMPANY})/currencies")
}

async fn created_with(server: &MockServer, location: Option<String>) {
    let mut answer = ResponseTemplate::new(204);
    if let Some(location) = location {
        answer = answer.insert_header("Location", location);
    }
    Mock::given(method("POST")).and(path(set_path())).respond_with(answer).mount(server).await;
}

#[tokio::test]
async fn a_create_answered_204_is_read_back_from_its_location() {
    for absolute in [true, false] {
        let server = MockServer::start().await;
        let entity_path = format!("{}({CURRENCY})", set_path());
        let location =
            if absolute { format!("{}{entity_path}", server.uri()) } else { format!("currencies({CURRENCY})") };
        created_with(&server, Some(location)).await;
        Mock::given(method("GET"))
            .and(path(entity_path))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": CURRENCY, "code": "EUR", "@odata.etag": "W/\"1\"",
            })))
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server).build().unwrap();

        let created = currencies(&api(&client), COMPANY).create(CurrencyCreate::new("EUR")).await.unwrap();

        assert_eq!((created.code.as_str(), created.etag.unwrap().as_str()), ("EUR", "W/\"1\""), "absolute: {absolute}");
    }
}

#[tokio::test]
async fn a_create_answered_204_without_a_location_says_it_was_created() {
    let server = MockServer::start().await;
    created_with(&server, None).await;
    let client = builder(&server).build().unwrap();

    let error = currencies(&api(&client), COMPANY).create(CurrencyCreate::new("EUR")).await.unwrap_err();

    assert!(matches!(error, Error::CreatedUnread { location: None, read_back: None }), "{error:?}");
    assert!(error.to_string().contains("do not create it again"), "{error}");
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn a_create_whose_read_back_fails_still_says_it_was_created() {
    let server = MockServer::start().await;
    created_with(&server, Some(format!("{}{}({CURRENCY})", server.uri(), set_path()))).await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    let elsewhere = MockServer::start().await;
    let client = builder(&server).build().unwrap();

    let error = currencies(&api(&client), COMPANY).create(CurrencyCreate::new("EUR")).await.unwrap_err();
    assert!(
        matches!(&error, Error::CreatedUnread { location: Some(_), read_back: Some(cause) } if matches!(**cause, Error::NotFound(_))),
        "{error:?}"
    );

    // A location on another origin is not followed: the read would carry
    // the credentials there.
    server.reset().await;
    created_with(&server, Some(format!("{}/currencies(1)", elsewhere.uri()))).await;
    let error = currencies(&api(&client), COMPANY).create(CurrencyCreate::new("EUR")).await.unwrap_err();
    assert!(
        matches!(&error, Error::CreatedUnread { location: Some(l), read_back: None } if l.starts_with(&elsewhere.uri())),
        "{error:?}"
    );
    assert_eq!(request_count(&elsewhere).await, 0);
}
