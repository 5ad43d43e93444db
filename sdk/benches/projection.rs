//! Decodes one 20,000-entity page of `customers` two ways and prints the
//! median time of each and their ratio: into the generated `Customer`
//! (every property, unknown properties kept, the ETag kept) and into a
//! projection of three fields (`number`, `displayName`, `balanceDue`,
//! declared with `projection!`), which skips the rest of each object.
//! Both read the same bytes: what a service answers when the query did
//! not narrow `$select`, so the difference is the decoding alone (a
//! projection's own `$select` would also shrink the response).
//! Run with `cargo bench -p business-central-sdk --bench projection`
//! (an argument sets the number of runs, 21 by default).

use std::time::Instant;

use business_central_sdk::api::v2_0::customer::{self, Customer};
use business_central_sdk::runtime::{Page, projection};

const ENTITIES: usize = 20_000;

projection! {
    /// The three fields a mailing list needs.
    struct Mailing of Customer {
        number: customer::fields::Number,
        display_name: customer::fields::DisplayName,
        balance_due: customer::fields::BalanceDue,
    }
}

/// A page of customers with every property of `Microsoft.NAV.customer`.
fn page_json() -> Vec<u8> {
    let blocked = ["_x0020_", "Ship", "Invoice", "All"];
    let mut out = String::from(
        "{\"@odata.context\":\"https://bc.example/api/v2.0/$metadata#companies(1)/customers\",\"value\":[",
    );
    for i in 0..ENTITIES {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            concat!(
                "{{\"@odata.etag\":\"W/\\\"JzE5OzY3NDQ3OTQ1NzU5MTI1N{i:05};\\\"\",",
                "\"id\":\"c1c1c1c1-1111-1111-1111-{i:012}\",\"number\":\"C{i:05}\",",
                "\"displayName\":\"Customer {i} Ltd\",\"type\":\"{kind}\",",
                "\"addressLine1\":\"{i} Main Street\",\"addressLine2\":\"\",\"city\":\"Atlanta\",",
                "\"state\":\"GA\",\"country\":\"US\",\"postalCode\":\"31772\",",
                "\"phoneNumber\":\"+1 425 555 {p:04}\",\"email\":\"customer{i}@contoso.com\",",
                "\"website\":\"\",\"salespersonCode\":\"JO\",\"balanceDue\":{due}.{cents:02},",
                "\"creditLimit\":0,\"taxLiable\":{tax},\"taxAreaId\":\"a1b2c3d4-e5f6-7890-abcd-{i:012}\",",
                "\"taxAreaDisplayName\":\"ATLANTA, GA\",\"taxRegistrationNumber\":\"\",",
                "\"currencyId\":\"00000000-0000-0000-0000-000000000000\",\"currencyCode\":\"USD\",",
                "\"paymentTermsId\":\"b2b2b2b2-2222-2222-2222-{i:012}\",",
                "\"shipmentMethodId\":\"00000000-0000-0000-0000-000000000000\",",
                "\"paymentMethodId\":\"d3d3d3d3-3333-3333-3333-{i:012}\",\"blocked\":\"{blocked}\",",
                "\"lastModifiedDateTime\":\"2025-02-{d:02}T09:45:{s:02}.{ms:03}Z\"}}"
            ),
            i = i,
            kind = if i % 3 == 0 { "Person" } else { "Company" },
            p = i % 10_000,
            due = (i * 37) % 100_000,
            cents = i % 100,
            tax = i % 2 == 0,
            blocked = blocked[i % blocked.len()],
            d = 1 + i % 28,
            s = i % 60,
            ms = i % 1000,
        ));
    }
    out.push_str("]}");
    out.into_bytes()
}

/// The time one decoding takes, in seconds.
fn time(bytes: &[u8], decode: &impl Fn(&[u8]) -> usize) -> f64 {
    let started = Instant::now();
    let decoded = std::hint::black_box(decode(std::hint::black_box(bytes)));
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(decoded, ENTITIES, "every entity decoded");
    elapsed
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(21);
    let bytes = page_json();

    // The projection reads what the whole entity reads, for its fields.
    let whole = serde_json::from_slice::<Page<Customer>>(&bytes).expect("decodes");
    let rows = serde_json::from_slice::<Page<Mailing>>(&bytes).expect("decodes");
    for (entity, row) in whole.items.iter().zip(&rows.items) {
        assert_eq!(
            (&row.number, &row.display_name, &row.balance_due),
            (&entity.number, &entity.display_name, &entity.balance_due)
        );
    }

    println!(
        "one page: {ENTITIES} customers, {:.1} MiB of JSON, median of {runs} runs",
        bytes.len() as f64 / 1048576.0
    );
    // The two alternate run by run (in turn first), so that noise from
    // the rest of the machine falls on both alike.
    let whole_entities = |b: &[u8]| serde_json::from_slice::<Page<Customer>>(b).expect("decodes").items.len();
    let projected = |b: &[u8]| serde_json::from_slice::<Page<Mailing>>(b).expect("decodes").items.len();
    let (mut entity_times, mut projection_times) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for run in 0..runs {
        if run % 2 == 0 {
            entity_times.push(time(&bytes, &whole_entities));
            projection_times.push(time(&bytes, &projected));
        } else {
            projection_times.push(time(&bytes, &projected));
            entity_times.push(time(&bytes, &whole_entities));
        }
    }
    let (entity, projection) = (median(entity_times), median(projection_times));
    let rate = |seconds: f64| ENTITIES as f64 / seconds;
    println!("whole entities (Customer)    median {:>8.2} ms  {:>12.0} entities/s", entity * 1e3, rate(entity));
    println!("projection of 3 fields       median {:>8.2} ms  {:>12.0} entities/s", projection * 1e3, rate(projection));
    println!("whole / projection = {:.2}", entity / projection);
}
