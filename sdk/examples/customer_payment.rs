//! Records a customer payment in a customer payment journal, applied to an
//! invoice when one is named. The journal is created if it does not exist.
//!
//! Connection: see `common/mod.rs` (BC_BASE_URL or BC_TENANT_ID,
//! BC_ENVIRONMENT, BC_CLIENT_ID, BC_CLIENT_SECRET; BC_COMPANY_ID or
//! BC_COMPANY_NAME; BC_PROFILE=strict for the local peer).
//!
//! Options:
//!   PAYMENT_JOURNAL_CODE      the journal's code, e.g. `CUSTPAY` (required)
//!   PAYMENT_CUSTOMER_NUMBER   the paying customer's number (required)
//!   PAYMENT_AMOUNT            the amount received, e.g. `1250.00` (required)
//!   PAYMENT_INVOICE_NUMBER    the invoice the payment settles (optional)
//!   PAYMENT_POSTING_DATE      YYYY-MM-DD (default: today)
//!
//! Run: `PAYMENT_JOURNAL_CODE=CUSTPAY PAYMENT_CUSTOMER_NUMBER=10000 PAYMENT_AMOUNT=100 cargo run -p business-central-sdk --example customer_payment`

mod common;

use business_central_sdk::api::v2_0::{customer, customer_payment, customer_payment_journal as journal, sales_invoice};
use business_central_sdk::runtime::chrono::{Local, NaiveDate};
use business_central_sdk::runtime::rust_decimal::Decimal;

#[tokio::main]
async fn main() -> common::Outcome {
    let (_api, company) = common::connect()?;
    let code = common::required("PAYMENT_JOURNAL_CODE")?;
    let customer_number = common::required("PAYMENT_CUSTOMER_NUMBER")?;
    let amount: Decimal = common::required("PAYMENT_AMOUNT")?.parse().map_err(|e| format!("PAYMENT_AMOUNT: {e}"))?;
    let posting_date: NaiveDate = match common::optional("PAYMENT_POSTING_DATE") {
        Some(text) => text.parse().map_err(|e| format!("PAYMENT_POSTING_DATE: {e}"))?,
        None => Local::now().date_naive(),
    };

    let customers = company.customers().list().filter(customer::number().eq(&customer_number)).collect().await?;
    let payer = customers.first().ok_or_else(|| format!("no customer with number {customer_number}"))?;

    let existing = company.customer_payment_journals().list().filter(journal::code().eq(&code)).collect().await?;
    let journal = match existing.into_iter().next() {
        Some(journal) => journal,
        None => {
            let created =
                company.customer_payment_journals().create(journal::CustomerPaymentJournalCreate::new(&code)).await?;
            println!("created journal {code}");
            created
        }
    };

    let mut payment = customer_payment::CustomerPaymentCreate::new()
        .customer_id(payer.id)
        .customer_number(customer_number.as_str())
        .amount(amount)
        .posting_date(posting_date)
        .description(format!("Payment from {}", payer.display_name));
    if let Some(invoice_number) = common::optional("PAYMENT_INVOICE_NUMBER") {
        let invoices =
            company.sales_invoices().list().filter(sales_invoice::number().eq(&invoice_number)).collect().await?;
        let invoice = invoices.first().ok_or_else(|| format!("no sales invoice with number {invoice_number}"))?;
        payment = payment.applies_to_invoice_id(invoice.id).applies_to_invoice_number(invoice_number.as_str());
    }
    let created = company.customer_payment_journal(journal.id).customer_payments().create(payment).await?;
    println!(
        "payment line {} in journal {code}: {} from customer {} ({}), applied to {}",
        created.line_number.map(|n| n.to_string()).unwrap_or_default(),
        created.amount.map(|a| a.to_string()).unwrap_or_default(),
        created.customer_number.unwrap_or_default(),
        payer.display_name,
        created.applies_to_invoice_number.filter(|n| !n.is_empty()).unwrap_or_else(|| "no invoice".to_owned()),
    );
    Ok(())
}
