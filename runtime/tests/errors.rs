//! Error mapping and the retry policy: which answers become which `Error`
//! case, what is retried, and what must never be.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use odata_v4_runtime::{
    Api, BoxFuture, Client, Error, HttpRequest, HttpResponse, Method, Middleware, Next, OperationKind, RetryPolicy,
    ServiceProfile, TransportError,
};
use serde_json::json;
use support::{api, builder, get, json_request, no_content_request, request_count};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn odata_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {"code": code, "message": message}}))
}

async fn patch_error(template: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("PATCH")).respond_with(template).expect(1).mount(&server).await;
    let client = builder(&server).build().unwrap();
    no_content_request(&api(&client), Method::Patch, "companies(1)/items(2)", OperationKind::Update)
        .header("If-Match", "W/\"JzE5OzY3OzAwOyc=\"")
        .await
        .unwrap_err()
}

#[tokio::test]
async fn entity_changed_409_is_a_stale_etag() {
    let error = patch_error(odata_error(
        409,
        "Request_EntityChanged",
        "Another user has already changed the record.  CorrelationId:  1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2.",
    ))
    .await;

    assert!(matches!(error, Error::StaleEtag(_)), "{error:?}");
    assert_eq!(error.status(), Some(409));
    assert_eq!(error.correlation_id(), Some("1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2"));
}

#[tokio::test]
async fn a_strict_odata_service_keeps_its_409_a_conflict_and_its_message_whole() {
    let server = MockServer::start().await;
    let message = "Another user has already changed the record.  CorrelationId:  1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2.";
    Mock::given(method("PATCH")).respond_with(odata_error(409, "Request_EntityChanged", message)).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let strict = Api::new(&client, "api/v2.0", ServiceProfile::strict_odata());

    let error = no_content_request(&strict, Method::Patch, "items(2)", OperationKind::Update)
        .header("If-Match", "W/\"1\"")
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Conflict(_)), "{error:?}");
    assert_eq!(error.correlation_id(), None);
    assert_eq!(error.service_error().map(|e| e.message.as_str()), Some(message.trim()));
}

#[tokio::test]
async fn precondition_failed_412_is_a_stale_etag() {
    let error = patch_error(ResponseTemplate::new(412)).await;

    assert!(matches!(error, Error::StaleEtag(_)), "{error:?}");
    assert_eq!(error.status(), Some(412));
}

#[tokio::test]
async fn other_409s_are_conflicts() {
    let error = patch_error(odata_error(409, "Internal_EntityWithSameKeyExists", "The record already exists.")).await;

    assert!(matches!(error, Error::Conflict(_)), "{error:?}");
    assert_eq!(error.code(), Some("Internal_EntityWithSameKeyExists"));
}

#[tokio::test]
async fn odata_error_json_is_read_in_the_services_dialect() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(odata_error(
            400,
            "BadRequest_NotFound",
            "Bad Request - Error in query syntax.  CorrelationId:  7d4f3e2a-5b6c-4d8e-9f01-23456789abcd.",
        ))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    let Error::Service(service) = &error else { panic!("expected a service error, got {error:?}") };
    assert_eq!(service.status, 400);
    assert_eq!(service.code.as_deref(), Some("BadRequest_NotFound"));
    assert_eq!(service.message, "Bad Request - Error in query syntax.");
    assert_eq!(service.correlation_id.as_deref(), Some("7d4f3e2a-5b6c-4d8e-9f01-23456789abcd"));
    assert_eq!(error.correlation_id(), Some("7d4f3e2a-5b6c-4d8e-9f01-23456789abcd"));
    assert!(error.to_string().contains("BadRequest_NotFound"), "{error}");
}

#[tokio::test]
async fn a_gateway_html_page_gives_a_readable_message() {
    let server = MockServer::start().await;
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(page, "text/html"))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    let service = error.service_error().expect("a service error");
    assert_eq!(service.status, 502);
    assert_eq!(service.code, None);
    assert_eq!(service.message, "502 Bad Gateway 502 Bad Gateway");
}

