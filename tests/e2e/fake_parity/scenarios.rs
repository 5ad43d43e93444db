//! The end-to-end scenarios of `general_ledger_entries.rs`, `queries.rs`,
//! `customer_payments.rs` and `sales_invoices.rs`, run against both
//! servers; each returns what it observed, and the observations must match.
//!
//! Writes happen in the second company on rows each scenario creates, as in
//! the scenarios they come from; the two servers get the same requests.

use business_central_sdk::api::v2_0::enums::{
    CustomerBlocked, GenJournalDocumentType, InvoiceEntityAggregateStatus as Status, InvoiceLineAggLineType as LineType,
};
use business_central_sdk::api::v2_0::{
    self, customer, customer_payment as payment, customer_payment_journal as journal, general_ledger_entry as gle,
    sales_invoice as invoice, sales_invoice_line as line,
};
use business_central_sdk::runtime::chrono::NaiveDate;
use business_central_sdk::runtime::rust_decimal::Decimal;
use business_central_sdk::runtime::uuid::Uuid;
use futures_util::StreamExt;
use sdk_tests::fixtures::{
    self, CRONUS_ID, CRONUS_NAME, MULLER_ID, MULLER_NAME, cronus_customers as cust, muller_customers,
};

use super::both;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a valid date")
}

/// Runs `scenario` against the peer and the fake and requires the same observations.
macro_rules! same_on_both {
    ($scenario:ident) => {{
        let [(_, peer), (_, fake)] = both();
        let on_peer = $scenario(&peer).await;
        let on_fake = $scenario(&fake).await;
        assert_eq!(on_peer, on_fake, "{} differs (left: peer, right: fake)", stringify!($scenario));
        on_peer
    }};
}

fn sorted(mut numbers: Vec<i32>) -> Vec<i32> {
    numbers.sort_unstable();
    numbers
}

async fn ledger(api: &v2_0::Api) -> Vec<String> {
    let entries = api.company(CRONUS_ID).general_ledger_entries();
    let mut seen = Vec::new();
    let examples: Vec<(&str, business_central_sdk::runtime::Filter<gle::GeneralLedgerEntry>)> = vec![
        ("one date", gle::posting_date().eq(date("2025-02-17")).into()),
        ("february", gle::posting_date().ge(date("2025-02-01")).and(gle::posting_date().le(date("2025-02-28")))),
        ("account", gle::account_number().eq("60100").into()),
        ("document", gle::document_number().eq("GJ-001").into()),
        ("invoices", gle::document_type().eq(GenJournalDocumentType::Invoice).into()),
        ("debits", gle::debit_amount().gt(0).into()),
        ("large debits", gle::debit_amount().lt(-10000).or(gle::debit_amount().gt(10000)).into()),
        (
            "combined",
            gle::account_number()
                .eq("40100")
                .and(gle::document_type().eq(GenJournalDocumentType::Invoice))
                .and(gle::posting_date().ge(date("2025-01-01"))),
        ),
    ];
    for (name, filter) in examples {
        let rows = entries.list().filter(filter).collect().await.expect("filter");
        seen.push(format!("{name}: {:?}", sorted(rows.iter().filter_map(|r| r.entry_number).collect())));
    }
    let by_date = entries.list().order_by(gle::posting_date().desc()).collect().await.expect("ordered");
    seen.push(format!("dates: {:?}", by_date.iter().map(|r| r.posting_date).collect::<Vec<_>>()));
    let top = entries.list().order_by(gle::entry_number().desc()).top(50).collect().await.expect("top");
    seen.push(format!("top 50: {:?}", top.iter().map(|r| r.entry_number).collect::<Vec<_>>()));
    let mut pages = entries.list().pages();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        sizes.push(page.expect("page").items.len());
    }
    seen.push(format!("server pages: {sizes:?}"));
    let one = entries.key(fixtures::ledger::entry_id(1003)).get().await.expect("by id");
    seen.push(format!(
        "1003: {:?} {:?} {:?}",
        one.document_number,
        one.credit_amount.map(|d| d.to_string()),
        one.document_type
    ));
    seen
}

