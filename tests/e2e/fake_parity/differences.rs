//! Where the fake and the peer answer differently, observed on both and
//! checked to be exactly the known difference. Each one is either Business
//! Central behaviour the peer (a generic OData server) lacks, or a choice of
//! the fake; none is a place where the fake strays from Business Central.

use business_central_sdk::api::v2_0::{self, customer, customer_payment_journal as journal, sales_invoice as invoice};
use business_central_sdk::runtime::{Error, Headers, HttpRequest, HttpResponse, Method, OperationKind};
use sdk_tests::fixtures::{CRONUS_ID, MULLER_ID, muller_customers};
use sdk_tests::{PeerConfig, PeerServer};

use super::both;

async fn raw(
    api: &v2_0::Api,
    method: Method,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<HttpResponse, Error> {
    let mut all = Headers::new();
    all.set("Content-Type", "application/json");
    for (name, value) in headers {
        all.set(*name, *value);
    }
    let url = format!("{}{path}", api.raw().root());
    let request = HttpRequest { method, url, headers: all, body: body.map(|b| b.to_owned().into_bytes().into()) };
    api.raw().execute(request, OperationKind::Update).await
}

fn status(result: &Result<HttpResponse, Error>) -> Option<u16> {
    match result {
        Ok(response) => Some(response.status),
        Err(error) => error.status(),
    }
}

#[tokio::test]
async fn etags_are_counters_on_the_peer_and_opaque_in_the_fake() {
    let [(_, peer), (_, fake)] = both();
    let etag = |c: customer::Customer| c.etag.map(|e| e.as_str().to_owned()).unwrap_or_default();
    let on_peer = etag(peer.company(CRONUS_ID).customers().list().top(1).collect().await.expect("peer").remove(0));
    let on_fake = etag(fake.company(CRONUS_ID).customers().list().top(1).collect().await.expect("fake").remove(0));
    assert!(
        on_peer.starts_with("W/\"") && on_peer[3..on_peer.len() - 1].bytes().all(|b| b.is_ascii_digit()),
        "{on_peer}"
    );
    assert!(on_fake.starts_with("W/\"Jz") && on_fake.ends_with("=\""), "Business Central's shape: {on_fake}");
}

#[tokio::test]
async fn business_central_completes_a_create_where_the_peer_leaves_nulls() {
    let [(_, peer), (_, fake)] = both();
    let create = || journal::CustomerPaymentJournalCreate::new("DIFF-J1");
    let on_peer = peer.company(MULLER_ID).customer_payment_journals().create(create()).await.expect("peer");
    let on_fake = fake.company(MULLER_ID).customer_payment_journals().create(create()).await.expect("fake");
    assert_eq!(on_peer.balancing_account_number, None);
    assert_eq!(on_fake.balancing_account_number.as_deref(), Some(""), "a blank, as Business Central sends");
    // Both stamp every write (the peer does since incremental sync is tested against it).
    assert!(on_peer.last_modified_date_time.is_some() && on_fake.last_modified_date_time.is_some());

    // Document numbers: the peer counts documents, the fake continues the company's number series.
    let draft = || invoice::SalesInvoiceCreate::new(muller_customers::KIRCHNER.1);
    let on_peer = peer.company(MULLER_ID).sales_invoices().create(draft()).await.expect("peer");
    let on_fake = fake.company(MULLER_ID).sales_invoices().create(draft()).await.expect("fake");
    assert!(on_peer.number.as_deref().is_some_and(|n| n.starts_with("S-INV-2")), "{:?}", on_peer.number);
    assert!(
        on_fake.number.as_deref().is_some_and(|n| n.starts_with("S-INV-50")),
        "after S-INV-5001: {:?}",
        on_fake.number
    );
    assert_eq!(on_peer.customer_name, None);
    assert_eq!(on_fake.customer_name.as_deref(), Some(muller_customers::KIRCHNER.2), "copied from the customer");
}

#[tokio::test]
async fn the_fake_validates_references_the_peer_does_not() {
    let [(_, peer), (_, fake)] = both();
    let unknown_customer = || invoice::SalesInvoiceCreate::new("99999");
    let on_peer = peer.company(MULLER_ID).sales_invoices().create(unknown_customer()).await;
    let on_fake = fake.company(MULLER_ID).sales_invoices().create(unknown_customer()).await;
    assert!(on_peer.is_ok(), "the peer does not look customers up");
    assert_eq!(on_fake.expect_err("Business Central refuses an unknown customer").status(), Some(400));
}

#[tokio::test]
async fn writes_to_read_only_sets() {
    // The peer accepts the write, so it gets a server of its own: the
    // shared one must keep the seeded ledger the other tests compare.
    let own_peer = PeerServer::start(PeerConfig::api_v2()).expect("a peer of its own");
    let peer = v2_0::Api::new(&own_peer.client());
    let [_, (_, fake)] = both();
    let path = format!("companies({CRONUS_ID})/generalLedgerEntries");
    let body = r#"{"entryNumber": 9999, "description": "not allowed"}"#;
    let on_peer = raw(&peer, Method::Post, &path, Some(body), &[]).await;
    let on_fake = raw(&fake, Method::Post, &path, Some(body), &[]).await;
    assert_eq!(status(&on_fake), Some(405));
    assert_eq!(on_fake.expect_err("405").code(), Some("BadRequest_MethodNotAllowed"));
    // odatapy ignores `Capabilities.InsertRestrictions`.
    assert_eq!(status(&on_peer), Some(201), "{on_peer:?}");
}

#[tokio::test]
async fn plain_string_enum_literals() {
    let [(_, peer), (_, fake)] = both();
    let path = format!("companies({CRONUS_ID})/customers?$filter=blocked%20eq%20%27Ship%27");
    // Business Central's spelling: the peer refuses it, the fake takes both spellings.
    assert_eq!(status(&raw(&peer, Method::Get, &path, None, &[]).await), Some(400));
    assert_eq!(status(&raw(&fake, Method::Get, &path, None, &[]).await), Some(200));
}

#[tokio::test]
async fn error_codes_and_locations() {
    let [(_, peer), (_, fake)] = both();
    let missing = format!("companies({CRONUS_ID})/customers(00000000-0000-0000-0000-000000000042)");
    let on_peer = raw(&peer, Method::Get, &missing, None, &[]).await.expect_err("404");
    let on_fake = raw(&fake, Method::Get, &missing, None, &[]).await.expect_err("404");
    assert_eq!((on_peer.status(), on_fake.status()), (Some(404), Some(404)));
    assert_ne!(on_peer.code(), on_fake.code(), "each server has its own code");
    // The strict profile splits no correlation id off; the text is still there.
    let message = |e: &Error| e.service_error().map(|s| s.message.clone()).unwrap_or_default();
    assert!(message(&on_fake).contains("CorrelationId:"), "Business Central appends a correlation id");
    assert!(!message(&on_peer).contains("CorrelationId:"));

    let path = format!("companies({MULLER_ID})/customerPaymentJournals");
    let body = r#"{"code": "DIFF-L1"}"#;
    let location = |r: Result<HttpResponse, Error>| {
        r.expect("created").headers.get("Location").map(str::to_owned).unwrap_or_default()
    };
    let on_peer = location(raw(&peer, Method::Post, &path, Some(body), &[]).await);
    let on_fake = location(raw(&fake, Method::Post, &path, Some(body), &[]).await);
    assert!(on_peer.contains("/api/v2.0/customerPaymentJournals("), "the peer names the top-level set: {on_peer}");
    assert!(on_fake.contains(&format!("/api/v2.0/{path}(")), "the fake names the contained path: {on_fake}");
}
