//! Decodes one 20,000-entity page of `generalLedgerEntries` four ways and
//! prints entities per second:
//! - into the generated type as the SDK decodes a response
//!   (`runtime::decode::json`, which checks the body's UTF-8 once and then
//!   parses text);
//! - into the generated type with `serde_json::from_slice` (the type alone);
//! - into a hand-written `#[derive(Deserialize)]` struct of the same shape
//!   with `serde_json::from_slice`, as reqwest's `Response::json` does;
//! - into `serde_json::Value`.
//!
//! The generated type reads decimals exactly and keeps unknown properties
//! and the ETag, which the hand-written struct does not. Printed: the SDK's
//! speed relative to the hand-written client's (target: at least 1.2) and
//! the type's alone (target: at least 0.95), each the median of every
//! run's own ratio. Run with
//! `cargo bench -p business-central-sdk --bench decode [-- <runs>]`.

use std::time::{Duration, Instant};

use business_central_sdk::api::v2_0::general_ledger_entry::GeneralLedgerEntry;
use business_central_sdk::runtime::Page;
use business_central_sdk::runtime::{Headers, HttpResponse};
use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

const ENTITIES: usize = 20_000;

/// What a careful hand-written client would declare for the same JSON.
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HandWrittenEntry {
    #[serde(rename = "@odata.etag")]
    etag: Option<String>,
    id: Uuid,
    entry_number: Option<i32>,
    posting_date: Option<NaiveDate>,
    document_number: Option<String>,
    document_type: Option<String>,
    account_id: Option<Uuid>,
    account_number: Option<String>,
    description: Option<String>,
    debit_amount: Option<Decimal>,
    credit_amount: Option<Decimal>,
    additional_currency_debit_amount: Option<Decimal>,
    additional_currency_credit_amount: Option<Decimal>,
    last_modified_date_time: Option<DateTime<FixedOffset>>,
}

#[derive(Deserialize)]
struct HandWrittenPage {
    value: Vec<HandWrittenEntry>,
}

fn page_json() -> Vec<u8> {
    let kinds = ["_x0020_", "Payment", "Invoice", "Credit_x0020_Memo"];
    let mut out = String::from(
        "{\"@odata.context\":\"https://bc.example/api/v2.0/$metadata#companies(1)/generalLedgerEntries\",\"value\":[",
    );
    for i in 0..ENTITIES {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            concat!(
                "{{\"@odata.etag\":\"W/\\\"JzE5OzY3NDQ3OTQ1NzU5MTI1N{i:05};\\\"\",",
                "\"id\":\"a1a1a1a1-1111-1111-1111-{i:012}\",\"entryNumber\":{n},\"postingDate\":\"2025-02-{d:02}\",",
                "\"documentNumber\":\"GJ-{i:05}\",\"documentType\":\"{kind}\",\"accountId\":\"a1b2c3d4-e5f6-7890-abcd-{i:012}\",",
                "\"accountNumber\":\"{acct}\",\"description\":\"Monthly office rent {i}\",\"debitAmount\":{debit}.{cents:02},",
                "\"creditAmount\":0.00,\"additionalCurrencyDebitAmount\":0,\"additionalCurrencyCreditAmount\":0,",
                "\"lastModifiedDateTime\":\"2025-02-{d:02}T09:45:{s:02}.{ms:03}Z\"}}"
            ),
            i = i,
            n = 1000 + i,
            d = 1 + i % 28,
            kind = kinds[i % kinds.len()],
            acct = 10000 + (i % 90) * 100,
            debit = (i * 37) % 100_000,
            cents = i % 100,
            s = i % 60,
            ms = i % 1000,
        ));
    }
    out.push_str("]}");
    out.into_bytes()
}

/// Times one decode of `bytes`.
fn time(bytes: &[u8], decode: &impl Fn(&[u8]) -> usize) -> Duration {
    let started = Instant::now();
    std::hint::black_box(decode(std::hint::black_box(bytes)));
    started.elapsed()
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The median and quartiles of `ratios`.
fn quartiles(ratios: &mut [f64]) -> (f64, f64, f64) {
    ratios.sort_by(f64::total_cmp);
    let n = ratios.len();
    (ratios[n / 2], ratios[n / 4], ratios[n * 3 / 4])
}

fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(61).max(1);
    let bytes = page_json();
    println!("one page: {ENTITIES} entities, {:.1} MiB of JSON, median of {runs} runs", bytes.len() as f64 / 1048576.0);
    // The response as the SDK's transports hand it over: the body in one
    // buffer, shared, so handing it to the decoder copies nothing.
    let response = HttpResponse { status: 200, headers: Headers::new(), body: bytes.clone().into() };
    let sdk = |_: &[u8]| {
        business_central_sdk::runtime::decode::json::<Page<GeneralLedgerEntry>>(&response).expect("decodes").items.len()
    };
    let generated = |b: &[u8]| serde_json::from_slice::<Page<GeneralLedgerEntry>>(b).expect("decodes").items.len();
    let hand = |b: &[u8]| serde_json::from_slice::<HandWrittenPage>(b).expect("decodes").value.len();
    let value = |b: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(b).expect("decodes")["value"].as_array().map_or(0, Vec::len)
    };
    assert_eq!((sdk(&bytes), generated(&bytes), hand(&bytes), value(&bytes)), (ENTITIES, ENTITIES, ENTITIES, ENTITIES));
    // The four take turns within every run, so that a slow spell of the
    // machine hits them alike; each run's ratios are its own, and the
    // ratios quoted are the medians of those.
    let mut times = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    let (mut sdk_ratios, mut type_ratios) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (s, g, h) = (time(&bytes, &sdk), time(&bytes, &generated), time(&bytes, &hand));
        times[0].push(s);
        times[1].push(g);
        times[2].push(h);
        times[3].push(time(&bytes, &value));
        sdk_ratios.push(h.as_secs_f64() / s.as_secs_f64());
        type_ratios.push(h.as_secs_f64() / g.as_secs_f64());
    }
    let medians = times.map(|mut times| median(&mut times));
    let labels = [
        "SDK (decode::json, generated)",
        "generated type, from_slice",
        "hand-written struct, from_slice",
        "serde_json::Value, from_slice",
    ];
    for (label, median) in labels.iter().zip(medians) {
        let rate = ENTITIES as f64 / median.as_secs_f64();
        println!("{label:<32} median {:>8.2} ms  {rate:>12.0} entities/s", median.as_secs_f64() * 1e3);
    }
    for (label, ratios, target) in
        [("SDK / hand-written", &mut sdk_ratios, 1.2), ("generated type / hand-written", &mut type_ratios, 0.95)]
    {
        let (middle, low, high) = quartiles(ratios);
        println!("{label} (speed, per run): median {middle:.2}, quartiles {low:.2} and {high:.2} (target >= {target})");
    }
    let value_ratio = medians[3].as_secs_f64() / medians[0].as_secs_f64();
    println!("SDK / Value (speed, medians): {value_ratio:.2}");
}