#[tokio::test]
async fn status_codes_map_to_their_cases() {
    let server = MockServer::start().await;
    for (status, route) in [(404, "missing"), (403, "forbidden"), (504, "slow"), (408, "timeout"), (500, "broken")] {
        Mock::given(path(format!("/api/v2.0/{route}")))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
    }
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let api = api(&client);
    let fetch = |route: &'static str| get::<serde_json::Value>(&api, route).into_future();

    assert!(matches!(fetch("missing").await, Err(Error::NotFound(_))));
    assert!(matches!(fetch("forbidden").await, Err(Error::Forbidden(_))));
    assert!(matches!(fetch("slow").await, Err(Error::Timeout { service: Some(_), .. })));
    assert!(matches!(fetch("timeout").await, Err(Error::Timeout { service: Some(_), .. })));
    assert!(matches!(fetch("broken").await, Err(Error::Service(_))));
}

#[tokio::test]
async fn throttling_with_retry_after_seconds_is_waited_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [1]})))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let started = Instant::now();

    let body: serde_json::Value = get(&api(&client), "companies").await.unwrap();

    assert_eq!(body, json!({"value": [1]}));
    assert_eq!(request_count(&server).await, 2);
    assert!(started.elapsed() >= Duration::from_millis(950), "Retry-After: 1 must be honoured");
}

#[tokio::test]
async fn throttling_with_an_http_date_is_waited_out() {
    let server = MockServer::start().await;
    let retry_at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", retry_at.as_str()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [2]})))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let body: serde_json::Value = get(&api(&client), "companies").await.unwrap();

    assert_eq!(body, json!({"value": [2]}));
    assert_eq!(request_count(&server).await, 2);
    // Compared with the date as sent (whole seconds), so no timing race:
    // the retry may not have happened before it.
    let promised = httpdate::parse_http_date(&retry_at).unwrap();
    assert!(SystemTime::now() >= promised, "the date must be honoured");
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_reported_with_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(4)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    let Error::Throttled(service) = &error else { panic!("expected throttling, got {error:?}") };
    assert_eq!(service.retry_after, Some(Duration::ZERO));
}

#[tokio::test]
async fn a_create_is_not_retried_after_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).expect(1).mount(&server).await;
    let client = builder(&server).build().unwrap();

    let error = json_request::<serde_json::Value>(
        &api(&client),
        Method::Post,
        "companies(1)/customers",
        "",
        OperationKind::Create,
    )
    .with_body("application/json", r#"{"displayName":"Adatum"}"#)
    .await
    .unwrap_err();

    assert_eq!(error.status(), Some(503));
    assert_eq!(request_count(&server).await, 1, "a create must reach the server exactly once");
}

#[tokio::test]
async fn a_create_is_retried_after_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "new"})))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let created: serde_json::Value =
        json_request(&api(&client), Method::Post, "companies(1)/customers", "", OperationKind::Create)
            .with_body("application/json", "{}")
            .await
            .unwrap();

    assert_eq!(created["id"], "new");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn a_read_is_retried_through_two_503s() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": ["ok"]})))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let body: serde_json::Value = get(&api(&client), "companies").await.unwrap();

    assert_eq!(body, json!({"value": ["ok"]}));
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_names_the_json_path_and_url() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Customer {
        number: String,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Customers {
        value: Vec<Customer>,
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"value": [{"number": "10000"}, {"number": 20000}]})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = get::<Customers>(&api(&client), "companies(1)/customers").await.unwrap_err();

    let Error::Decode(decode) = &error else { panic!("expected a decode error, got {error:?}") };
    assert_eq!(decode.path, "value[1].number");
    assert!(decode.message.contains("expected a string"), "{}", decode.message);
    assert_eq!(decode.url, format!("{}/api/v2.0/companies(1)/customers", server.uri()));
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // Bind and release a port so that nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client =
        Client::builder(format!("http://127.0.0.1:{port}/")).retry_policy(support::fast_retry()).build().unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    let Error::Transport(transport) = &error else { panic!("expected a transport error, got {error:?}") };
    assert!(transport.is_connect(), "{transport:?}");
}

