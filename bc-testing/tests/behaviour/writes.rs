//! Creates, updates, deletes, deep insert, bound actions, `$batch`.

use business_central_sdk::api::v2_0::enums::{CustomerBlocked, InvoiceEntityAggregateStatus as Status};
use business_central_sdk::api::v2_0::{
    self, customer, customer_payment_journal as journal, sales_invoice, sales_invoice_line as line,
};
use business_central_sdk::runtime::rust_decimal::Decimal;
use business_central_sdk::runtime::{Error, Method};
use business_central_testing::ActionRefusal;

use super::World;

#[tokio::test]
async fn a_create_is_completed_as_business_central_completes_it() {
    let world = World::new();
    let created = world
        .company()
        .customers()
        .create(customer::CustomerCreate::new("Contoso Pharmaceuticals").city("Boston"))
        .await
        .expect("created");
    assert!(!created.id.is_nil(), "the service assigns the id");
    assert_eq!(created.number.as_deref(), Some("C1001"), "from the number series");
    assert_eq!(created.blocked, Some(CustomerBlocked::Blank), "blank values, not nulls");
    assert_eq!(created.balance_due, Some(Decimal::ZERO));
    assert_eq!(created.email.as_deref(), Some(""));
    assert!(created.last_modified_date_time.is_some());
    assert!(created.etag.is_some());
    let sent = world.bc.requests();
    assert_eq!(sent.all()[0].status, Some(201));
    let again = world.company().customer(created.id).get().await.expect("read back");
    assert_eq!(again, created);
}

