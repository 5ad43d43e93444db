//! Seed 004 (sales invoice lines) and the sales invoice document around
//! them: lines created under an invoice, a deep insert of an invoice with
//! its lines, the bound action `Microsoft.NAV.post`, and `$expand` with
//! nested options.
//!
//! Invoices that tests write are created by the test itself in the second
//! company; the seeded CRONUS invoices are only read.

use business_central_sdk::api::v2_0::enums::{
    InvoiceEntityAggregateStatus as Status, InvoiceLineAggLineType as LineType,
};
use business_central_sdk::api::v2_0::{self, sales_invoice as invoice, sales_invoice_line as line};
use business_central_sdk::runtime::Error;
use business_central_sdk::runtime::rust_decimal::Decimal;
use sdk_tests::fixtures::{self, CRONUS_ID, MULLER_ID, muller_customers::KIRCHNER};
use sdk_tests::{RequestLog, SharedPeer, shared};

fn company(id: business_central_sdk::runtime::uuid::Uuid) -> v2_0::company::CompanyPath {
    v2_0::Api::new(&shared(SharedPeer::ApiV2).client()).company(id)
}

fn item_line(number: &str, quantity: i64) -> line::SalesInvoiceLineCreate {
    line::SalesInvoiceLineCreate::new().line_type(LineType::Item).line_object_number(number).quantity(quantity)
}

#[tokio::test]
async fn lines_are_created_read_updated_and_deleted_under_their_invoice() {
    let draft = company(MULLER_ID)
        .sales_invoices()
        .create(invoice::SalesInvoiceCreate::new(KIRCHNER.1).external_document_number("E2E-LINES"))
        .await
        .expect("an empty draft invoice");
    let lines = company(MULLER_ID).sales_invoice(draft.id).sales_invoice_lines();

    let desk = lines.create(item_line("ITM-400", 2).unit_price(620)).await.expect("item line");
    let note = lines
        .create(line::SalesInvoiceLineCreate::new().line_type(LineType::Comment).description("Handle with care"))
        .await
        .expect("comment line");
    assert_eq!(desk.line_type, Some(LineType::Item));
    assert_eq!(note.line_type, Some(LineType::Comment));
    assert_eq!(desk.document_id, Some(draft.id), "the line belongs to its invoice");

    let listed = lines.list().order_by(line::sequence()).collect().await.expect("list lines");
    let types: Vec<Option<LineType>> = listed.iter().map(|l| l.line_type.clone()).collect();
    assert_eq!(types, [Some(LineType::Item), Some(LineType::Comment)]);

    let desk_path = company(MULLER_ID).sales_invoice(draft.id).sales_invoice_line(desk.id);
    let more = desk_path.update(&desk, line::SalesInvoiceLineUpdate::new().quantity(5)).await.expect("update quantity");
    assert_eq!(more.quantity, Some(Decimal::from(5)));
    assert_eq!(more.line_object_number.as_deref(), Some("ITM-400"));

    let note_path = company(MULLER_ID).sales_invoice(draft.id).sales_invoice_line(note.id);
    note_path.delete(&note).await.expect("delete the comment line");
    let left = lines.list().collect().await.expect("list after delete");
    let left: Vec<_> = left.iter().map(|l| (l.id, l.quantity, l.etag.clone())).collect();
    assert_eq!(left, [(more.id, Some(Decimal::from(5)), more.etag.clone())]);
}

#[tokio::test]
async fn seeded_lines_decode_their_line_type_enum() {
    let lines = company(CRONUS_ID)
        .sales_invoice(fixtures::DRAFT_INVOICE_ID)
        .sales_invoice_lines()
        .list()
        .order_by(line::sequence())
        .collect()
        .await
        .expect("lines of S-INV-1001");
    let ids: Vec<_> = lines.iter().map(|l| l.id).collect();
    assert_eq!(ids, fixtures::DRAFT_INVOICE_LINE_IDS);
    let types: Vec<_> = lines.iter().map(|l| l.line_type.clone()).collect();
    assert_eq!(types, [Some(LineType::Item), Some(LineType::Item), Some(LineType::Item), Some(LineType::Comment)]);
}

#[tokio::test]
async fn deep_insert_then_post_once() {
    let created = company(MULLER_ID)
        .sales_invoices()
        .create(
            invoice::SalesInvoiceCreate::new(KIRCHNER.1)
                .external_document_number("E2E-DEEP")
                .sales_invoice_lines([item_line("ITM-100", 3), item_line("ITM-400", 1)]),
        )
        .await
        .expect("invoice and lines in one request");
    assert_eq!(created.status, Some(Status::Draft));
    assert_eq!(created.customer_number, KIRCHNER.1);
    let path = company(MULLER_ID).sales_invoice(created.id);
    let lines =
        path.sales_invoice_lines().list().order_by(line::sequence()).collect().await.expect("lines created with it");
    let numbers: Vec<_> = lines.iter().map(|l| l.line_object_number.as_deref()).collect();
    assert_eq!(numbers, [Some("ITM-100"), Some("ITM-400")]);

    path.post().await.expect("a draft invoice posts");
    let posted = path.get().await.expect("re-read after posting");
    assert_eq!(posted.status, Some(Status::Open));

    let again = path.post().await.expect_err("an invoice posts only once");
    assert!(matches!(again, Error::Service(_)), "{again:?}");
    assert_eq!(again.status(), Some(400));
}

