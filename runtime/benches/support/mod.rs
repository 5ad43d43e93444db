//! What the runtime's benchmarks share: rows shaped like Business Central's,
//! rendered as JSON and decoded into the fields a ledger export keeps.

use serde::Deserialize;

#[path = "../../tests/support/http_head.rs"]
mod http_head;
pub use http_head::read_head;

/// One row shaped like Business Central's: GUIDs, dates, document fields,
/// amounts as JSON numbers with trailing zeros, an opaque weak ETag.
pub fn render_entry(out: &mut String, number: usize) {
    use std::fmt::Write as _;
    let document_types = ["Invoice", "Payment", "Credit_x0020_Memo", "_x0020_"];
    let amount_cents = (number * 7_919) % 1_000_000;
    let (debit, credit) = if number.is_multiple_of(2) { (amount_cents, 0) } else { (0, amount_cents) };
    let _ = write!(
        out,
        concat!(
            r#"{{"@odata.etag":"W/\"JzE5OzEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI7MDA7{number:08}Jw==\"","#,
            r#""id":"{number:08x}-2a32-4011-9a4a-{guid_tail:012x}","entryNumber":{number},"#,
            r#""postingDate":"2025-{month:02}-{day:02}","documentNumber":"G{document:05}","#,
            r#""documentType":"{document_type}","accountId":"{account:08x}-6b1f-4c47-9c1e-1cfe1e4b9d5a","#,
            r#""accountNumber":"{account}","description":"Posting {number} for account {account}","#,
            r#""debitAmount":{debit_units}.{debit_cents:02},"creditAmount":{credit_units}.{credit_cents:02},"#,
            r#""lastModifiedDateTime":"2025-05-08T15:37:35.593Z"}}"#
        ),
        number = number,
        guid_tail = number * 31,
        month = number % 12 + 1,
        day = number % 28 + 1,
        document = number / 3,
        document_type = document_types[number % document_types.len()],
        account = 10_000 + (number % 90) * 100,
        debit_units = debit / 100,
        debit_cents = debit % 100,
        credit_units = credit / 100,
        credit_cents = credit % 100,
    );
}

/// The fields a ledger export would keep.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct GeneralLedgerEntry {
    #[serde(rename = "@odata.etag")]
    etag: String,
    id: String,
    pub entry_number: u64,
    posting_date: String,
    document_number: String,
    document_type: String,
    account_id: String,
    account_number: String,
    description: String,
    // The bench measures paging, not decimal semantics: f64 keeps the
    // struct dependency-free. The SDK's typed layer decodes exact decimals.
    debit_amount: f64,
    credit_amount: f64,
    last_modified_date_time: String,
}

impl GeneralLedgerEntry {
    /// Bytes this entry occupies once decoded: the struct plus its strings.
    #[allow(dead_code)] // used by paging_memory only
    pub fn decoded_size(&self) -> usize {
        std::mem::size_of::<Self>()
            + [
                &self.etag,
                &self.id,
                &self.posting_date,
                &self.document_number,
                &self.document_type,
                &self.account_id,
                &self.account_number,
                &self.description,
                &self.last_modified_date_time,
            ]
            .iter()
            .map(|s| s.capacity())
            .sum::<usize>()
    }
}
