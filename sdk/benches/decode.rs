//! Decodes one 20,000-entity page of `generalLedgerEntries` three ways and
//! prints entities per second: into the generated type (exact decimals,
//! unknown properties kept, ETag kept), into a hand-written
//! `#[derive(Deserialize)]` struct of the same shape, and into
//! `serde_json::Value`. Run with `cargo bench -p business-central-sdk --bench decode`.

use std::time::{Duration, Instant};

use business_central_sdk::api::v2_0::general_ledger_entry::GeneralLedgerEntry;
use business_central_sdk::runtime::Page;
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

fn measure(label: &str, bytes: &[u8], runs: usize, decode: impl Fn(&[u8]) -> usize) -> f64 {
    assert_eq!(decode(bytes), ENTITIES, "{label} decoded every entity");
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(decode(std::hint::black_box(bytes)));
            started.elapsed()
        })
        .collect();
    times.sort();
    let median = times[runs / 2];
    let rate = ENTITIES as f64 / median.as_secs_f64();
    println!("{label:<28} median {:>8.2} ms  {:>12.0} entities/s", median.as_secs_f64() * 1e3, rate);
    rate
}

fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(21);
    let bytes = page_json();
    println!("one page: {ENTITIES} entities, {:.1} MiB of JSON, median of {runs} runs", bytes.len() as f64 / 1048576.0);
    // Interleave the three so that machine noise hits them alike.
    let mut generated = Vec::new();
    let mut hand = Vec::new();
    let mut value = Vec::new();
    for _ in 0..3 {
        generated.push(measure("generated type", &bytes, runs, |b| {
            serde_json::from_slice::<Page<GeneralLedgerEntry>>(b).expect("decodes").items.len()
        }));
        hand.push(measure("hand-written serde struct", &bytes, runs, |b| {
            serde_json::from_slice::<HandWrittenPage>(b).expect("decodes").value.len()
        }));
        value.push(measure("serde_json::Value", &bytes, runs, |b| {
            serde_json::from_slice::<serde_json::Value>(b).expect("decodes")["value"].as_array().map_or(0, Vec::len)
        }));
    }
    let best = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    let (g, h, v) = (best(&generated), best(&hand), best(&value));
    println!("best rates: generated {g:.0}/s, hand-written {h:.0}/s, Value {v:.0}/s");
    println!("generated / hand-written = {:.3} (target >= 0.95); generated / Value = {:.2}", g / h, g / v);
}
