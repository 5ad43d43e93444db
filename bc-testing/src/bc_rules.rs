//! What the fake knows about Business Central beyond its `$metadata`: which
//! properties it maintains itself, the resource docs' read-only
//! properties, and the values it fills in when a document is created.
//! (Primary keys other than `id` are in [`table_keys`](crate::table_keys).)
//!
//! Sources: the generator's rules (`codegen/src/emit/plan.rs` in the
//! repository), the resource docs committed in `sdk/schemas/api/v2.0/docs/` (a
//! test checks the table below against them) and Business Central's
//! documented behaviour. Plain tables: this module names no other.

/// Properties Business Central maintains on every table.
const SYSTEM_FIELDS: &[&str] = &[
    "lastModifiedDateTime",
    "systemCreatedAt",
    "systemCreatedBy",
    "systemModifiedAt",
    "systemModifiedBy",
    "systemVersion",
];

/// Properties the resource docs mark read-only, per entity type (the
/// unqualified name). Keys and system fields are covered by the rules above.
const DOCUMENTED_READ_ONLY: &[(&str, &[&str])] = &[
    ("customer", &["balanceDue", "taxAreaDisplayName"]),
    ("customerPaymentJournal", &[]),
    ("customerPayment", &[]),
    (
        "generalLedgerEntry",
        &[
            "entryNumber",
            "postingDate",
            "documentNumber",
            "documentType",
            "accountId",
            "accountNumber",
            "description",
            "debitAmount",
            "creditAmount",
            "additionalCurrencyDebitAmount",
            "additionalCurrencyCreditAmount",
        ],
    ),
    ("journal", &["templateDisplayName"]),
    ("journalLine", &[]),
    (
        "salesInvoice",
        &[
            "number",
            "customerName",
            "billToName",
            "billToAddressLine1",
            "billToAddressLine2",
            "billToCity",
            "billToCountry",
            "billToState",
            "billToPostCode",
            "orderId",
            "orderNumber",
            "pricesIncludeTax",
            "remainingAmount",
            "discountAppliedBeforeTax",
            "totalAmountExcludingTax",
            "totalTaxAmount",
            "totalAmountIncludingTax",
            "status",
        ],
    ),
    (
        "salesInvoiceLine",
        &[
            "discountAppliedBeforeTax",
            "amountExcludingTax",
            "taxPercent",
            "totalTaxAmount",
            "amountIncludingTax",
            "invoiceDiscountAllocation",
            "netAmount",
            "netTaxAmount",
            "netAmountIncludingTax",
        ],
    ),
];

pub(crate) fn is_system_field(name: &str) -> bool {
    SYSTEM_FIELDS.contains(&name)
}

/// Business Central assigns its GUID ids (and `…Id` keys) itself.
pub(crate) fn is_server_assigned_key(name: &str, is_guid: bool) -> bool {
    is_guid || name == "id" || name.ends_with("Id")
}

pub(crate) fn documented_read_only(type_name: &str, property: &str) -> bool {
    DOCUMENTED_READ_ONLY.iter().any(|(ty, properties)| *ty == type_name && properties.contains(&property))
}

/// The number series prefix of the entity types whose `number` Business
/// Central assigns when a create leaves it empty.
pub(crate) fn number_series(type_name: &str) -> Option<&'static str> {
    Some(match type_name {
        "customer" => "C",
        "vendor" => "V",
        "item" => "I",
        "employee" => "E",
        "contact" => "CT",
        "salesInvoice" => "S-INV-",
        "salesOrder" => "S-ORD-",
        "salesQuote" => "S-QUO-",
        "salesCreditMemo" => "S-CR-",
        "salesShipment" => "S-SHPT-",
        "purchaseInvoice" => "P-INV-",
        "purchaseOrder" => "P-ORD-",
        "purchaseCreditMemo" => "P-CR-",
        "purchaseReceipt" => "P-RCPT-",
        _ => return None,
    })
}

/// Line types numbered `10000, 20000, …` within their document: the
/// property that holds the number and the one that names the document.
pub(crate) fn line_numbering(type_name: &str) -> Option<(&'static str, &'static str)> {
    Some(match type_name {
        "salesInvoiceLine"
        | "salesOrderLine"
        | "salesQuoteLine"
        | "salesCreditMemoLine"
        | "purchaseInvoiceLine"
        | "purchaseOrderLine"
        | "purchaseCreditMemoLine" => ("sequence", "documentId"),
        "journalLine" | "customerPayment" | "vendorPayment" => ("lineNumber", "journalId"),
        _ => return None,
    })
}

/// Documents that start as drafts (`status` `Draft`) and are posted by the
/// bound action `Microsoft.NAV.post` (status `Open`).
pub(crate) fn is_postable_document(type_name: &str) -> bool {
    matches!(type_name, "salesInvoice" | "purchaseInvoice" | "salesCreditMemo" | "purchaseCreditMemo")
}

/// Sales documents whose customer is looked up from `customerNumber` or
/// `customerId` on create, and the header of each line type.
pub(crate) fn is_sales_document(type_name: &str) -> bool {
    matches!(type_name, "salesInvoice" | "salesOrder" | "salesQuote" | "salesCreditMemo")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table above is the resource docs' "Read-only." properties, minus
    /// keys and system fields: reading the committed docs again must give it.
    /// The docs are the repository's (`sdk/schemas/` beside this crate), read
    /// when the test runs.
    #[test]
    fn documented_read_only_matches_the_committed_docs() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/schemas/api/v2.0/docs");
        assert!(
            docs.is_dir(),
            "{} is missing: this test compares the fake's read-only table with the resource docs committed in \
             the repository's sdk/schemas/api/v2.0/docs, so it runs from a checkout of the whole workspace",
            docs.display()
        );
        let mut from_docs: Vec<(String, Vec<String>)> = Vec::new();
        for entry in std::fs::read_dir(&docs).expect("the docs directory") {
            let path = entry.expect("a doc").path();
            let type_name = path.file_stem().and_then(|s| s.to_str()).expect("a name").to_owned();
            let text = std::fs::read_to_string(&path).expect("a readable doc");
            let read_only: Vec<String> = text
                .lines()
                .filter(|line| {
                    let lower = line.to_ascii_lowercase();
                    line.starts_with("| ") && (lower.contains("read-only") || lower.contains("non-editable"))
                })
                .filter_map(|line| line.trim_start_matches('|').split('|').next().map(|c| c.trim().to_owned()))
                .filter(|name| !name.is_empty() && !name.contains(' '))
                .filter(|name| name != "id" && !is_system_field(name))
                .collect();
            from_docs.push((type_name, read_only));
        }
        for (type_name, expected) in &from_docs {
            let (_, listed) = DOCUMENTED_READ_ONLY
                .iter()
                .find(|(ty, _)| ty == type_name)
                .unwrap_or_else(|| panic!("{type_name} has a doc but no entry"));
            assert_eq!(listed.to_vec(), *expected, "{type_name}");
        }
        assert_eq!(from_docs.len(), DOCUMENTED_READ_ONLY.len());
    }
}