#[tokio::test]
async fn general_ledger_scenarios_agree() {
    let seen = same_on_both!(ledger);
    assert!(seen[0].ends_with("[1001, 1002, 1003, 1004]"), "{seen:?}");
    assert_eq!(
        seen.iter().find(|s| s.starts_with("server pages")).map(String::as_str),
        Some("server pages: [10, 10, 10, 10, 10, 10, 2]")
    );
}

async fn customer_reads(api: &v2_0::Api) -> Vec<String> {
    let mut seen = Vec::new();
    let customers = api.company(CRONUS_ID).customers();
    let page = customers.list().count().first_page().await.expect("count");
    seen.push(format!("inline count {:?} of {}", page.count, page.items.len()));
    let filtered =
        customers.list().filter(customer::country().eq("US")).count().top(1).first_page().await.expect("count");
    seen.push(format!("US: {:?} {}", filtered.count, filtered.items.len()));
    seen.push(format!("/$count {:?}", customers.count().await.map_err(|e| e.status())));
    let blocked = customers.list().filter(customer::blocked().ne(CustomerBlocked::Blank)).count_request().await;
    seen.push(format!("blocked {:?}", blocked.map_err(|e| e.status())));
    for (_, _, name) in [cust::OBRIEN, cust::ZOE, cust::FABRIKAM] {
        let found = customers.list().filter(customer::display_name().eq(name)).collect().await.expect("by name");
        seen.push(format!("{name}: {:?}", found.iter().map(|c| c.id).collect::<Vec<_>>()));
    }
    for fragment in ["#7 + ", "'"] {
        let found =
            customers.list().filter(customer::display_name().contains(fragment)).collect().await.expect("contains");
        seen.push(format!("contains {fragment:?}: {}", found.len()));
    }
    let in_list =
        customers.list().filter(customer::number().is_in([cust::ALPINE.1, cust::ZOE.1, "99999"])).collect().await;
    seen.push(format!("in: {:?}", in_list.expect("in").iter().map(|c| c.id).collect::<Vec<_>>()));
    let ship = customers.list().filter(customer::blocked().eq(CustomerBlocked::Ship)).collect().await.expect("enum");
    seen.push(format!("ship: {:?}", ship.iter().map(|c| c.id).collect::<Vec<_>>()));
    for name in [MULLER_NAME, CRONUS_NAME, "Müller & O'Neil #3+"] {
        let company = api.company_by_name(name).get().await.map(|c| c.id).map_err(|e| e.status());
        seen.push(format!("company {name}: {company:?}"));
    }
    let via_name = api.company_by_name(MULLER_NAME).customers().list().collect().await.expect("via name");
    seen.push(format!("{MULLER_NAME} customers: {}", via_name.len()));
    let missing =
        api.company(CRONUS_ID).customer(Uuid::from_u128(42)).get().await.map(|c| c.id).map_err(|e| e.status());
    seen.push(format!("missing customer {missing:?}"));
    let no_company =
        api.company(Uuid::from_u128(43)).customers().list().collect().await.map(|c| c.len()).map_err(|e| e.status());
    seen.push(format!("missing company {no_company:?}"));
    seen
}

#[tokio::test]
async fn customer_read_scenarios_agree() {
    let seen = same_on_both!(customer_reads);
    assert_eq!(seen[0], "inline count Some(5) of 5");
}