#[tokio::test]
async fn post_sends_a_bodiless_post_to_the_bound_action() {
    let log = RequestLog::new();
    let client = shared(SharedPeer::ApiV2).client_builder().middleware(log.clone()).build().expect("client");
    let draft = v2_0::Api::new(&client)
        .company(MULLER_ID)
        .sales_invoices()
        .create(invoice::SalesInvoiceCreate::new(KIRCHNER.1).sales_invoice_lines([item_line("ITM-100", 1)]))
        .await
        .expect("draft");
    log.clear();
    v2_0::Api::new(&client).company(MULLER_ID).sales_invoice(draft.id).post().await.expect("post");
    let sent = log.requests();
    assert_eq!(sent.len(), 1);
    let expected_url = format!(
        "{}companies({MULLER_ID})/salesInvoices({})/Microsoft.NAV.post",
        shared(SharedPeer::ApiV2).service_root(),
        draft.id
    );
    assert_eq!(sent[0].url, expected_url);
    assert_eq!(sent[0].status, Some(204));
}

#[tokio::test]
async fn expand_lines_with_nested_filter_and_select() {
    let items_only = invoice::sales_invoice_lines()
        .filter(line::line_type().eq(LineType::Item))
        .select((line::description(), line::quantity()))
        .order_by(line::sequence());
    let draft = company(CRONUS_ID)
        .sales_invoice(fixtures::DRAFT_INVOICE_ID)
        .get()
        .select((invoice::number(), invoice::status()))
        .expand(items_only)
        .await
        .expect("invoice with expanded item lines");
    assert_eq!(draft.number.as_deref(), Some(fixtures::DRAFT_INVOICE_NUMBER));
    assert_eq!(draft.status, Some(Status::Draft));
    assert_eq!(draft.total_amount_including_tax, None, "not selected");
    let lines = draft.sales_invoice_lines.expect("lines were expanded");
    let descriptions: Vec<_> = lines.iter().map(|l| l.description.as_deref()).collect();
    assert_eq!(descriptions, [Some("Oak desk"), Some("Ergonomic chair"), Some("Assembly service")]);
    assert!(lines.iter().all(|l| l.quantity.is_some() && l.unit_price.is_none()), "only the selected fields came back");
}

business_central_sdk::runtime::projection! {
    /// An invoice's number and status, with three fields of each line.
    struct InvoiceLines of invoice::SalesInvoice {
        number: invoice::fields::Number,
        status: invoice::fields::Status,
        #[expand] lines: invoice::fields::SalesInvoiceLines => LineRow,
    }

    struct LineRow of line::SalesInvoiceLine {
        sequence: line::fields::Sequence,
        description: line::fields::Description,
        quantity: line::fields::Quantity,
    }
}

#[tokio::test]
async fn a_projection_expands_the_lines_into_a_projection_of_their_own() {
    let log = RequestLog::new();
    let client = shared(SharedPeer::ApiV2).client_builder().middleware(log.clone()).build().expect("client");
    let draft = v2_0::Api::new(&client)
        .company(CRONUS_ID)
        .sales_invoice(fixtures::DRAFT_INVOICE_ID)
        .get()
        .select_as::<InvoiceLines>()
        .await
        .expect("invoice with its lines");
    assert_eq!(draft.number.as_deref(), Some(fixtures::DRAFT_INVOICE_NUMBER));
    assert_eq!(draft.status, Some(Status::Draft));
    let mut lines = draft.lines;
    lines.sort_by_key(|l| l.sequence);
    let descriptions: Vec<_> = lines.iter().filter_map(|l| l.description.as_deref()).collect();
    for expected in ["Oak desk", "Ergonomic chair", "Assembly service", "Deliver to the back entrance"] {
        assert!(descriptions.contains(&expected), "{expected} in {descriptions:?}");
    }
    // `=` inside the parentheses is sent percent-encoded.
    let url = log.requests()[0].url.replace("%3D", "=");
    assert!(url.contains("$select=number,status"), "{url}");
    assert!(url.contains("$expand=salesInvoiceLines($select=sequence,description,quantity)"), "{url}");
}

#[tokio::test]
async fn expand_on_a_filtered_list() {
    let invoices = company(CRONUS_ID)
        .sales_invoices()
        .list()
        .filter(invoice::status().eq(Status::Draft))
        .expand(invoice::sales_invoice_lines().filter(line::line_type().eq(LineType::Comment)))
        .collect()
        .await
        .expect("draft invoices with their comment lines");
    let draft = invoices.iter().find(|i| i.id == fixtures::DRAFT_INVOICE_ID).expect("the seeded draft");
    let comments = draft.sales_invoice_lines.as_ref().expect("expanded");
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].description.as_deref(), Some("Deliver to the back entrance"));
    assert!(invoices.iter().all(|i| i.status == Some(Status::Draft)));
}
