//! The Business Central glue on the wire: environments and their URLs,
//! limits and tenant parameter, Entra credentials with Business Central's
//! scope, the read-replica switch, a default company, and errors read in
//! Business Central's dialect.

mod support;

use business_central_sdk::api::v2_0::{self, sales_invoice_line};
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{
    BoxFuture, ETag, Error, Headers, HttpRequest, HttpResponse, Transport, TransportError,
};
use business_central_sdk::{Client, ClientBuilderExt, ClientCredentials, CompanyRef, Environment, default_company};
use serde_json::json;
use support::builder;
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const COMPANY_ID: Uuid = Uuid::from_u128(0x11111111_1111_1111_1111_111111111111);

/// Answers every request with a JSON object naming the URL it saw.
struct EchoUrl;

impl Transport for EchoUrl {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let body = json!({"value": [], "seen": request.url}).to_string();
        Box::pin(async move { Ok(HttpResponse { status: 200, headers: Headers::new(), body: body.into() }) })
    }
}

#[test]
fn online_environments_address_the_tenant_and_environment() {
    let client = Client::builder(Environment::online("contoso.com", "my sandbox")).transport(EchoUrl).build().unwrap();
    let companies = v2_0::Api::new(&client).companies();

    assert_eq!(
        companies.url(),
        "https://api.businesscentral.dynamics.com/v2.0/contoso.com/my%20sandbox/api/v2.0/companies"
    );
    assert_eq!(client.page_size_limit(), Some(20_000));
    assert_eq!(client.max_batch_operations(), Some(100));
}

#[tokio::test]
async fn on_premises_requests_carry_the_tenant_parameter_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/BC/api/v2.0/companies"))
        .and(query_param("tenant", "default"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .expect(1)
        .mount(&server)
        .await;
    let environment = Environment::on_premises(format!("{}/BC", server.uri()), Some("default".to_owned()));
    let client = Client::builder(environment).build().unwrap();

    v2_0::Api::new(&client).companies().list().collect().await.unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    let tenants = request.url.query_pairs().filter(|(key, _)| key == "tenant").count();
    assert_eq!(tenants, 1, "{}", request.url);
}

#[tokio::test]
async fn client_credentials_ask_entra_for_the_business_central_scope() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contoso.com/oauth2/v2.0/token"))
        .and(body_string_contains("scope=https%3A%2F%2Fapi.businesscentral.dynamics.com%2F.default"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "bc-token"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/companies"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .expect(1)
        .mount(&server)
        .await;
    let credentials = ClientCredentials::new("contoso.com", "app-id", "s3cret").authority(server.uri());
    let client = builder(&server).credentials(credentials).build().unwrap();

    v2_0::Api::new(&client).companies().list().collect().await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[1].headers.get("Authorization").map(|v| v.to_str().unwrap()), Some("Bearer bc-token"));
}

#[tokio::test]
async fn a_stale_etag_is_reported_as_business_central_reports_it() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"error": {
            "code": "Request_EntityChanged",
            "message": "Another user has already changed the record.  CorrelationId:  1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2.",
        }})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = v2_0::Api::new(&client)
        .company(COMPANY_ID)
        .sales_invoice_line(Uuid::from_u128(2))
        .update(&ETag::new("W/\"1\""), sales_invoice_line::SalesInvoiceLineUpdate::new().quantity(5))
        .await
        .unwrap_err();

    assert!(matches!(error, Error::StaleEtag(_)), "{error:?}");
    assert_eq!(error.correlation_id(), Some("1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2"));
    assert_eq!(error.service_error().map(|e| e.message.as_str()), Some("Another user has already changed the record."));
}

#[tokio::test]
async fn read_only_intent_goes_on_reads_and_a_write_is_read_back_from_the_primary() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(204)).expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@odata.etag": "W/\"2\"", "id": "dddddddd-0000-0000-0000-000000000001", "quantity": 5,
        })))
        .mount(&server)
        .await;
    let client = builder(&server).read_only_intent(true).build().unwrap();
    let company = v2_0::Api::new(&client).company(COMPANY_ID);

    company.sales_invoice_line(Uuid::from_u128(2)).get().await.unwrap();
    let line = company
        .sales_invoice_line(Uuid::from_u128(2))
        .update(&ETag::new("W/\"1\""), sales_invoice_line::SalesInvoiceLineUpdate::new().quantity(5))
        .await
        .unwrap();

    assert_eq!(line.etag.as_ref().map(|e| e.as_str()), Some("W/\"2\""));
    let intents: Vec<(String, Option<String>)> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let intent = r.headers.get("Data-Access-Intent").map(|v| v.to_str().unwrap().to_owned());
            (r.method.to_string(), intent)
        })
        .collect();
    assert_eq!(
        intents,
        [
            ("GET".to_owned(), Some("ReadOnly".to_owned())),
            ("PATCH".to_owned(), None),
            ("GET".to_owned(), Some("ReadWrite".to_owned())),
        ]
    );
}

#[test]
fn the_default_company_is_addressed_by_name_or_id() {
    let by_name = Client::builder(Environment::custom("http://127.0.0.1:9"))
        .default_company_name("Müller & O'Neil #2+")
        .build()
        .unwrap();
    assert_eq!(default_company(&by_name), Some(&CompanyRef::Name("Müller & O'Neil #2+".to_owned())));
    let company = v2_0::Api::new(&by_name).default_company().unwrap();
    assert!(
        company.url().ends_with("/api/v2.0/companies(name='M%C3%BCller%20%26%20O''Neil%20%232%2B')"),
        "{}",
        company.url()
    );
    let by_id =
        Client::builder(Environment::custom("http://127.0.0.1:9")).default_company_id(COMPANY_ID).build().unwrap();
    let company = v2_0::Api::new(&by_id).default_company().unwrap();
    assert!(company.url().ends_with("/companies(11111111-1111-1111-1111-111111111111)"));
    let none = Client::builder(Environment::custom("http://127.0.0.1:9")).build().unwrap();
    assert!(matches!(v2_0::Api::new(&none).default_company(), Err(Error::InvalidRequest(_))));
}
