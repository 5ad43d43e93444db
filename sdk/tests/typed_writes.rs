//! Writes through the generated API: every PATCH and DELETE carries If-Match
//! with the entity's ETag byte for byte (`*` only through the explicit
//! `_unconditionally` calls), a missing ETag stops the request before it is
//! sent, a 204 answer to an update is followed by a read, and stream
//! content is downloaded and uploaded as raw bytes.

mod support;

use business_central_sdk::api::v2_0::{self, customer, picture, sales_invoice_line};
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{Client, Error, ServiceProfile};
use serde_json::json;
use support::builder;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const COMPANY: &str = "/api/v2.0/companies(11111111-1111-1111-1111-111111111111)";
const CUSTOMER_ID: &str = "aaaaaaaa-0000-0000-0000-000000000001";
/// An opaque BC ETag with characters that must not be re-encoded.
const ETAG: &str = "W/\"JzE5OzY3NDQ3OTQ1NzU5MTI1NzUxNjAxOzAwOyc=\"";

fn api(client: &Client) -> v2_0::Api {
    v2_0::Api::new(client)
}

fn company(api: &v2_0::Api) -> v2_0::company::CompanyPath {
    api.company(Uuid::parse_str("11111111-1111-1111-1111-111111111111").expect("uuid"))
}

fn customer_json(name: &str, etag: &str) -> serde_json::Value {
    json!({"@odata.etag": etag, "id": CUSTOMER_ID, "displayName": name, "blocked": "_x0020_"})
}

async fn read_customer(server: &MockServer, client: &Client) -> customer::Customer {
    Mock::given(method("GET"))
        .and(path(format!("{COMPANY}/customers({CUSTOMER_ID})")))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer_json("Adatum", ETAG)))
        .up_to_n_times(1)
        .mount(server)
        .await;
    company(&api(client)).customer(Uuid::parse_str(CUSTOMER_ID).expect("uuid")).get().await.expect("customer read")
}

#[tokio::test]
async fn updates_and_deletes_send_the_entity_etag_byte_for_byte() {
    let server = MockServer::start().await;
    let client = builder(&server).build().expect("client");
    let current = read_customer(&server, &client).await;
    let target = company(&api(&client)).customer(current.id);

    Mock::given(method("PATCH"))
        .and(path(format!("{COMPANY}/customers({CUSTOMER_ID})")))
        .and(header("If-Match", ETAG))
        .and(body_string(r#"{"displayName":"Adatum Corporation"}"#))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer_json("Adatum Corporation", "W/\"2\"")))
        .expect(1)
        .mount(&server)
        .await;
    let updated = target
        .update(&current, customer::CustomerUpdate::new().display_name("Adatum Corporation"))
        .await
        .expect("update");
    assert_eq!(updated.display_name, "Adatum Corporation");

    Mock::given(method("DELETE"))
        .and(path(format!("{COMPANY}/customers({CUSTOMER_ID})")))
        .and(header("If-Match", "W/\"2\""))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    target.delete(&updated).await.expect("delete");

    for request in server.received_requests().await.expect("recorded") {
        if request.method.as_str() == "PATCH" || request.method.as_str() == "DELETE" {
            assert!(request.headers.get("If-Match").is_some(), "{} without If-Match", request.method);
        }
    }
}

#[tokio::test]
async fn star_is_sent_only_by_the_explicit_calls() {
    let server = MockServer::start().await;
    let client = builder(&server).build().expect("client");
    let target = company(&api(&client)).customer(Uuid::parse_str(CUSTOMER_ID).expect("uuid"));
    Mock::given(method("PATCH"))
        .and(header("If-Match", "*"))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer_json("Forced", "W/\"3\"")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(header("If-Match", "*"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    target.update_unconditionally(customer::CustomerUpdate::new().display_name("Forced")).await.expect("forced update");
    target.delete_unconditionally().await.expect("forced delete");
}

#[tokio::test]
async fn an_entity_without_etag_is_not_written() {
    let server = MockServer::start().await;
    let client = builder(&server).build().expect("client");
    // Read with odata.metadata=none, say: no @odata.etag.
    let without: customer::Customer =
        serde_json::from_value(json!({"id": CUSTOMER_ID, "displayName": "Adatum"})).expect("decodes");
    let target = company(&api(&client)).customer(without.id);
    let error = target.update(&without, customer::CustomerUpdate::new().display_name("x")).await.expect_err("refused");
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    let error = target.delete(&without).await.expect_err("refused");
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(server.received_requests().await.expect("recorded").is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_204_update_is_followed_by_a_read() {
    let server = MockServer::start().await;
    let client = builder(&server).profile(ServiceProfile::strict_odata()).build().expect("client");
    let line_id = "dddddddd-0000-0000-0000-000000000001";
    let line_path = format!("{COMPANY}/salesInvoiceLines({line_id})");
    Mock::given(method("PATCH"))
        .and(path(line_path.clone()))
        .and(header("Prefer", "return=representation"))
        .and(header("If-Match", "W/\"1\""))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(line_path))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"@odata.etag": "W/\"2\"", "id": line_id, "quantity": 5})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let id = Uuid::parse_str(line_id).expect("uuid");
    let etag = business_central_sdk::runtime::ETag::new("W/\"1\"");
    let changes = sales_invoice_line::SalesInvoiceLineUpdate::new().quantity(5);
    let line = company(&api(&client)).sales_invoice_line(id).update(&etag, changes).await.expect("update");
    assert_eq!(line.quantity.map(|q| q.to_string()).as_deref(), Some("5"));
    assert_eq!(line.etag.as_ref().map(|e| e.as_str()), Some("W/\"2\""));
}

#[tokio::test]
async fn stream_content_is_downloaded_and_uploaded_as_bytes() {
    let server = MockServer::start().await;
    let item = "eeeeeeee-0000-0000-0000-000000000001";
    let content_path = format!("{COMPANY}/items({item})/picture/pictureContent");
    let png: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff];
    Mock::given(method("GET"))
        .and(path(content_path.clone()))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(png.to_vec()).insert_header("Content-Type", "image/png"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(content_path.clone()))
        .and(header("If-Match", "W/\"4\""))
        .and(header("Content-Type", "image/png"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let picture_path = company(&api(&client)).item(Uuid::parse_str(item).expect("uuid")).picture();
    let content = picture_path.picture_content();
    let download = content.download().await.expect("download");
    assert_eq!(download.content_type(), Some("image/png"));
    assert_eq!(download.bytes().await.expect("the whole picture").as_ref(), png);

    let current: picture::Picture =
        serde_json::from_value(json!({"@odata.etag": "W/\"4\"", "id": item})).expect("picture entity decodes");
    content.upload(&current, "image/png", png.to_vec()).await.expect("upload");
    let uploads: Vec<_> = server
        .received_requests()
        .await
        .expect("recorded")
        .into_iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .collect();
    assert_eq!(uploads[0].body, png, "raw bytes, not JSON");
}
