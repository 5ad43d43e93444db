//! Redirects never carry a body or credentials to another origin, whatever
//! HTTP client sends the requests: finding 3 of the hardening review, and
//! the caller's own reqwest client (deliverable 12).

mod support;

use std::time::Duration;

use odata_v4_runtime::{ClientCredentials, Error, Method, OperationKind};
use serde_json::json;
use support::{api, builder, get, json_request, request_count};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "client-secret-7e1516";
const TOKEN_PATH: &str = "/tenant-1/oauth2/v2.0/token";

fn redirect(status: u16, to: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("Location", to)
}

fn credentials(authority: &str) -> ClientCredentials {
    ClientCredentials::microsoft_entra("tenant-1", "app-id", CLIENT_SECRET).authority(authority)
}

/// What the second server received, as text.
async fn received_text(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap();
    requests.iter().map(|r| format!("{} {} {}", r.method, r.url, String::from_utf8_lossy(&r.body))).collect()
}

/// Finding 3: a 307 from the token endpoint re-posted the form, client
/// secret included, to the server it pointed at.
#[tokio::test]
async fn the_token_request_follows_no_redirect() {
    let (token_server, elsewhere) = (MockServer::start().await, MockServer::start().await);
    for status in [301, 302, 303, 307, 308] {
        token_server.reset().await;
        Mock::given(path(TOKEN_PATH))
            .respond_with(redirect(status, &format!("{}/collect", elsewhere.uri())))
            .mount(&token_server)
            .await;
        let client = builder(&token_server).credentials(credentials(&token_server.uri())).build().unwrap();

        let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

        assert!(matches!(&error, Error::Authentication(e) if e.message().contains("redirect")), "{status}: {error:?}");
    }
    assert_eq!(received_text(&elsewhere).await, "", "nothing reached the other server");
}

