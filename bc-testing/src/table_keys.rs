//! Business Central's primary keys where they are not the API's `id`.
//!
//! Every API v2.0 entity is addressed by its `id`, but the table behind it
//! has its own primary key, and Business Central refuses a second row with
//! the same key: creating customer `10000` twice fails with 409
//! `Internal_EntityWithSameKeyExists` ("The Customer already exists.
//! Identification fields and values: No.='10000'"). The fake refuses the
//! same creates (and updates that would make two rows share a key), for
//! the entity sets below, within one company.
//!
//! | Entity sets | Table | Primary key |
//! |---|---|---|
//! | `accounts`, `bankAccounts`, `contacts`, `customers`, `employees`, `fixedAssets`, `items`, `opportunities`, `projects`, `vendors` | G/L Account, Bank Account, Contact, Customer, Employee, Fixed Asset, Item, Opportunity, Job, Vendor | `number` (No.) |
//! | `countriesRegions`, `currencies`, `customerReturnReasons`, `dimensions`, `disputeStatus`, `fixedAssetLocations`, `generalProductPostingGroups`, `inventoryPostingGroups`, `itemCategories`, `locations`, `paymentMethods`, `paymentTerms`, `salespeoplePurchasers`, `shipmentMethods`, `taxAreas`, `taxGroups`, `unitsOfMeasure` | their setup tables | `code` (Code) |
//! | `dimensionValues` | Dimension Value | `dimensionId`, `code` |
//! | `itemVariants` | Item Variant | `itemId`, `code` |
//! | `defaultDimensions` | Default Dimension | `parentId`, `dimensionId` |
//! | `dimensionSetLines` | Dimension Set Entry | `parentId`, `code` |
//! | `journals`, `customerPaymentJournals`, `vendorPaymentJournals` | Gen. Journal Batch (one template each) | `code` (Name) |
//! | `journalLines`, `customerPayments`, `vendorPayments` | Gen. Journal Line | `journalId`, `lineNumber` (Line No.) |
//! | `salesInvoices`, `salesOrders`, `salesQuotes`, `salesCreditMemos`; `purchaseInvoices`, `purchaseOrders`, `purchaseCreditMemos`; `salesShipments`, `purchaseReceipts` | Sales Header, Purchase Header (one document type each), Sales Shipment Header, Purch. Rcpt. Header | `number` (No.) |
//! | the line sets of those documents | Sales Line, Purchase Line, Sales Shipment Line, Purch. Rcpt. Line | `documentId`, `sequence` (Line No.) |
//! | `generalLedgerEntries`, `itemLedgerEntries` | G/L Entry, Item Ledger Entry | `entryNumber` (Entry No.) |
//! | `accountingPeriods` | Accounting Period | `startingDate` |
//! | `currencyExchangeRates` | Currency Exchange Rate | `currencyCode`, `startingDate` |
//! | `companies` | Company | `name` (across the environment) |
//!
//! Text parts compare without regard to case: these are Business Central
//! `Code` fields, which it stores in upper case. A key with a blank part
//! (an empty code, a line number not yet assigned) is not checked.
//!
//! Sets left out: those keyed by their `id` or another system id
//! (attachments, job queue entries, subscriptions, time registration
//! entries), API queries and reports (`customerSales`, `trialBalance`,
//! `customerFinancialDetails`, aged balances, statements), and singletons
//! (`companyInformation`, `generalLedgerSetup`). A test checks that every
//! entity type of `api/v2.0` with a `number` or `code` property is either
//! in the table or one of these.
//!
//! Source: the table definitions of Business Central's base application
//! (`No.`, `Code`, `Line No.`, `Entry No.` keys) as the API pages expose them,
//! and the error Business Central documents for a duplicate key
//! (`Internal_EntityWithSameKeyExists`). A plain table: this module names no
//! other.

/// The primary key of the table behind one entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TableKey {
    /// The unqualified entity type (`customer`).
    pub entity_type: &'static str,
    /// The table, as Business Central names it in errors (`Customer`).
    pub table: &'static str,
    /// The key's fields in key order: `(API property, Business Central field)`.
    pub fields: &'static [(&'static str, &'static str)],
}

const fn key(
    entity_type: &'static str,
    table: &'static str,
    fields: &'static [(&'static str, &'static str)],
) -> TableKey {
    TableKey { entity_type, table, fields }
}

const NUMBER: &[(&str, &str)] = &[("number", "No.")];
const CODE: &[(&str, &str)] = &[("code", "Code")];
const BATCH_NAME: &[(&str, &str)] = &[("code", "Name")];
const JOURNAL_LINE: &[(&str, &str)] = &[("journalId", "Journal Batch Name"), ("lineNumber", "Line No.")];
const DOCUMENT_LINE: &[(&str, &str)] = &[("documentId", "Document No."), ("sequence", "Line No.")];
const ENTRY: &[(&str, &str)] = &[("entryNumber", "Entry No.")];

