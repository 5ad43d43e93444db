//! No secret in any `Debug` a middleware or a log can see, and credentials
//! that do not leave the places they belong to: findings 1 and 9 of the
//! hardening review.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use odata_v4_runtime::{
    Basic, BoxFuture, Client, ClientCredentials, Error, HttpRequest, HttpResponse, Middleware, Next, StaticToken,
    TransportError,
};
use serde_json::json;
use support::{api, builder, get};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "client-secret-2b7e1516";
const ACCESS_TOKEN: &str = "access-token-28aed2a6";
const COOKIE: &str = "session-cookie-abf71588";
const TOKEN_PATH: &str = "/tenant-1/oauth2/v2.0/token";

/// Formats everything it sees with `{:?}`, as a logging middleware would.
#[derive(Clone, Default)]
struct DebugLog(Arc<Mutex<Vec<String>>>);

impl DebugLog {
    fn text(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }
}

impl Middleware for DebugLog {
    fn handle<'a>(
        &'a self,
        request: HttpRequest,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        self.0.lock().unwrap().push(format!("{request:?} {:?} {:?}", request.headers, request.body));
        Box::pin(async move {
            let result = next.run(request).await;
            self.0.lock().unwrap().push(format!("{result:?}"));
            if let Ok(response) = &result {
                self.0.lock().unwrap().push(format!("{:?} {:?}", response.headers, response.body));
            }
            result
        })
    }
}

fn entra(server: &MockServer) -> ClientCredentials {
    ClientCredentials::microsoft_entra("tenant-1", "app-id", CLIENT_SECRET)
        .authority(server.uri())
        .scope("https://service.example/.default")
}

/// Finding 1: a logging middleware saw the `Authorization` header, the
/// token request's `client_secret=…` form and the token answer.
#[tokio::test]
async fn nothing_a_middleware_can_print_shows_a_secret() {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "Bearer", "expires_in": 3600, "access_token": ACCESS_TOKEN,
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/companies"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Set-Cookie", format!("session={COOKIE}; HttpOnly"))
                .set_body_json(json!({"value": []})),
        )
        .mount(&server)
        .await;
    let log = DebugLog::default();
    let client = builder(&server).credentials(entra(&server)).middleware(log.clone()).build().unwrap();

    get::<serde_json::Value>(&api(&client), "companies").await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert!(String::from_utf8_lossy(&requests[0].body).contains(CLIENT_SECRET), "the secret did go on the wire");
    assert!(requests[1].headers.get("authorization").is_some_and(|v| v.to_str().unwrap().contains(ACCESS_TOKEN)));
    let printed = format!("{}\n{client:?}\n{:?}", log.text(), entra(&server));
    assert!(printed.contains(r#""Authorization": ***"#), "the header is shown, its value hidden: {printed}");
    assert!(printed.contains(TOKEN_PATH), "the token request was seen: {printed}");
    for secret in [CLIENT_SECRET, ACCESS_TOKEN, COOKIE] {
        assert!(!printed.contains(secret), "{secret} printed:\n{printed}");
    }
}

/// Finding 9: Basic credentials went over plain http to any host.
#[test]
fn credentials_over_plain_http_go_only_to_loopback_unless_allowed() {
    for base in ["http://bc.example.com:7048/BC/", "http://10.1.2.3/"] {
        let refused = Client::builder(base).credentials(Basic::new("user", "password")).build();
        assert!(
            matches!(&refused, Err(Error::InvalidRequest(reason)) if reason.contains("allow_credentials_over_http")),
            "{base}: {refused:?}"
        );
        let token = Client::builder(base).credentials(StaticToken::new("t")).build();
        assert!(token.is_err(), "{base}: a bearer token is as readable");
        let allowed =
            Client::builder(base).credentials(Basic::new("user", "password")).allow_credentials_over_http(true).build();
        assert!(allowed.is_ok(), "{base}");
        assert!(Client::builder(base).build().is_ok(), "{base}: no credentials, nothing to protect");
    }
    for base in ["https://bc.example.com/BC/", "http://127.0.0.1:7048/BC/", "http://localhost/", "http://[::1]:80/"] {
        let built = Client::builder(base).credentials(Basic::new("user", "password")).build();
        assert!(built.is_ok(), "{base}: {built:?}");
    }
}

/// Finding F3 of issue 21: a user name and key in the base URL bypassed the
/// plain-http guard (reqwest sent them as `Authorization: Basic` itself).
#[test]
fn user_info_in_the_base_url_counts_as_credentials() {
    let base = "http://user:k%40y@bc.example.com:7048/BC/";
    let refused = Client::builder(base).build();
    assert!(
        matches!(&refused, Err(Error::InvalidRequest(reason)) if reason.contains("allow_credentials_over_http")),
        "{refused:?}"
    );
    assert!(!format!("{refused:?}").contains("k%40y"), "{refused:?}");
    let allowed = Client::builder(base).allow_credentials_over_http(true).build().unwrap();
    assert_eq!(allowed.base_url(), "http://bc.example.com:7048/BC/");
    assert!(!format!("{allowed:?}").contains("k%40y"));
    let both = Client::builder("https://user:key@bc.example.com/BC/").credentials(StaticToken::new("t")).build();
    assert!(matches!(&both, Err(Error::InvalidRequest(reason)) if reason.contains("give one")), "{both:?}");
}

/// Finding F3: user info on a loopback base URL is sent as Basic
/// credentials to the base URL's origin, and to nowhere else.
#[tokio::test]
async fn user_info_in_the_base_url_goes_only_to_its_origin() {
    let (server, elsewhere) = (MockServer::start().await, MockServer::start().await);
    let next = format!("{}/api/v2.0/entries?$skiptoken=1", server.uri());
    Mock::given(path("/api/v2.0/entries"))
        .and(wiremock::matchers::query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [1], "@odata.nextLink": next})))
        .mount(&server)
        .await;
    Mock::given(path("/api/v2.0/entries"))
        .and(wiremock::matchers::query_param("$skiptoken", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [2]})))
        .mount(&server)
        .await;
    let base = server.uri().replace("http://", "http://us%20er:k%40y@");
    let client = Client::builder(base.as_str()).build().unwrap();
    let api = api(&client);

    let rows = odata_v4_runtime::ItemStream::new(get::<odata_v4_runtime::Page<u32>>(&api, "entries"), None)
        .collect_all()
        .await
        .unwrap();
    let foreign = format!("{}/api/v2.0/entries", elsewhere.uri());
    let request = odata_v4_runtime::Request::new(
        api.clone(),
        odata_v4_runtime::Method::Get,
        odata_v4_runtime::Target::Absolute(foreign),
        odata_v4_runtime::OperationKind::Read,
        odata_v4_runtime::decode::no_content,
    );
    let _ = request.await;

    assert_eq!(rows, [1, 2], "the next link, on the origin without user info, is followed");
    let expected = format!("Basic {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "us er:k@y"));
    for seen in server.received_requests().await.unwrap() {
        assert_eq!(seen.headers.get("Authorization").map(|v| v.to_str().unwrap()), Some(expected.as_str()));
    }
    let abroad = elsewhere.received_requests().await.unwrap();
    assert_eq!(abroad.len(), 1);
    assert!(abroad[0].headers.get("Authorization").is_none(), "{:?}", abroad[0].headers);
}