#[tokio::test]
async fn updates_need_the_current_etag_and_answer_with_the_entity() {
    let world = World::new();
    let alpine = world.customer_by_number("10000");
    let path = world.company().customer(alpine.id);
    let renamed = path
        .update(&alpine, customer::CustomerUpdate::new().display_name("Alpine Ski & Snow"))
        .await
        .expect("current ETag");
    assert_eq!(renamed.display_name, "Alpine Ski & Snow");
    assert_ne!(renamed.etag, alpine.etag, "a new ETag on every write");
    assert!(renamed.last_modified_date_time > alpine.last_modified_date_time);
    assert_eq!(world.bc.requests().all()[0].status, Some(200), "PATCH answers 200 with the entity");

    let stale = path.update(&alpine, customer::CustomerUpdate::new().city("Vail")).await.expect_err("stale");
    assert!(matches!(stale, Error::StaleEtag(_)), "{stale:?}");
    assert_eq!((stale.status(), stale.code()), (Some(409), Some("Request_EntityChanged")));
    assert!(stale.correlation_id().is_some());
    assert_eq!(
        world.bc.get(&path).expect("stored").city.as_deref(),
        Some("Denver"),
        "the refused update changed nothing"
    );

    let anyway = path.update_unconditionally(customer::CustomerUpdate::new().city("Vail")).await.expect("If-Match: *");
    assert_eq!(anyway.city.as_deref(), Some("Vail"));

    let body = r#"{"city":"Aspen"}"#;
    let without = world.raw(Method::Patch, path.raw().path(), Some(body), &[]).await.expect_err("no If-Match");
    assert_eq!((without.status(), without.code()), (Some(400), Some("BadRequest_InvalidToken")));
    let read_only =
        world.raw(Method::Patch, path.raw().path(), Some(r#"{"balanceDue":1}"#), &[("If-Match", "*")]).await;
    assert_eq!(read_only.expect_err("read-only").code(), Some("BadRequest_InvalidOperation"));
    let too_long = format!(r#"{{"city":"{}"}}"#, "x".repeat(31));
    let refused = world.raw(Method::Patch, path.raw().path(), Some(&too_long), &[("If-Match", "*")]).await;
    assert_eq!(refused.expect_err("31 characters").code(), Some("Application_StringExceededLength"));
    let bad_enum =
        world.raw(Method::Patch, path.raw().path(), Some(r#"{"blocked":"Sometimes"}"#), &[("If-Match", "*")]).await;
    assert_eq!(bad_enum.expect_err("not a member").status(), Some(400));
    let unknown = world.raw(Method::Patch, path.raw().path(), Some(r#"{"shoeSize":44}"#), &[("If-Match", "*")]).await;
    assert_eq!(unknown.expect_err("undeclared").status(), Some(400));
}

#[tokio::test]
async fn deletes_need_the_current_etag_and_take_contained_rows_along() {
    let world = World::new();
    let created = world
        .company()
        .customer_payment_journals()
        .create(journal::CustomerPaymentJournalCreate::new("J1"))
        .await
        .expect("journal");
    let path = world.company().customer_payment_journal(created.id);
    let payment = v2_0::customer_payment::CustomerPaymentCreate::new().customer_number("20000").amount(100);
    let paid = path.customer_payments().create(payment).await.expect("payment");
    assert_eq!(paid.journal_id, Some(created.id), "linked to its journal");
    assert_eq!(paid.line_number, Some(10000));
    assert_eq!(paid.customer_id, Some(world.customer_by_number("20000").id), "looked up from the number");

    let renamed =
        path.update(&created, journal::CustomerPaymentJournalUpdate::new().display_name("x")).await.expect("update");
    let stale = path.delete(&created).await.expect_err("stale delete");
    assert!(matches!(stale, Error::StaleEtag(_)));
    path.delete(&renamed).await.expect("current ETag");
    assert!(matches!(path.get().await, Err(Error::NotFound(_))));
    let orphans = world
        .raw(Method::Get, &format!("companies({})/customerPayments", world.cronus), None, &[])
        .await
        .expect("list");
    let body: serde_json::Value = serde_json::from_slice(orphans.bytes()).expect("json");
    assert_eq!(body["value"].as_array().map(Vec::len), Some(0), "the journal's payments went with it");
}

#[tokio::test]
async fn read_only_sets_refuse_writes_with_405() {
    let world = World::new();
    let entries = world.company().general_ledger_entries();
    for (method, path) in [
        (Method::Post, entries.raw().path().to_owned()),
        (Method::Patch, format!("{}({})", entries.raw().path(), world.cronus)),
        (Method::Delete, format!("{}({})", entries.raw().path(), world.cronus)),
        (Method::Patch, entries.raw().path().to_owned()),
    ] {
        let error = world.raw(method, &path, Some("{}"), &[("If-Match", "*")]).await.expect_err("read-only");
        assert!(matches!(error.status(), Some(405 | 404)), "{method:?} {path}: {error:?}");
        if method == Method::Post || path == entries.raw().path() {
            assert_eq!((error.status(), error.code()), (Some(405), Some("BadRequest_MethodNotAllowed")), "{method:?}");
        }
    }
}

fn item_line(number: &str, quantity: i64) -> line::SalesInvoiceLineCreate {
    line::SalesInvoiceLineCreate::new().line_object_number(number).quantity(quantity)
}

#[tokio::test]
async fn deep_insert_looks_up_prices_and_totals_then_posting_opens_the_invoice() {
    let world = World::new();
    let create = sales_invoice::SalesInvoiceCreate::new("20000")
        .external_document_number("PO-7")
        .sales_invoice_lines([item_line("ITM-100", 2), item_line("ITM-300", 3)]);
    let draft = world.company().sales_invoices().create(create).await.expect("deep insert");
    assert_eq!(draft.status, Some(Status::Draft));
    assert_eq!(draft.number.as_deref(), Some("S-INV-1001"));
    assert_eq!(draft.customer_name.as_deref(), Some("O'Brien & Sons"));
    assert_eq!(draft.customer_id, Some(world.customer_by_number("20000").id));
    assert_eq!(draft.total_amount_excluding_tax, Some(Decimal::from(2 * 620 + 3 * 45)));
    let nested = draft.sales_invoice_lines.as_ref().expect("the answer holds the new lines");
    assert_eq!(nested.len(), 2);

    let path = world.company().sales_invoice(draft.id);
    let lines = path.sales_invoice_lines().list().order_by(line::sequence()).collect().await.expect("lines");
    let shape: Vec<_> = lines.iter().map(|l| (l.sequence, l.description.clone(), l.amount_excluding_tax)).collect();
    assert_eq!(
        shape,
        [
            (Some(10000), Some("Oak desk".to_owned()), Some(Decimal::from(1240))),
            (Some(20000), Some("Assembly".to_owned()), Some(Decimal::from(135)))
        ]
    );
    assert!(lines.iter().all(|l| l.document_id == Some(draft.id)));

    // A line write changes the document's totals and its ETag.
    let first = path.sales_invoice_line(lines[0].id);
    first.update(&lines[0], line::SalesInvoiceLineUpdate::new().quantity(1)).await.expect("line update");
    let after = path.get().await.expect("header");
    assert_eq!(after.total_amount_excluding_tax, Some(Decimal::from(620 + 135)));
    assert_ne!(after.etag, draft.etag);

    path.post().await.expect("a draft posts");
    let posted = path.get().await.expect("re-read");
    assert_eq!(posted.status, Some(Status::Open));
    let again = path.post().await.expect_err("posts once");
    assert_eq!((again.status(), again.code()), (Some(400), Some("Application_DialogException")));
    let calls = world.bc.action_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].action.as_str(), calls[0].entity_set.as_str(), calls[0].id),
        ("Microsoft.NAV.post", "salesInvoices", Some(draft.id))
    );

    let bad_item = sales_invoice::SalesInvoiceCreate::new("20000").sales_invoice_lines([item_line("NOPE", 1)]);
    let refused = world.company().sales_invoices().create(bad_item).await.expect_err("unknown item");
    assert_eq!(refused.status(), Some(400));
    let invoices = world.bc.list(&world.company().sales_invoices()).expect("invoices");
    assert_eq!(invoices.len(), 1, "a failed deep insert leaves nothing behind");
    let unknown_customer =
        world.company().sales_invoices().create(sales_invoice::SalesInvoiceCreate::new("99999")).await;
    assert_eq!(unknown_customer.expect_err("no such customer").status(), Some(400));
}

#[tokio::test]
async fn action_behaviour_can_be_replaced() {
    let world = World::new();
    world
        .bc
        .on_action("salesInvoices", "post", |invoice| {
            if invoice.text("externalDocumentNumber") == Some("") {
                return Err(ActionRefusal::dialog("External Document No. must have a value."));
            }
            invoice.set_text("status", "Paid");
            Ok(())
        })
        .expect("registered");
    let invoices = world.company().sales_invoices();
    let without = invoices.create(sales_invoice::SalesInvoiceCreate::new("10000")).await.expect("draft");
    let refused = world.company().sales_invoice(without.id).post().await.expect_err("refused by the handler");
    assert_eq!(refused.code(), Some("Application_DialogException"));
    let with = invoices
        .create(sales_invoice::SalesInvoiceCreate::new("10000").external_document_number("PO-1"))
        .await
        .expect("draft");
    world.company().sales_invoice(with.id).post().await.expect("posted");
    let stored = world.bc.get(&world.company().sales_invoice(with.id)).expect("stored");
    assert_eq!(stored.status, Some(Status::Paid));
    assert_ne!(stored.etag, with.etag, "an action's changes give a new ETag");
    assert!(world.bc.on_action("nope", "post", |_| Ok(())).is_err());
}

#[tokio::test]
async fn batches_run_each_operation_and_atomic_ones_roll_back() {
    let world = World::new();
    let api = &world.api;
    let mut batch = api.batch();
    let list = batch.add(world.company().customers().list().filter(customer::city().eq("Denver")).request());
    let created =
        batch.add(world.company().customer_payment_journals().create(journal::CustomerPaymentJournalCreate::new("B1")));
    let missing =
        batch.add(world.company().customer(business_central_sdk::runtime::uuid::Uuid::from_u128(9)).get().request());
    let mut results = batch.await.expect("batch");
    assert_eq!(results.take(list).expect("list").items.len(), 2);
    assert_eq!(results.take(created).expect("created").code, "B1");
    assert!(matches!(results.take(missing), Err(Error::NotFound(_))));
    let sent = world.bc.requests();
    assert_eq!(sent.all().iter().filter(|r| r.in_batch).count(), 3, "the parts are logged too");

    let mut atomic = api.batch().atomic();
    let first = atomic
        .add(world.company().customer_payment_journals().create(journal::CustomerPaymentJournalCreate::new("B2")));
    let duplicate = atomic.add(
        world
            .company()
            .customer_payment_journals()
            .create(journal::CustomerPaymentJournalCreate::new("B3").display_name("x".repeat(200))),
    );
    let mut results = atomic.await.expect("batch call");
    assert!(results.take(first).is_err(), "rolled back with the failed one");
    assert_eq!(results.take(duplicate).expect_err("too long").code(), Some("Application_StringExceededLength"));
    let journals = world.bc.list(&world.company().customer_payment_journals()).expect("journals");
    assert_eq!(journals.iter().map(|j| j.code.as_str()).collect::<Vec<_>>(), ["B1"]);
}

#[tokio::test]
async fn seeding_from_typed_entities_json_and_seed_files() {
    let world = World::new();
    // A typed entity, read and changed, copied into the other company.
    let mut alpine = world.customer_by_number("10000");
    alpine.display_name = "Alpine Ski House (Europe)".to_owned();
    alpine.balance_due = Some(Decimal::new(123_456, 2));
    let copied = world.bc.insert_entity(&world.api.company(world.muller).customers(), &alpine).expect("typed seed");
    assert_eq!((copied.id, copied.balance_due), (alpine.id, Some(Decimal::new(123_456, 2))), "values are kept");
    assert_ne!(copied.etag, alpine.etag, "the copy has its own version");

    // JSON at a path, exact decimals included.
    let path = format!("api/v2.0/companies({})/customers", world.muller);
    let json = world
        .bc
        .insert_json_at(&path, r#"{"displayName": "Exact", "creditLimit": 12345678901234.56789}"#)
        .expect("json");
    assert!(json.contains(r#""creditLimit":12345678901234.56789"#), "{json}");

    // The local peer's seed format, contained rows included.
    let seed = r#"[{"set": "companies", "entity": {"id": "c0000000-0000-4000-8000-000000000009", "name": "Seeded",
        "@contained": {"customers": [{"displayName": "One", "number": "1"}, {"displayName": "Two", "number": "2"}]}}}]"#;
    assert_eq!(world.bc.load_seed("api/v2.0", seed).expect("seed"), 3);
    let seeded: business_central_sdk::runtime::uuid::Uuid = "c0000000-0000-4000-8000-000000000009".parse().expect("id");
    assert_eq!(world.bc.list(&world.api.company(seeded).customers()).expect("customers").len(), 2);
    assert!(world.bc.companies().iter().any(|(id, name)| *id == seeded && name == "Seeded"));
    assert!(world.bc.table_sizes().iter().any(|(table, n)| table.ends_with("Microsoft.NAV.customer") && *n == 9));

    // Someone else's edit and delete, behind the client's back.
    let kirchner = world.api.company(world.muller).customer(copied.id);
    let edited = world.bc.edit_as_another_user(&kirchner, r#"{"city": "Bern"}"#).expect("edited");
    assert_eq!(edited.city.as_deref(), Some("Bern"));
    let refused = kirchner.update(&copied, customer::CustomerUpdate::new().city("Basel")).await.expect_err("stale");
    assert!(matches!(refused, Error::StaleEtag(_)));
    world.bc.delete_as_another_user(&kirchner).expect("deleted");
    assert!(matches!(kirchner.get().await, Err(Error::NotFound(_))));

    let bad = world.bc.insert_json(&world.company().customers(), r#"{"displayName": 7}"#).expect_err("not text");
    assert!(matches!(bad, business_central_testing::FakeError::Refused { status: 400, .. }), "{bad:?}");
}
