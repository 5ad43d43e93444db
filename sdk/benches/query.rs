//! Builds a 10-clause filter over general ledger entries and the full URL
//! of the query (rendering, percent-encoding), and prints the cost per
//! query. Run with `cargo bench -p business-central-sdk --bench query`.

use std::time::Instant;

use business_central_sdk::Environment;
use business_central_sdk::api::v2_0::{self, enums::GenJournalDocumentType, general_ledger_entry as gle};
use business_central_sdk::runtime::Client;
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn main() {
    let iterations: u32 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200_000);
    let client =
        Client::builder(Environment::online("contoso.onmicrosoft.com", "Production")).build().expect("client builds");
    let api = v2_0::Api::new(&client);
    let company = api.company_by_name("CRONUS USA, Inc.");
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let to = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
    let build = || {
        let filter = gle::posting_date()
            .ge(from)
            .and(gle::posting_date().le(to))
            .and(gle::account_number().eq("40100"))
            .and(gle::document_type().eq(GenJournalDocumentType::Invoice))
            .and(gle::debit_amount().lt(Decimal::new(-1000000, 2)).or(gle::debit_amount().gt(Decimal::new(1000000, 2))))
            .and(gle::description().contains("O'Brien & Sons"))
            .and(gle::document_number().starts_with("SI-"))
            .and(gle::entry_number().ne(0))
            .and(gle::last_modified_date_time().is_not_null());
        company
            .general_ledger_entries()
            .list()
            .filter(filter)
            .select((gle::posting_date(), gle::debit_amount()))
            .order_by(gle::entry_number().desc())
            .top(50)
            .url()
    };
    let sample = build();
    println!("{} bytes: {sample}", sample.len());
    let mut total_bytes = 0usize;
    for _ in 0..iterations / 10 {
        total_bytes += std::hint::black_box(build()).len();
    }
    let started = Instant::now();
    for _ in 0..iterations {
        total_bytes += std::hint::black_box(build()).len();
    }
    let elapsed = started.elapsed();
    println!(
        "10-clause filter + full URL: {:.0} ns per query ({iterations} queries, {:.0} queries/s; {total_bytes} bytes built)",
        elapsed.as_nanos() as f64 / f64::from(iterations),
        f64::from(iterations) / elapsed.as_secs_f64()
    );
}