#[tokio::test]
async fn a_correlation_marker_without_a_guid_stays_in_the_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(odata_error(400, "Application_DialogException", "Posting failed.  CorrelationId:  abc123."))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    let service = error.service_error().expect("a service error");
    assert_eq!(service.correlation_id, None);
    assert_eq!(
        service.message, "Posting failed.  CorrelationId:  abc123.",
        "text that is not an id must not be cut from the message"
    );
}

#[tokio::test]
async fn a_huge_retry_after_is_reported_instead_of_waited_for() {
    let server = MockServer::start().await;
    for (route, retry_after) in [("seconds", "18446744073709551615"), ("date", "Fri, 31 Dec 9999 23:59:59 GMT")] {
        // The slow answer matters: adding u64::MAX seconds to a time of at
        // least a second is what overflowed.
        Mock::given(path(format!("/api/v2.0/{route}")))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", retry_after)
                    .set_delay(Duration::from_millis(1100)),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = builder(&server).build().unwrap();

    for route in ["seconds", "date"] {
        let error = get::<serde_json::Value>(&api(&client), route).await.unwrap_err();
        let Error::Throttled(service) = &error else { panic!("{route}: expected throttling, got {error:?}") };
        let retry_after = service.retry_after.expect("Retry-After is reported");
        assert!(
            retry_after >= Duration::from_secs(3600) && retry_after <= Duration::from_secs(86_400),
            "{route}: {retry_after:?}"
        );
        // What a caller would do with it must not overflow.
        let _ = Instant::now() + retry_after;
    }
}

#[tokio::test]
async fn a_patch_answered_by_a_gateway_error_is_not_retried() {
    // The gateway may have timed out after the service applied the change;
    // a repeat would fail on the new ETag and report a false conflict.
    let error = patch_error(ResponseTemplate::new(504)).await;
    assert!(matches!(error, Error::Timeout { service: Some(_), .. }), "{error:?}");
    assert_eq!(error.status(), Some(504));

    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(502)).expect(1).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let error = no_content_request(&api(&client), Method::Delete, "companies(1)/items(2)", OperationKind::Delete)
        .header("If-Match", "*")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(502));
}

#[tokio::test]
async fn a_patch_is_retried_after_503() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(204)).with_priority(2).mount(&server).await;
    let client = builder(&server).build().unwrap();

    no_content_request(&api(&client), Method::Patch, "companies(1)/items(2)", OperationKind::Update)
        .header("If-Match", "W/\"JzE5OzY3OzAwOyc=\"")
        .await
        .unwrap();

    assert_eq!(request_count(&server).await, 2);
}

/// Counts the attempts that pass through the client.
struct AttemptCounter(Arc<AtomicUsize>);

impl Middleware for AttemptCounter {
    fn handle<'a>(
        &'a self,
        request: HttpRequest,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        next.run(request)
    }
}

/// A client of `base_url` with fast retries and an attempt counter.
fn counted_client(base_url: &str, connect_timeout: Duration) -> (Client, Arc<AtomicUsize>) {
    let attempts = Arc::new(AtomicUsize::new(0));
    let client = Client::builder(base_url)
        .retry_policy(support::fast_retry())
        .connect_timeout(connect_timeout)
        .middleware(AttemptCounter(attempts.clone()))
        .build()
        .unwrap();
    (client, attempts)
}

fn closed_port_url() -> String {
    // Bind and release a port so that nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}/")
}