async fn journal_writes(api: &v2_0::Api) -> Vec<String> {
    let mut seen = Vec::new();
    let muller = api.company(MULLER_ID);
    let created = muller
        .customer_payment_journals()
        .create(journal::CustomerPaymentJournalCreate::new("PAR-J1").display_name("Journal PAR-J1"))
        .await
        .expect("journal");
    seen.push(format!("created {} {:?}", created.code, created.display_name));
    let path = muller.customer_payment_journal(created.id);
    let read = path.get().await.expect("read");
    seen.push(format!("read back equal: {}", read == created));
    let updated =
        path.update(&read, journal::CustomerPaymentJournalUpdate::new().display_name("Renamed")).await.expect("update");
    seen.push(format!("updated {:?}, new etag: {}", updated.display_name, updated.etag != read.etag));
    let stale = path.update(&read, journal::CustomerPaymentJournalUpdate::new().display_name("lost")).await;
    seen.push(format!(
        "stale update: {:?}",
        stale.map(drop).map_err(|e| (e.status(), matches!(e, business_central_sdk::Error::StaleEtag(_))))
    ));
    let stale_delete = path.delete(&read).await;
    seen.push(format!("stale delete: {:?}", stale_delete.map_err(|e| e.status())));

    let payments = path.customer_payments();
    let new = payment::CustomerPaymentCreate::new()
        .customer_id(muller_customers::CONTOSO.0)
        .customer_number(muller_customers::CONTOSO.1)
        .applies_to_invoice_id(fixtures::MULLER_OPEN_INVOICE_ID)
        .applies_to_invoice_number(fixtures::MULLER_OPEN_INVOICE_NUMBER)
        .posting_date(date("2025-03-03"))
        .amount(1200);
    let paid = payments.create(new).await.expect("payment");
    seen.push(format!(
        "payment: journal linked {}, line {:?}, amount {:?}",
        paid.journal_id == Some(created.id),
        paid.line_number,
        paid.amount
    ));
    let payment_path = path.customer_payment(paid.id);
    let changed =
        payment_path.update(&paid, payment::CustomerPaymentUpdate::new().amount(Decimal::new(123_450, 2))).await;
    let changed = changed.expect("payment update");
    seen.push(format!("payment amount {:?}, number kept {:?}", changed.amount, changed.customer_number));
    payment_path.delete(&changed).await.expect("payment delete");
    seen.push(format!("payments left {}", payments.list().collect().await.expect("list").len()));
    path.delete(&updated).await.expect("delete");
    seen.push(format!("after delete: {:?}", path.get().await.map(drop).map_err(|e| e.status())));
    seen
}

#[tokio::test]
async fn journal_and_payment_writes_agree() {
    let seen = same_on_both!(journal_writes);
    assert!(seen.iter().any(|s| s == "stale update: Err((Some(412), true))"), "{seen:?}");
}

fn item_line(number: &str, quantity: i64) -> line::SalesInvoiceLineCreate {
    line::SalesInvoiceLineCreate::new().line_type(LineType::Item).line_object_number(number).quantity(quantity)
}

