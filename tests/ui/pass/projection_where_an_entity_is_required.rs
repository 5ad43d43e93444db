// Handing projection rows to code that needs whole entities. (corrected)
use business_central_sdk::api::v2_0::{self, customer, customer_sale, enums, general_ledger_entry as gle, sales_invoice, sales_invoice_line};
use business_central_sdk::runtime::{Client};
use business_central_sdk::{Environment};

#[allow(dead_code)]
fn api() -> v2_0::Api {
    let client = Client::builder(Environment::custom("http://127.0.0.1:1/")).build().unwrap();
    v2_0::Api::new(&client)
}

#[allow(unused_imports)]
use {customer as _, customer_sale as _, enums as _, gle as _, sales_invoice as _, sales_invoice_line as _};

use business_central_sdk::runtime::Entity;

business_central_sdk::runtime::projection! {
    struct Mailing of customer::Customer {
        display_name: customer::fields::DisplayName,
        email: customer::fields::Email,
    }
}

/// Keeps whole entities, by their type name.
fn archive<E: Entity>(rows: &[E]) -> (&'static str, usize) {
    (E::TYPE_NAME, rows.len())
}

fn main() {
    let customers = api().company_by_name("CRONUS").customers();
    let query = customers.list();
    let _pending = async move { archive(&query.collect().await.unwrap()) };
    let _mailing = customers.list().select_as::<Mailing>();
}