/// Finding 9: a client secret is not posted in clear text either.
#[tokio::test]
async fn a_token_endpoint_on_plain_http_elsewhere_is_refused() {
    let server = MockServer::start().await;
    let credentials = ClientCredentials::new("http://login.example.com/oauth2/token", "app-id", CLIENT_SECRET);
    let client = builder(&server).credentials(credentials).build().unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    assert!(matches!(error, Error::Authentication(_)), "{error:?}");
    let chain = error_chain(&error);
    assert!(chain.contains("plain http"), "{chain}");
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

/// Finding 9: token requests used the 11-minute request timeout behind the
/// shared refresh lock; a hung token endpoint stalled every request.
#[tokio::test]
async fn a_hung_token_endpoint_fails_within_the_token_timeout() {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": ACCESS_TOKEN, "expires_in": 3600}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let client = builder(&server)
        .timeout(Duration::from_secs(60))
        .token_timeout(Duration::from_millis(300))
        .credentials(entra(&server))
        .build()
        .unwrap();

    let started = Instant::now();
    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(matches!(error, Error::Authentication(_)), "{error:?}");
    assert!(error_chain(&error).contains("token request timed out"), "{}", error_chain(&error));
}

/// Finding 9: a token living less than the refresh margin was fetched again
/// for every request.
#[tokio::test]
async fn a_short_lived_token_serves_more_than_one_request() {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": ACCESS_TOKEN, "expires_in": 120})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v2.0/companies"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .mount(&server)
        .await;
    let client = builder(&server).credentials(entra(&server)).build().unwrap();

    for _ in 0..5 {
        get::<serde_json::Value>(&api(&client), "companies").await.unwrap();
    }

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.iter().filter(|r| r.url.path() == TOKEN_PATH).count(), 1);
}

/// Every `Display` along an error's source chain, joined.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(next) = source {
        parts.push(next.to_string());
        source = next.source();
    }
    parts.join(" / ")
}

/// Finding F4 of issue 21: `Debug` of the builder, an `Api`, a `Request`
/// and a `ListQuery` printed the base URL's password and raw filter
/// values; only `Client` redacted them.
#[test]
fn debug_shows_urls_as_errors_do() {
    use odata_v4_runtime::{Method, NextLink, OperationKind, ServiceProfile};
    use support::model::{entries, entry_number};

    const PASSWORD: &str = "pa55word-e3b0c442";
    const NUMBER: i64 = 987_654_321;
    let base = format!("https://jane:{PASSWORD}@bc.example.com/BC/");
    let builder = Client::builder(base.as_str());
    assert!(!format!("{builder:?}").contains(PASSWORD), "{builder:?}");

    for opted_in in [false, true] {
        let client = Client::builder(base.as_str()).query_values_in_errors(opted_in).build().unwrap();
        let api = odata_v4_runtime::Api::new(&client, "api/v2.0", ServiceProfile::strict_odata());
        let request = support::json_request::<serde_json::Value>(
            &api,
            Method::Get,
            "customers",
            &format!("$filter=number%20eq%20{NUMBER}"),
            OperationKind::Read,
        );
        let query = entries(&api).list().filter(entry_number().eq(NUMBER));
        let link =
            NextLink::new(format!("https://bc.example.com/BC/api/v2.0/x?$filter=n%20eq%20{NUMBER}&$skiptoken=9"));

        let printed = [format!("{api:?}"), format!("{request:?}"), format!("{query:?}")];
        for text in &printed {
            assert!(!text.contains(PASSWORD), "{text}");
        }
        for text in &printed[1..] {
            assert_eq!(text.contains(&NUMBER.to_string()), opted_in, "opted in: {opted_in}: {text}");
        }
        assert!(printed[1].contains("/api/v2.0/customers?$filter="), "{}", printed[1]);
        let link_text = format!("{link:?}");
        assert!(!link_text.contains(&NUMBER.to_string()) && link_text.contains("$skiptoken=…"), "{link_text}");
    }
}