async fn invoices(api: &v2_0::Api) -> Vec<String> {
    let mut seen = Vec::new();
    let cronus = api.company(CRONUS_ID);
    let seeded = cronus
        .sales_invoice(fixtures::DRAFT_INVOICE_ID)
        .sales_invoice_lines()
        .list()
        .order_by(line::sequence())
        .collect()
        .await;
    let seeded = seeded.expect("seeded lines");
    seen.push(format!("seeded lines {:?}", seeded.iter().map(|l| (l.id, l.line_type.clone())).collect::<Vec<_>>()));

    let muller = api.company(MULLER_ID);
    let create = invoice::SalesInvoiceCreate::new(muller_customers::KIRCHNER.1)
        .external_document_number("PAR-DEEP")
        .sales_invoice_lines([item_line("ITM-100", 3), item_line("ITM-400", 1)]);
    let created = muller.sales_invoices().create(create).await.expect("deep insert");
    seen.push(format!("created {:?} for {}", created.status, created.customer_number));
    let path = muller.sales_invoice(created.id);
    let lines = path.sales_invoice_lines().list().order_by(line::sequence()).collect().await.expect("lines");
    seen.push(format!(
        "lines {:?}",
        lines
            .iter()
            .map(|l| (l.sequence, l.line_object_number.clone(), l.quantity, l.document_id == Some(created.id)))
            .collect::<Vec<_>>()
    ));
    seen.push(format!("post: {:?}", path.post().await.map_err(|e| e.status())));
    seen.push(format!("then {:?}", path.get().await.expect("re-read").status));
    seen.push(format!("post again: {:?}", path.post().await.map_err(|e| e.status())));

    let items_only = invoice::sales_invoice_lines()
        .filter(line::line_type().eq(LineType::Item))
        .select((line::description(), line::quantity()))
        .order_by(line::sequence());
    let draft = cronus
        .sales_invoice(fixtures::DRAFT_INVOICE_ID)
        .get()
        .select((invoice::number(), invoice::status()))
        .expand(items_only)
        .await
        .expect("expanded");
    let expanded = draft.sales_invoice_lines.unwrap_or_default();
    seen.push(format!(
        "expanded {:?} {:?} {:?} selected only {}",
        draft.number,
        draft.status,
        expanded.iter().map(|l| l.description.clone()).collect::<Vec<_>>(),
        draft.total_amount_including_tax.is_none() && expanded.iter().all(|l| l.unit_price.is_none())
    ));
    let drafts = cronus
        .sales_invoices()
        .list()
        .filter(invoice::status().eq(Status::Draft))
        .expand(invoice::sales_invoice_lines().filter(line::line_type().eq(LineType::Comment)))
        .collect()
        .await
        .expect("expand on a list");
    let draft = drafts.iter().find(|i| i.id == fixtures::DRAFT_INVOICE_ID).expect("seeded draft");
    seen.push(format!(
        "comments {:?}",
        draft.sales_invoice_lines.as_ref().map(|l| l.iter().map(|c| c.description.clone()).collect::<Vec<_>>())
    ));
    seen
}

#[tokio::test]
async fn sales_invoice_scenarios_agree() {
    let seen = same_on_both!(invoices);
    assert!(seen.contains(&"post again: Err(Some(400))".to_owned()), "{seen:?}");
}

async fn batch(api: &v2_0::Api) -> Vec<String> {
    let existing = api
        .company(MULLER_ID)
        .customer_payment_journals()
        .create(journal::CustomerPaymentJournalCreate::new("PAR-B1"))
        .await
        .expect("journal");
    let mut batch = api.batch();
    let list = batch.add(api.company(CRONUS_ID).customers().list().filter(customer::city().eq("Dublin")).request());
    let missing = batch.add(api.company(CRONUS_ID).customer(Uuid::from_u128(7)).get().request());
    let one = batch.add(api.company(MULLER_ID).customer(muller_customers::KIRCHNER.0).get().request());
    let created = batch.add(
        api.company(MULLER_ID)
            .customer_payment_journals()
            .create(journal::CustomerPaymentJournalCreate::new("PAR-B2").display_name("Created in a batch")),
    );
    let updated = batch.add(
        api.company(MULLER_ID)
            .customer_payment_journal(existing.id)
            .update(&existing, journal::CustomerPaymentJournalUpdate::new().display_name("Updated in a batch")),
    );
    let count = batch.add(api.company(CRONUS_ID).customers().count());
    let mut results = batch.await.expect("batch");
    vec![
        format!(
            "list {:?}",
            results
                .take(list)
                .map(|p| p.items.iter().map(|c| c.display_name.clone()).collect::<Vec<_>>())
                .map_err(|e| e.status())
        ),
        format!("missing {:?}", results.take(missing).map(drop).map_err(|e| e.status())),
        format!("one {:?}", results.take(one).map(|c| c.display_name).map_err(|e| e.status())),
        format!("created {:?}", results.take(created).map(|j| (j.code, j.display_name)).map_err(|e| e.status())),
        format!("updated {:?}", results.take(updated).map(|j| j.display_name).map_err(|e| e.status())),
        format!("count {:?}", results.take(count).map_err(|e| e.status())),
    ]
}

#[tokio::test]
async fn batch_scenario_agrees() {
    let seen = same_on_both!(batch);
    assert_eq!(seen[1], "missing Err(Some(404))");
}
