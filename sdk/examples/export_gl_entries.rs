//! Exports the general ledger entries of a date range as CSV, reading the
//! ledger in parallel ranges of `entryNumber` within Business Central's
//! limits, with a progress bar on stderr and a checkpoint to resume from.
//!
//! Connection: see `common/mod.rs` (BC_BASE_URL or BC_TENANT_ID,
//! BC_ENVIRONMENT, BC_CLIENT_ID, BC_CLIENT_SECRET; BC_COMPANY_ID or
//! BC_COMPANY_NAME; BC_PROFILE=strict for the local peer).
//!
//! Options:
//!   GL_FROM         first posting date, YYYY-MM-DD (required)
//!   GL_TO           last posting date, YYYY-MM-DD (default: today)
//!   GL_OUTPUT       file to write (default: stdout); appended to when resuming
//!   GL_PAGE_SIZE    entries per page asked from the service (default 1000)
//!   GL_CONCURRENCY  requests served at once (default 5, Business Central's
//!                   limit per user)
//!   GL_CHECKPOINT   file where the export's progress is saved after every
//!                   page; if it exists, the export resumes from it, and it
//!                   is removed when the export completes
//!
//! Rows arrive in `entryNumber` order within each range; ranges interleave,
//! so sort the file afterwards if the order matters.
//!
//! Run: `GL_FROM=2025-01-01 cargo run -p business-central-sdk --example export_gl_entries > entries.csv`

mod common;

use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use business_central_sdk::api::v2_0::enums::GenJournalDocumentType;
use business_central_sdk::api::v2_0::general_ledger_entry::{self as gle, GeneralLedgerEntry};
use business_central_sdk::runtime::chrono::{Local, NaiveDate};
use business_central_sdk::runtime::{ExportCheckpoint, ExportProgress};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// One row of the file: the columns chosen for it, by their wire names.
///
/// The generated `GeneralLedgerEntry` serializes with the csv crate as well
/// (`writer.serialize(&entry)`: every property, by wire name); a row of its
/// own picks the columns and writes enum members by their readable names.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row<'a> {
    entry_number: Option<i32>,
    posting_date: Option<String>,
    document_number: Option<&'a str>,
    document_type: Option<&'a str>,
    account_number: Option<&'a str>,
    description: Option<&'a str>,
    debit_amount: Option<String>,
    credit_amount: Option<String>,
}

#[tokio::main]
async fn main() -> common::Outcome {
    let (_api, company) = common::connect()?;
    let from = parse_date("GL_FROM", &common::required("GL_FROM")?)?;
    let to = match common::optional("GL_TO") {
        Some(text) => parse_date("GL_TO", &text)?,
        None => Local::now().date_naive(),
    };
    let number = |name: &str, default: usize| -> Result<usize, String> {
        common::optional(name).map_or(Ok(default), |text| text.parse().map_err(|e| format!("{name}: {e}")))
    };
    let page_size = u32::try_from(number("GL_PAGE_SIZE", 1000)?).map_err(|e| format!("GL_PAGE_SIZE: {e}"))?;
    let concurrency = number("GL_CONCURRENCY", 5)?;
    let checkpoint_path = common::optional("GL_CHECKPOINT");
    let saved: Option<ExportCheckpoint> = match checkpoint_path.as_deref().filter(|p| Path::new(p).exists()) {
        Some(path) => Some(serde_json::from_slice(&std::fs::read(path)?).map_err(|e| format!("{path}: {e}"))?),
        None => None,
    };
    let out: Box<dyn Write> = match common::optional("GL_OUTPUT") {
        Some(path) => {
            let mut options = OpenOptions::new();
            options.create(true).write(true).append(saved.is_some()).truncate(saved.is_none());
            Box::new(BufWriter::new(options.open(&path).map_err(|e| format!("{path}: {e}"))?))
        }
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };

    let export = company
        .general_ledger_entries()
        .list()
        .filter(gle::posting_date().ge(from).and(gle::posting_date().le(to)))
        .page_size(page_size)
        .export_by(gle::entry_number(), |entry: &GeneralLedgerEntry| entry.entry_number)
        .concurrency(concurrency);
    // RFC 4180 line ends; the header row only when not resuming.
    let mut out =
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).has_headers(saved.is_none()).from_writer(out);
    let mut batches = match &saved {
        Some(checkpoint) => export.resume(checkpoint),
        None => export.start(),
    };

    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {bar:30} {pos}/{len} entries, {msg} ({elapsed})")?);
    while let Some(batch) = batches.next().await {
        let batch = batch?;
        for entry in &batch.rows {
            out.serialize(row(entry))?;
        }
        show(&bar, batches.progress());
        if let Some(path) = &checkpoint_path {
            // The rows first, then the checkpoint that covers them: a crash
            // in between repeats a page on resume, never loses one.
            out.flush()?;
            save(path, &batches.checkpoint())?;
        }
    }
    out.flush()?;
    bar.finish_and_clear();
    if let Some(path) = &checkpoint_path {
        let _ = std::fs::remove_file(path);
    }
    let progress = batches.progress();
    eprintln!(
        "exported {} entries ({} pages, {} ranges) from {from} to {to}",
        progress.rows, progress.pages, progress.partitions
    );
    Ok(())
}

fn show(bar: &ProgressBar, progress: ExportProgress) {
    if let Some(total) = progress.estimated_total {
        bar.set_length(total);
    }
    bar.set_position(progress.rows);
    bar.set_message(format!(
        "{} pages, {}/{} ranges done",
        progress.pages, progress.partitions_done, progress.partitions
    ));
}

/// Writes the checkpoint atomically (a temporary file renamed over it).
fn save(path: &str, checkpoint: &ExportCheckpoint) -> io::Result<()> {
    let temporary = format!("{path}.tmp");
    std::fs::write(&temporary, serde_json::to_vec(checkpoint)?)?;
    std::fs::rename(temporary, path)
}

fn parse_date(name: &str, text: &str) -> Result<NaiveDate, String> {
    text.parse().map_err(|e| format!("{name} must be YYYY-MM-DD: {e}"))
}

fn row(entry: &GeneralLedgerEntry) -> Row<'_> {
    Row {
        entry_number: entry.entry_number,
        posting_date: entry.posting_date.map(|d| d.to_string()),
        document_number: entry.document_number.as_deref(),
        // The readable member name ("Credit Memo", not the wire form
        // "Credit_x0020_Memo"); the blank type stays empty.
        document_type: entry
            .document_type
            .as_ref()
            .filter(|t| **t != GenJournalDocumentType::Blank)
            .map(|t| t.display_name()),
        account_number: entry.account_number.as_deref(),
        description: entry.description.as_deref(),
        // Decimals keep their scale: `2400.50`, not `2400.5`.
        debit_amount: entry.debit_amount.map(|d| d.to_string()),
        credit_amount: entry.credit_amount.map(|d| d.to_string()),
    }
}
