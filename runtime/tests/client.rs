//! Client behaviour around every request: default headers, read-only
//! intent, the on-premises tenant parameter, middleware, custom transports
//! and timeouts.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use odata_v4_runtime::{
    Api, BoxFuture, Client, Error, Headers, HttpRequest, HttpResponse, Method, Middleware, Next, OperationKind,
    ServiceProfile, Transport, TransportError,
};
use serde_json::json;
use support::{api, builder, get, json_request, no_content_request, request_count};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn default_headers_are_added_without_overriding_the_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/companies"))
        .and(header("Accept", "application/json;odata.metadata=minimal"))
        .and(header("OData-MaxVersion", "4.0"))
        .and(header("OData-Version", "4.0"))
        .and(header("Accept-Language", "da-DK"))
        .and(header("X-Team", "finance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).accept_language("da-DK").header("X-Team", "finance").build().unwrap();

    get::<serde_json::Value>(&api(&client), "companies")
        .header("Accept", "application/json;odata.metadata=minimal")
        .await
        .unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    let user_agent = request.headers.get("User-Agent").unwrap().to_str().unwrap();
    assert!(user_agent.starts_with("odata-v4-runtime/"), "{user_agent}");
    assert_eq!(request.headers.get_all("Accept").iter().count(), 1, "the request's Accept must not be duplicated");
    assert!(request.headers.get("Authorization").is_none(), "no credentials, no Authorization");
}

#[tokio::test]
async fn read_headers_go_on_reads_only() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2.0/companies"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .mount(&server)
        .await;
    let with_intent = builder(&server).read_header("Data-Access-Intent", "ReadOnly").build().unwrap();
    let without_intent = builder(&server).build().unwrap();
    let api_with = api(&with_intent);
    let api_without = api(&without_intent);

    get::<serde_json::Value>(&api_with, "companies").await.unwrap();
    json_request::<serde_json::Value>(&api_with, Method::Post, "companies", "", OperationKind::Create)
        .with_body("application/json", r#"{"name":"x"}"#)
        .await
        .unwrap();
    no_content_request(&api_with, Method::Patch, "companies", OperationKind::Update).await.unwrap();
    no_content_request(&api_with, Method::Delete, "companies", OperationKind::Delete).await.unwrap();
    no_content_request(&api_with, Method::Post, "companies", OperationKind::Action).await.unwrap();
    get::<serde_json::Value>(&api_without, "companies").await.unwrap();

    let requests = server.received_requests().await.unwrap();
    let intents: Vec<(String, Option<String>)> = requests
        .iter()
        .map(|r| {
            let intent = r.headers.get("Data-Access-Intent").map(|v| v.to_str().unwrap().to_owned());
            (r.method.to_string(), intent)
        })
        .collect();
    assert_eq!(
        intents,
        vec![
            ("GET".to_owned(), Some("ReadOnly".to_owned())),
            ("POST".to_owned(), None),
            ("PATCH".to_owned(), None),
            ("DELETE".to_owned(), None),
            ("POST".to_owned(), None),
            ("GET".to_owned(), None),
        ]
    );
}

#[tokio::test]
async fn client_query_parameters_go_on_every_request_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/BC/api/v2.0/companies"))
        .and(query_param("tenant", "default"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .expect(2)
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/BC", server.uri())).query_parameter("tenant", "default").build().unwrap();
    let api = Api::new(&client, "api/v2.0", ServiceProfile::strict_odata());
    assert_eq!(api.root(), format!("{}/BC/api/v2.0/", server.uri()));

    get::<serde_json::Value>(&api, "companies").await.unwrap();
    json_request::<serde_json::Value>(&api, Method::Get, "companies", "tenant=default", OperationKind::Read)
        .await
        .unwrap();

    for request in server.received_requests().await.unwrap() {
        let tenants = request.url.query_pairs().filter(|(key, _)| key == "tenant").count();
        assert_eq!(tenants, 1, "{}", request.url);
    }
}

/// Counts attempts and stamps each with a header.
struct CountingMiddleware(Arc<AtomicUsize>);

impl Middleware for CountingMiddleware {
    fn handle<'a>(
        &'a self,
        mut request: HttpRequest,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let attempt = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            request.headers.set("X-Attempt", attempt.to_string());
            let mut response = next.run(request).await?;
            response.headers.set("X-Seen-By-Middleware", "yes");
            Ok(response)
        })
    }
}

