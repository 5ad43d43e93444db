//! Exports the general ledger entries of a date range as CSV, page by page
//! (only one page is held in memory), with progress on stderr.
//!
//! Connection: see `common/mod.rs` (BC_BASE_URL or BC_TENANT_ID,
//! BC_ENVIRONMENT, BC_CLIENT_ID, BC_CLIENT_SECRET; BC_COMPANY_ID or
//! BC_COMPANY_NAME; BC_PROFILE=strict for the local peer).
//!
//! Options:
//!   GL_FROM        first posting date, YYYY-MM-DD (required)
//!   GL_TO          last posting date, YYYY-MM-DD (default: today)
//!   GL_OUTPUT      file to write (default: stdout)
//!   GL_PAGE_SIZE   entries per page asked from the service (default 1000)
//!
//! Run: `GL_FROM=2025-01-01 cargo run -p business-central-sdk --example export_gl_entries > entries.csv`

mod common;

use std::fs::File;
use std::io::{self, BufWriter, Write};

use business_central_sdk::api::v2_0::enums::GenJournalDocumentType;
use business_central_sdk::api::v2_0::general_ledger_entry::{self as gle, GeneralLedgerEntry};
use business_central_sdk::runtime::chrono::{Local, NaiveDate};
use futures_util::StreamExt;

const HEADER: [&str; 8] = [
    "entryNumber",
    "postingDate",
    "documentNumber",
    "documentType",
    "accountNumber",
    "description",
    "debitAmount",
    "creditAmount",
];

#[tokio::main]
async fn main() -> common::Outcome {
    let (_api, company) = common::connect()?;
    let from = parse_date("GL_FROM", &common::required("GL_FROM")?)?;
    let to = match common::optional("GL_TO") {
        Some(text) => parse_date("GL_TO", &text)?,
        None => Local::now().date_naive(),
    };
    let page_size: u32 = common::optional("GL_PAGE_SIZE")
        .map_or(Ok(1000), |text| text.parse())
        .map_err(|e| format!("GL_PAGE_SIZE: {e}"))?;
    let mut out: Box<dyn Write> = match common::optional("GL_OUTPUT") {
        Some(path) => Box::new(BufWriter::new(File::create(&path).map_err(|e| format!("{path}: {e}"))?)),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };

    let query = company
        .general_ledger_entries()
        .list()
        .filter(gle::posting_date().ge(from).and(gle::posting_date().le(to)))
        .order_by(gle::entry_number())
        .page_size(page_size);

    write_row(&mut out, HEADER.map(String::from))?;
    let (mut pages_read, mut rows) = (0, 0);
    let mut pages = query.pages();
    while let Some(page) = pages.next().await {
        let page = page?;
        for entry in &page.items {
            write_row(&mut out, csv_fields(entry))?;
        }
        pages_read += 1;
        rows += page.items.len();
        eprint!("\rexported {rows} entries ({pages_read} pages)");
    }
    out.flush()?;
    eprintln!("\rexported {rows} entries ({pages_read} pages) from {from} to {to}");
    Ok(())
}

fn parse_date(name: &str, text: &str) -> Result<NaiveDate, String> {
    text.parse().map_err(|e| format!("{name} must be YYYY-MM-DD: {e}"))
}

fn csv_fields(entry: &GeneralLedgerEntry) -> [String; 8] {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    [
        entry.entry_number.map(|n| n.to_string()).unwrap_or_default(),
        entry.posting_date.map(|d| d.to_string()).unwrap_or_default(),
        text(&entry.document_number),
        // The readable member name ("Credit Memo", not the wire form
        // "Credit_x0020_Memo"); the blank type stays empty.
        entry
            .document_type
            .as_ref()
            .filter(|t| **t != GenJournalDocumentType::Blank)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        text(&entry.account_number),
        text(&entry.description),
        entry.debit_amount.map(|d| d.to_string()).unwrap_or_default(),
        entry.credit_amount.map(|d| d.to_string()).unwrap_or_default(),
    ]
}

/// One CSV record (RFC 4180): fields with a comma, quote or line break are
/// quoted, and quotes inside them doubled.
fn write_row(out: &mut dyn Write, fields: [String; 8]) -> io::Result<()> {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if field.contains([',', '"', '\n', '\r']) {
            write!(out, "\"{}\"", field.replace('"', "\"\""))?;
        } else {
            out.write_all(field.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
}
