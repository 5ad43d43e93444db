//! Every seeded entity, read from both servers and compared property by
//! property. The two known differences are checked to be the only ones:
//!
//! - ETags: the peer counts (`W/"1"`), the fake sends opaque base64 as
//!   Business Central does; clients treat both as opaque.
//! - A property the seed leaves out is `null` on the peer; the fake, like
//!   Business Central, holds a blank value (`""`, `0`, `false`, the nil
//!   GUID, `0001-01-01`, the enum's blank member), or the value Business
//!   Central derives: a line's amounts from quantity and price, a
//!   document's bill-to and sell-to fields from its customer, a line's unit
//!   of measure from its item.

use std::collections::BTreeMap;

use business_central_sdk::api::v2_0;
use business_central_sdk::runtime::{CollectionHandle, Edm, EntitySet};
use sdk_tests::fixtures::{CRONUS_ID, MULLER_ID};
use serde_json::Value;

use super::both;

/// Line amounts the fake computes when the seed leaves them out.
const COMPUTED_LINE_AMOUNTS: &[&str] = &[
    "amountExcludingTax",
    "netAmount",
    "amountIncludingTax",
    "netAmountIncludingTax",
    "totalTaxAmount",
    "netTaxAmount",
];

fn is_blank(value: &Value) -> bool {
    match value {
        Value::String(text) => {
            text.is_empty()
                || text == "00000000-0000-0000-0000-000000000000"
                || text == "0001-01-01"
                || text == "_x0020_"
        }
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Bool(b) => !b,
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Fields the fake copies from the customer or the item, as Business Central does.
const LOOKED_UP: &[&str] = &[
    "billToCustomerId",
    "billToAddressLine1",
    "billToAddressLine2",
    "billToCity",
    "billToCountry",
    "billToState",
    "billToPostCode",
    "sellToAddressLine1",
    "sellToAddressLine2",
    "sellToCity",
    "sellToCountry",
    "sellToState",
    "sellToPostCode",
    "unitOfMeasureCode",
];

#[derive(Default)]
struct Tally {
    compared: usize,
    blank_for_null: usize,
    computed_for_null: usize,
    looked_up_for_null: usize,
    unexpected: Vec<String>,
}

impl Tally {
    fn compare(&mut self, set: &str, peer: &[Value], fake: &[Value]) {
        // Rows other tests of this binary write exist on one side only, or
        // with different ids: only seeded rows are compared.
        let by_id = |rows: &[Value]| -> BTreeMap<String, Value> {
            rows.iter()
                .map(|r| (r["id"].as_str().unwrap_or_default().to_owned(), r.clone()))
                .filter(|(id, _)| is_seeded(id))
                .collect()
        };
        let (peer, fake) = (by_id(peer), by_id(fake));
        if peer.keys().ne(fake.keys()) {
            self.unexpected.push(format!("{set}: ids differ: {:?} vs {:?}", peer.keys(), fake.keys()));
            return;
        }
        for (id, peer_row) in &peer {
            self.compared += 1;
            let (Some(peer_row), Some(fake_row)) = (peer_row.as_object(), fake[id].as_object()) else { continue };
            for (name, peer_value) in peer_row {
                let fake_value = fake_row.get(name).unwrap_or(&Value::Null);
                if name == "@odata.etag" || peer_value == fake_value || numbers_equal(peer_value, fake_value) {
                    continue;
                }
                if peer_value.is_null() && is_blank(fake_value) {
                    self.blank_for_null += 1;
                } else if peer_value.is_null() && COMPUTED_LINE_AMOUNTS.contains(&name.as_str()) {
                    self.computed_for_null += 1;
                } else if peer_value.is_null() && LOOKED_UP.contains(&name.as_str()) {
                    self.looked_up_for_null += 1;
                } else {
                    self.unexpected.push(format!("{set}({id}).{name}: peer {peer_value} fake {fake_value}"));
                }
            }
        }
    }
}

/// The seed's ids: `{prefix}000000-0000-4000-8000-{counter}`.
fn is_seeded(id: &str) -> bool {
    id.len() == 36 && id[2..8] == *"000000" && id[8..].starts_with("-0000-4000-8000-")
}

fn numbers_equal(a: &Value, b: &Value) -> bool {
    matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y)
}

async fn read<C>(path: &C) -> Vec<Value>
where
    C: CollectionHandle,
    <C::Set as EntitySet>::Entity: Edm,
{
    let path = path.collection_path();
    let rows = path.list().collect().await.unwrap_or_else(|e| panic!("{}: {e}", path.path()));
    // Their OData JSON, as the service sent it (numbers stay numbers).
    rows.iter().map(|row| serde_json::from_str(&row.to_json()).expect("entities serialize")).collect()
}

async fn read_both<C>(
    path: impl Fn(&v2_0::company::CompanyPath) -> C,
    company: business_central_sdk::runtime::uuid::Uuid,
) -> [Vec<Value>; 2]
where
    C: CollectionHandle,
    <C::Set as EntitySet>::Entity: Edm,
{
    let [(_, peer), (_, fake)] = both();
    [read(&path(&peer.company(company))).await, read(&path(&fake.company(company))).await]
}

#[tokio::test]
async fn seeded_entities_differ_only_in_etags_and_blanks_for_nulls() {
    let mut tally = Tally::default();
    let [(_, peer), (_, fake)] = both();
    tally.compare("companies", &read(&peer.companies()).await, &read(&fake.companies()).await);
    for company in [CRONUS_ID, MULLER_ID] {
        let [p, f] = read_both(|c| c.customers(), company).await;
        tally.compare("customers", &p, &f);
        let [p, f] = read_both(|c| c.items(), company).await;
        tally.compare("items", &p, &f);
        let [p, f] = read_both(|c| c.general_ledger_entries(), company).await;
        tally.compare("generalLedgerEntries", &p, &f);
        let [p, f] = read_both(|c| c.customer_payment_journals(), company).await;
        tally.compare("customerPaymentJournals", &p, &f);
        for journal in p.iter().filter(|j| j["id"].as_str().is_some_and(is_seeded)) {
            let id = journal["id"].as_str().and_then(|s| s.parse().ok()).expect("journal id");
            let [lp, lf] = read_both(|c| c.customer_payment_journal(id).customer_payments(), company).await;
            tally.compare("customerPayments", &lp, &lf);
        }
        let [p, f] = read_both(|c| c.sales_invoices(), company).await;
        tally.compare("salesInvoices", &p, &f);
        for invoice in p.iter().filter(|i| i["id"].as_str().is_some_and(is_seeded)) {
            let id = invoice["id"].as_str().and_then(|s| s.parse().ok()).expect("invoice id");
            let [lp, lf] = read_both(|c| c.sales_invoice(id).sales_invoice_lines(), company).await;
            tally.compare("salesInvoiceLines", &lp, &lf);
        }
    }
    eprintln!(
        "parity: {} seeded entities compared; null on the peer but in the fake: {} blank, {} line amounts computed, {} copied from the customer or item",
        tally.compared, tally.blank_for_null, tally.computed_for_null, tally.looked_up_for_null
    );
    assert!(tally.compared > 80, "{}", tally.compared);
    assert!(tally.unexpected.is_empty(), "unexpected differences:\n{}", tally.unexpected.join("\n"));
}