#[tokio::test]
async fn middleware_wraps_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(header("X-Attempt", "1")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    Mock::given(header("X-Attempt", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .mount(&server)
        .await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let client = builder(&server).middleware(CountingMiddleware(attempts.clone())).build().unwrap();

    let response = client
        .execute(
            HttpRequest {
                method: Method::Get,
                url: api(&client).url("companies", ""),
                headers: Headers::new(),
                body: None,
            },
            OperationKind::Read,
        )
        .await
        .unwrap();

    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(response.headers.get("X-Seen-By-Middleware"), Some("yes"));
}

/// Answers every request itself: no network at all.
struct CannedTransport;

impl Transport for CannedTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let body = format!(r#"{{"value":[],"seen":"{}"}}"#, request.url);
        Box::pin(async move { Ok(HttpResponse { status: 200, headers: Headers::new(), body: body.into() }) })
    }
}

#[tokio::test]
async fn a_custom_transport_replaces_the_http_stack() {
    let client = Client::builder("https://services.example/tenant/").transport(CannedTransport).build().unwrap();

    let body: serde_json::Value = get(&api(&client), "companies").await.unwrap();

    assert_eq!(body["seen"], "https://services.example/tenant/api/v2.0/companies");
}

#[tokio::test]
async fn the_client_timeout_is_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = builder(&server).timeout(Duration::from_millis(200)).build().unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    assert!(matches!(error, Error::Timeout { service: None, transport: Some(_) }), "{error:?}");
    assert_eq!(request_count(&server).await, 4, "a read is repeated after a timeout, up to the attempt limit");

    let error = no_content_request(&api(&client), Method::Patch, "companies(1)/items(2)", OperationKind::Update)
        .header("If-Match", "*")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { transport: Some(_), .. }), "{error:?}");
    assert_eq!(request_count(&server).await, 5, "a write that timed out may have been applied: it is not repeated");
}

#[tokio::test]
async fn the_read_after_a_204_update_uses_the_profiles_read_your_writes_header() {
    use odata_v4_runtime::{ETag, uuid::Uuid};
    use support::model::{CurrencyUpdate, currencies};

    let server = MockServer::start().await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(204)).expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"@odata.etag": "W/\"2\"", "id": "dddddddd-0000-0000-0000-000000000001", "code": "EUR"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    // A read header that asks for a replica: the read-back must override it.
    let client = builder(&server).read_header("Data-Access-Intent", "ReadOnly").build().unwrap();
    let profile = ServiceProfile::strict_odata().with_read_your_writes_header("Data-Access-Intent", "ReadWrite");
    let api = Api::new(&client, "api/v2.0", profile);
    let currency = currencies(&api, Uuid::from_u128(1))
        .key_path(&Uuid::from_u128(2))
        .update(&ETag::new("W/\"1\""), CurrencyUpdate::default().code("EUR"))
        .await
        .unwrap();

    assert_eq!(currency.etag.as_ref().map(|e| e.as_str()), Some("W/\"2\""));
    let requests = server.received_requests().await.unwrap();
    let reread = requests.iter().find(|r| r.method.as_str() == "GET").expect("the update was read back");
    assert_eq!(reread.headers.get("Data-Access-Intent").map(|v| v.to_str().unwrap()), Some("ReadWrite"));
}

#[tokio::test]
async fn credentials_go_only_to_the_base_origin() {
    use odata_v4_runtime::StaticToken;

    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    for target in [&server, &elsewhere] {
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
            .expect(1)
            .mount(target)
            .await;
    }
    let client = builder(&server).credentials(StaticToken::new("t0ken")).build().unwrap();
    let get_url = |url: String| {
        client
            .execute(HttpRequest { method: Method::Get, url, headers: Headers::new(), body: None }, OperationKind::Read)
    };

    get_url(format!("{}/api/v2.0/companies", server.uri())).await.unwrap();
    get_url(format!("{}/api/v2.0/companies", elsewhere.uri())).await.unwrap();

    let own = &server.received_requests().await.unwrap()[0];
    assert_eq!(own.headers.get("Authorization").map(|v| v.to_str().unwrap()), Some("Bearer t0ken"));
    let foreign = &elsewhere.received_requests().await.unwrap()[0];
    assert!(foreign.headers.get("Authorization").is_none(), "another port is another origin: no credentials");
}

#[tokio::test]
async fn configuration_mistakes_are_reported_at_build_time() {
    let invalid_header = Client::builder("http://127.0.0.1:9").header("Bad Header", "x").build();
    assert!(matches!(invalid_header, Err(Error::InvalidRequest(_))));
    let invalid_read_header =
        Client::builder("http://127.0.0.1:9").read_header("Data-Access-Intent", "Read\nOnly").build();
    assert!(matches!(invalid_read_header, Err(Error::InvalidRequest(_))));
    let invalid_url = Client::builder("127.0.0.1:9").build();
    assert!(matches!(invalid_url, Err(Error::InvalidRequest(_))));
    let page_size = Client::builder("http://127.0.0.1:9").page_size_limit(20_000).max_page_size(20_001).build();
    assert!(matches!(page_size, Err(Error::InvalidRequest(_))));
}