/// Finding 3: PATCH and POST bodies followed 307/308 to another origin
/// (reqwest only dropped `Authorization`).
#[tokio::test]
async fn writes_follow_no_redirect_and_reads_only_same_origin_ones() {
    let (server, elsewhere) = (MockServer::start().await, MockServer::start().await);
    Mock::given(method("PATCH"))
        .and(path("/api/v2.0/items(1)"))
        .respond_with(redirect(307, &format!("{}/api/v2.0/items(1)", elsewhere.uri())))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2.0/items"))
        .respond_with(redirect(308, "/api/v2.0/moved-items"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/old"))
        .respond_with(redirect(302, "/api/v2.0/new?$top=1"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [1]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/away"))
        .respond_with(redirect(302, &format!("{}/api/v2.0/new?$filter=secret", elsewhere.uri())))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);

    let patch = json_request::<serde_json::Value>(&api, Method::Patch, "items(1)", "", OperationKind::Update)
        .with_body("application/json", r#"{"name":"x"}"#)
        .await
        .unwrap_err();
    assert!(
        matches!(&patch, Error::Redirected { status: 307, location: Some(l) } if l.starts_with(&elsewhere.uri())),
        "{patch:?}"
    );
    let post = json_request::<serde_json::Value>(&api, Method::Post, "items", "", OperationKind::Create)
        .with_body("application/json", r#"{"name":"x"}"#)
        .await
        .unwrap_err();
    assert!(
        matches!(post, Error::Redirected { status: 308, .. }),
        "a body is never re-sent, even to the same origin: {post:?}"
    );
    let followed: serde_json::Value = get(&api, "old").await.unwrap();
    assert_eq!(followed, json!({"value": [1]}), "a GET redirected within the origin is followed");
    let away = get::<serde_json::Value>(&api, "away").await.unwrap_err();
    assert!(
        matches!(&away, Error::Redirected { status: 302, location: Some(l) } if l.ends_with("?$filter=…")),
        "{away:?}"
    );
    assert_eq!(received_text(&elsewhere).await, "");
}

/// An application's own reqwest client, with reqwest's default redirect
/// policy (it follows up to 10) and a header that marks its requests.
fn own_reqwest_client() -> reqwest::Client {
    let mut marker = reqwest::header::HeaderMap::new();
    marker.insert("x-own-client", "yes".parse().unwrap());
    // This test's reqwest has no crypto provider of its own (the runtime
    // enables none), so it gets a TLS configuration, as an application
    // with its own roots would. (ring's provider is deprecated since rustls
    // 0.23.48, for lacking post-quantum key exchange.)
    #[allow(deprecated)]
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .default_headers(marker)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Deliverable 12: the caller's own reqwest client is used, and even with
/// reqwest's default redirect policy a 307 cannot carry the client secret
/// or a PATCH body to another origin.
#[tokio::test]
async fn a_callers_reqwest_client_is_used_and_cannot_re_send_bodies() {
    let (server, elsewhere) = (MockServer::start().await, MockServer::start().await);
    Mock::given(path(TOKEN_PATH))
        .respond_with(redirect(307, &format!("{}/collect", elsewhere.uri())))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(redirect(307, &format!("{}/collect", elsewhere.uri())))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .mount(&server)
        .await;
    let own = own_reqwest_client();

    let plain = builder(&server).reqwest_client(own.clone()).build().unwrap();
    get::<serde_json::Value>(&api(&plain), "companies").await.unwrap();
    let patch = json_request::<serde_json::Value>(&api(&plain), Method::Patch, "items(1)", "", OperationKind::Update)
        .with_body("application/json", r#"{"name":"private"}"#)
        .await
        .unwrap_err();
    let signed_in = builder(&server).reqwest_client(own).credentials(credentials(&server.uri())).build().unwrap();
    let token = get::<serde_json::Value>(&api(&signed_in), "companies").await.unwrap_err();

    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r.headers.get("x-own-client").is_some()), "every request went through it");
    assert!(matches!(patch, Error::Redirected { status: 307, .. }), "{patch:?}");
    assert!(matches!(token, Error::Authentication(_)), "{token:?}");
    assert_eq!(received_text(&elsewhere).await, "", "neither the secret nor the PATCH body was re-sent");
    let patched = requests.iter().find(|r| r.method.as_str() == "PATCH").unwrap();
    assert_eq!(patched.body, br#"{"name":"private"}"#, "the streamed body still arrives whole");
    assert_eq!(patched.headers.get("content-length").unwrap(), "18");
}

/// Finding F1 of issue 21: reqwest followed redirects itself, so the
/// runtime's policy never ran: a GET answered 302 returned the other
/// origin's answer, a PATCH or POST answered 303 became a GET elsewhere and
/// was reported as `Ok`, and a token POST answered 303 was parsed from the
/// other origin's GET. The other origin still sees those requests (the
/// client cannot take them back); their answers are never used.
#[tokio::test]
async fn an_answer_reached_through_a_redirect_the_callers_client_followed_is_refused() {
    let (server, elsewhere) = (MockServer::start().await, MockServer::start().await);
    Mock::given(method("GET"))
        .and(path("/api/v2.0/companies"))
        .respond_with(redirect(302, &format!("{}/collect?$filter=x", elsewhere.uri())))
        .mount(&server)
        .await;
    for verb in ["PATCH", "POST"] {
        Mock::given(method(verb))
            .respond_with(redirect(303, &format!("{}/collect", elsewhere.uri())))
            .mount(&server)
            .await;
    }
    Mock::given(path(TOKEN_PATH))
        .respond_with(redirect(303, &format!("{}/token", elsewhere.uri())))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/collect"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": ["from elsewhere"]})))
        .mount(&elsewhere)
        .await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "planted", "expires_in": 3600})))
        .mount(&elsewhere)
        .await;
    let own = own_reqwest_client();
    let client = builder(&server).reqwest_client(own.clone()).sensitive_header("X-Api-Key", "k3y").build().unwrap();
    let api = api(&client);

    let read = get::<serde_json::Value>(&api, "companies").await.unwrap_err();
    let patch = json_request::<serde_json::Value>(&api, Method::Patch, "items(1)", "", OperationKind::Update)
        .with_body("application/json", r#"{"name":"x"}"#)
        .await
        .unwrap_err();
    let post = json_request::<serde_json::Value>(&api, Method::Post, "items", "", OperationKind::Create)
        .with_body("application/json", r#"{"name":"x"}"#)
        .await
        .unwrap_err();
    let signed_in = builder(&server).reqwest_client(own).credentials(credentials(&server.uri())).build().unwrap();
    let token = get::<serde_json::Value>(&support::api(&signed_in), "companies").await.unwrap_err();

    for error in [&read, &patch, &post] {
        assert!(
            matches!(error, Error::Redirected { status: 0, location: Some(l) } if l.starts_with(&elsewhere.uri())),
            "{error:?}"
        );
        assert!(error.to_string().contains("Policy::none()"), "{error}");
    }
    assert!(matches!(&read, Error::Redirected { location: Some(l), .. } if l.ends_with("?$filter=…")), "{read:?}");
    assert!(matches!(&token, Error::Authentication(e) if e.message().contains("redirect")), "{token:?}");
    let seen = server.received_requests().await.unwrap();
    assert!(
        seen.iter().all(|r| r.headers.get("Authorization").is_none_or(|v| v != "Bearer planted")),
        "the planted token was never used"
    );
    assert_eq!(request_count(&server).await, 4, "nothing was retried");
}
