//! Lists the customers of a company that are not completely blocked,
//! optionally only those whose name starts with a given text.
//!
//! Connection: see `common/mod.rs` (BC_BASE_URL or BC_TENANT_ID,
//! BC_ENVIRONMENT, BC_CLIENT_ID, BC_CLIENT_SECRET; BC_COMPANY_ID or
//! BC_COMPANY_NAME; BC_PROFILE=strict for the local peer).
//!
//! Options:
//!   CUSTOMER_NAME_PREFIX   only customers whose display name starts with it
//!
//! Run: `cargo run -p business-central-sdk --example list_customers`

mod common;

use business_central_sdk::api::v2_0::{customer, enums::CustomerBlocked};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> common::Outcome {
    let (_api, company) = common::connect()?;

    let mut query = company
        .customers()
        .list()
        .filter(customer::blocked().ne(CustomerBlocked::All))
        .select((customer::number(), customer::display_name(), customer::city(), customer::balance_due()))
        .order_by(customer::number());
    if let Some(prefix) = common::optional("CUSTOMER_NAME_PREFIX") {
        // A second `filter` is joined to the first with `and`.
        query = query.filter(customer::display_name().starts_with(prefix));
    }

    let mut customers = query.stream();
    let mut shown = 0;
    while let Some(customer) = customers.next().await {
        let customer = customer?;
        println!(
            "{:<10} {:<32} {:<16} {:>12}",
            customer.number.unwrap_or_default(),
            customer.display_name,
            customer.city.unwrap_or_default(),
            customer.balance_due.map(|amount| amount.to_string()).unwrap_or_default(),
        );
        shown += 1;
    }
    eprintln!("{shown} customers");
    Ok(())
}