/// Every entity type whose table key is not its `id`; see the module docs.
pub(crate) const TABLE_KEYS: &[TableKey] = &[
    // Master data, keyed by No.
    key("account", "G/L Account", NUMBER),
    key("bankAccount", "Bank Account", NUMBER),
    key("contact", "Contact", NUMBER),
    key("customer", "Customer", NUMBER),
    key("employee", "Employee", NUMBER),
    key("fixedAsset", "Fixed Asset", NUMBER),
    key("item", "Item", NUMBER),
    key("opportunity", "Opportunity", NUMBER),
    key("project", "Job", NUMBER),
    key("vendor", "Vendor", NUMBER),
    // Setup tables, keyed by Code.
    key("countryRegion", "Country/Region", CODE),
    key("currency", "Currency", CODE),
    key("customerReturnReason", "Return Reason", CODE),
    key("dimension", "Dimension", CODE),
    key("disputeStatus", "Dispute Status", CODE),
    key("fixedAssetLocation", "FA Location", CODE),
    key("generalProductPostingGroup", "Gen. Product Posting Group", CODE),
    key("inventoryPostingGroup", "Inventory Posting Group", CODE),
    key("itemCategory", "Item Category", CODE),
    key("location", "Location", CODE),
    key("paymentMethod", "Payment Method", CODE),
    key("paymentTerm", "Payment Terms", CODE),
    key("salespersonPurchaser", "Salesperson/Purchaser", CODE),
    key("shipmentMethod", "Shipment Method", CODE),
    key("taxArea", "Tax Area", CODE),
    key("taxGroup", "Tax Group", CODE),
    key("unitOfMeasure", "Unit of Measure", CODE),
    // Codes within a parent.
    key("dimensionValue", "Dimension Value", &[("dimensionId", "Dimension Code"), ("code", "Code")]),
    key("itemVariant", "Item Variant", &[("itemId", "Item No."), ("code", "Code")]),
    key("defaultDimension", "Default Dimension", &[("parentId", "No."), ("dimensionId", "Dimension Code")]),
    key("dimensionSetLine", "Dimension Set Entry", &[("parentId", "Dimension Set ID"), ("code", "Dimension Code")]),
    // Journals (a batch within its template) and their lines.
    key("journal", "Gen. Journal Batch", BATCH_NAME),
    key("customerPaymentJournal", "Gen. Journal Batch", BATCH_NAME),
    key("vendorPaymentJournal", "Gen. Journal Batch", BATCH_NAME),
    key("journalLine", "Gen. Journal Line", JOURNAL_LINE),
    key("customerPayment", "Gen. Journal Line", JOURNAL_LINE),
    key("vendorPayment", "Gen. Journal Line", JOURNAL_LINE),
    // Documents (No. within the document type) and their lines.
    key("salesInvoice", "Sales Header", NUMBER),
    key("salesOrder", "Sales Header", NUMBER),
    key("salesQuote", "Sales Header", NUMBER),
    key("salesCreditMemo", "Sales Header", NUMBER),
    key("purchaseInvoice", "Purchase Header", NUMBER),
    key("purchaseOrder", "Purchase Header", NUMBER),
    key("purchaseCreditMemo", "Purchase Header", NUMBER),
    key("salesShipment", "Sales Shipment Header", NUMBER),
    key("purchaseReceipt", "Purch. Rcpt. Header", NUMBER),
    key("salesInvoiceLine", "Sales Line", DOCUMENT_LINE),
    key("salesOrderLine", "Sales Line", DOCUMENT_LINE),
    key("salesQuoteLine", "Sales Line", DOCUMENT_LINE),
    key("salesCreditMemoLine", "Sales Line", DOCUMENT_LINE),
    key("purchaseInvoiceLine", "Purchase Line", DOCUMENT_LINE),
    key("purchaseOrderLine", "Purchase Line", DOCUMENT_LINE),
    key("purchaseCreditMemoLine", "Purchase Line", DOCUMENT_LINE),
    key("salesShipmentLine", "Sales Shipment Line", DOCUMENT_LINE),
    key("purchaseReceiptLine", "Purch. Rcpt. Line", DOCUMENT_LINE),
    // Ledgers.
    key("generalLedgerEntry", "G/L Entry", ENTRY),
    key("itemLedgerEntry", "Item Ledger Entry", ENTRY),
    // Periods and rates.
    key("accountingPeriod", "Accounting Period", &[("startingDate", "Starting Date")]),
    key(
        "currencyExchangeRate",
        "Currency Exchange Rate",
        &[("currencyCode", "Currency Code"), ("startingDate", "Starting Date")],
    ),
    // The environment's companies.
    key("company", "Company", &[("name", "Name")]),
];

/// Entity types of `api/v2.0` with a `number` or `code` property whose
/// table is keyed otherwise (reports, views of another table).
#[cfg(test)]
pub(crate) const NOT_KEYED_BY_NUMBER_OR_CODE: &[&str] = &["customerFinancialDetail", "trialBalance"];

/// The table key of an entity type (unqualified name), if it is not `id`.
pub(crate) fn table_key(entity_type: &str) -> Option<&'static TableKey> {
    TABLE_KEYS.iter().find(|k| k.entity_type == entity_type)
}