#[tokio::test]
async fn a_refused_connection_is_retried_for_every_kind() {
    let url = closed_port_url();
    let (client, attempts) = counted_client(&url, Duration::from_secs(5));
    let api = api(&client);
    let started = Instant::now();

    let read = get::<serde_json::Value>(&api, "companies").await;
    assert_eq!(attempts.swap(0, Ordering::SeqCst), 4, "{read:?}");
    let update = no_content_request(&api, Method::Patch, "companies(1)/items(2)", OperationKind::Update)
        .header("If-Match", "*")
        .await;
    assert_eq!(attempts.swap(0, Ordering::SeqCst), 4, "a write that never left is retried too: {update:?}");
    let create = json_request::<serde_json::Value>(&api, Method::Post, "companies(1)/items", "", OperationKind::Create)
        .with_body("application/json", "{}")
        .await;
    assert_eq!(attempts.load(Ordering::SeqCst), 4, "{create:?}");

    for outcome in [read.map(|_| ()), update, create.map(|_| ())] {
        let Err(Error::Transport(transport)) = &outcome else { panic!("expected a transport error, got {outcome:?}") };
        assert!(transport.is_connect(), "{transport:?}");
    }
    assert!(started.elapsed() < Duration::from_secs(5), "retries are quick");
}

#[tokio::test]
async fn a_connect_timeout_is_a_connect_error_and_retried() {
    // A listener with a backlog of one whose queue is already full: the
    // kernel drops further SYNs, so connecting hangs until the timeout.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let address = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(address)).await {
            Ok(Ok(stream)) => queued.push(stream),
            Ok(Err(error)) => panic!("could not fill the accept queue: {error}"),
            Err(_elapsed) => break,
        }
        assert!(queued.len() < 64, "the accept queue never filled up");
    }
    let (client, attempts) = counted_client(&format!("http://{address}/"), Duration::from_millis(100));

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    let Error::Transport(transport) = &error else { panic!("a connect timeout is a connect failure, got {error:?}") };
    assert!(transport.is_connect(), "{transport:?}");
    assert!(
        transport.message().contains("timed out"),
        "the connection must have timed out, not been refused: {transport:?}"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 4, "a read that could not connect is retried");
    drop((listener, queued));
}

/// A bare HTTP/1.1 server: connection `n` (0-based) reads one request and
/// gets `answers[n]` written raw (the last answer once they run out), then
/// the connection is closed. Returns the base URL and the connection count.
async fn raw_server(answers: Vec<String>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let answer = answers[n.min(answers.len() - 1)].clone();
            tokio::spawn(async move {
                read_one_request(&mut socket).await;
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, connections)
}

/// Reads the head and, per `Content-Length`, the body of one request.
async fn read_one_request(socket: &mut tokio::net::TcpStream) {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut expected_len = None;
    loop {
        if let Some(total) = expected_len
            && received.len() >= total
        {
            return;
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
        }
        if expected_len.is_none()
            && let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n")
        {
            let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
            let body_len = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            expected_len = Some(end + 4 + body_len);
        }
    }
}

/// A 200 whose body stops after a few of the promised 100 bytes.
fn truncated_answer() -> String {
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"value\":".to_owned()
}

fn complete_answer(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn a_read_cut_off_mid_response_is_retried() {
    let (url, connections) = raw_server(vec![truncated_answer(), complete_answer("200 OK", r#"{"value":[1]}"#)]).await;
    let (client, _) = counted_client(&url, Duration::from_secs(5));

    let body: serde_json::Value = get(&api(&client), "companies").await.unwrap();

    assert_eq!(body, json!({"value": [1]}));
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_write_cut_off_mid_response_is_not_retried() {
    let (url, connections) = raw_server(vec![truncated_answer(), complete_answer("200 OK", r#"{"id":"1"}"#)]).await;
    let (client, _) = counted_client(&url, Duration::from_secs(5));

    let error = json_request::<serde_json::Value>(
        &api(&client),
        Method::Patch,
        "companies(1)/items(2)",
        "",
        OperationKind::Update,
    )
    .header("If-Match", "*")
    .with_body("application/json", r#"{"displayName":"x"}"#)
    .await
    .unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "the first attempt may have been applied");
}
