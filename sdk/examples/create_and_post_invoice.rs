//! Creates a sales invoice with its item lines in one request, then posts
//! it with the bound action `Microsoft.NAV.post`.
//!
//! Connection: see `common/mod.rs` (BC_BASE_URL or BC_TENANT_ID,
//! BC_ENVIRONMENT, BC_CLIENT_ID, BC_CLIENT_SECRET; BC_COMPANY_ID or
//! BC_COMPANY_NAME; BC_PROFILE=strict for the local peer).
//!
//! Options:
//!   INVOICE_CUSTOMER_NUMBER   the customer's number, e.g. `10000` (required)
//!   INVOICE_LINES             items and quantities, e.g. `1896-S:3,1900-S:1` (required)
//!   INVOICE_EXTERNAL_NUMBER   the customer's reference (optional)
//!   INVOICE_POST              `0` to leave the invoice as a draft (default: post it)
//!
//! Run: `INVOICE_CUSTOMER_NUMBER=10000 INVOICE_LINES=1896-S:3 cargo run -p business-central-sdk --example create_and_post_invoice`

mod common;

use business_central_sdk::api::v2_0::enums::InvoiceLineAggLineType;
use business_central_sdk::api::v2_0::{sales_invoice, sales_invoice_line};
use business_central_sdk::runtime::rust_decimal::Decimal;

#[tokio::main]
async fn main() -> common::Outcome {
    let (_api, company) = common::connect()?;
    let customer_number = common::required("INVOICE_CUSTOMER_NUMBER")?;
    let lines = parse_lines(&common::required("INVOICE_LINES")?)?;

    let mut invoice = sales_invoice::SalesInvoiceCreate::new(customer_number).sales_invoice_lines(lines);
    if let Some(reference) = common::optional("INVOICE_EXTERNAL_NUMBER") {
        invoice = invoice.external_document_number(reference);
    }
    let created = company.sales_invoices().create(invoice).await?;
    let number = created.number.clone().unwrap_or_default();
    println!("created invoice {number} ({}) for customer {}", created.id, created.customer_number);

    if common::optional("INVOICE_POST").as_deref() == Some("0") {
        println!("left as a draft");
        return Ok(());
    }
    let path = company.sales_invoice(created.id);
    path.post().await?;
    let posted = path.get().await?;
    let status = posted.status.map(|s| s.to_string()).unwrap_or_default();
    match posted.total_amount_including_tax {
        Some(total) => println!("posted invoice {number}: status {status}, total {total}"),
        None => println!("posted invoice {number}: status {status}"),
    }
    Ok(())
}

/// `ITEM:QTY,ITEM:QTY` into item lines.
fn parse_lines(text: &str) -> Result<Vec<sales_invoice_line::SalesInvoiceLineCreate>, String> {
    text.split(',')
        .map(|entry| {
            let (item, quantity) =
                entry.trim().split_once(':').ok_or_else(|| format!("INVOICE_LINES: {entry:?} is not ITEM:QUANTITY"))?;
            let quantity: Decimal =
                quantity.parse().map_err(|e| format!("INVOICE_LINES: quantity {quantity:?}: {e}"))?;
            Ok(sales_invoice_line::SalesInvoiceLineCreate::new()
                .line_type(InvoiceLineAggLineType::Item)
                .line_object_number(item)
                .quantity(quantity))
        })
        .collect()
}
