// An `or` of an `and` group mixes fields, which Business Central refuses; the correction puts the `or` inside the group, on one field. (corrected)
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

fn main() {
    let city = customer::city().eq("Denver").or(customer::city().eq("Lyon"));
    let _ = api().company_by_name("CRONUS").customers().list().filter(city.and(customer::number().is_in(["10000", "30000"])));
}
