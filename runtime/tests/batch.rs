//! JSON `$batch`: request shape, typed per-operation results, atomicity
//! and a service's operation limit.

mod support;

use odata_v4_runtime::{Api, AtomicBatchStyle, Batch, Error, Method, OperationKind, Request, Target, decode};
use serde_json::{Value, json};
use support::recorder::Recorder;
use support::{DIALECT, api, builder, get, json_request, no_content_request, request_count};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request as SeenRequest, ResponseTemplate};

const BATCH_PATH: &str = "/api/v2.0/$batch";

/// Answers every operation with 200 and a body naming its id and URL.
fn echo_batch(request: &SeenRequest) -> ResponseTemplate {
    let envelope: Value = request.body_json().unwrap();
    let responses: Vec<Value> = envelope["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| json!({"id": op["id"], "status": 200, "headers": {"content-type": "application/json"}, "body": {"url": op["url"]}}))
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({"responses": responses}))
}

#[tokio::test]
async fn a_batch_gives_each_operation_its_own_typed_result() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BATCH_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"responses": [
            {"id": "1", "status": 200, "headers": {"content-type": "application/json; odata.metadata=minimal"},
             "body": {"id": "c1", "displayName": "Adatum"}},
            {"id": "2", "status": 409, "headers": {"content-type": "application/json"},
             "body": {"error": {"code": "Request_EntityChanged",
                                "message": "Another user has already changed the record.  CorrelationId:  0b7e2f5c-8d1a-4c3e-9f2b-6a5d4c3b2a10."}}},
            {"id": "3", "status": 204, "headers": {}},
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api);
    let read = batch.add(get::<Value>(&api, "companies(1)/customers(c1)"));
    let update = batch.add(
        json_request::<Value>(&api, Method::Patch, "companies(1)/customers(c2)", "", OperationKind::Update)
            .header("If-Match", "W/\"JzE5OzY3OzAwOyc=\"")
            .with_body("application/json", r#"{"displayName":"Fabrikam"}"#),
    );
    let delete = batch.add(
        no_content_request(&api, Method::Delete, "companies(1)/customers(c3)", OperationKind::Delete)
            .header("If-Match", "*"),
    );

    let mut response = batch.await.unwrap();

    assert_eq!(response.take(read).unwrap()["displayName"], "Adatum");
    let stale = response.take(update).unwrap_err();
    assert!(matches!(stale, Error::StaleEtag(_)), "{stale:?}");
    assert_eq!(stale.correlation_id(), Some("0b7e2f5c-8d1a-4c3e-9f2b-6a5d4c3b2a10"));
    response.take(delete).unwrap();
    assert!(matches!(response.take(read), Err(Error::InvalidRequest(_))), "a result is taken once");

    let sent = &server.received_requests().await.unwrap()[0];
    assert!(sent.headers.get("Isolation").is_none(), "not atomic unless asked");
    assert_eq!(
        sent.headers.get("Prefer").unwrap(),
        "odata.continue-on-error",
        "independent operations go on after a failure"
    );
    assert_eq!(sent.headers.get("Content-Type").unwrap(), "application/json");
    let envelope: Value = sent.body_json().unwrap();
    assert_eq!(
        envelope,
        json!({"requests": [
            {"id": "1", "method": "GET", "url": "companies(1)/customers(c1)"},
            {"id": "2", "method": "PATCH", "url": "companies(1)/customers(c2)",
             "headers": {"if-match": "W/\"JzE5OzY3OzAwOyc=\"", "content-type": "application/json"},
             "body": {"displayName": "Fabrikam"}},
            {"id": "3", "method": "DELETE", "url": "companies(1)/customers(c3)", "headers": {"if-match": "*"}},
        ]})
    );
}

#[tokio::test]
async fn an_atomic_batch_is_one_atomicity_group() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(BATCH_PATH)).respond_with(echo_batch).expect(1).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api).atomic();
    let first = batch.add(get::<Value>(&api, "companies(1)/items(a)"));
    let second = batch.add(
        json_request::<Value>(&api, Method::Patch, "companies(1)/items(b)", "", OperationKind::Update)
            .header("If-Match", "*")
            .with_body("application/json", r#"{"displayName":"B"}"#),
    );

    let mut response = batch.await.unwrap();

    assert_eq!(response.take(first).unwrap()["url"], "companies(1)/items(a)");
    assert_eq!(response.take(second).unwrap()["url"], "companies(1)/items(b)");
    let sent = &server.received_requests().await.unwrap()[0];
    assert!(sent.headers.get("Isolation").is_none(), "standard OData marks the operations instead");
    assert!(sent.headers.get("Prefer").is_none(), "an atomic batch stops at its first failure");
    let envelope: Value = sent.body_json().unwrap();
    assert_eq!(
        envelope,
        json!({"requests": [
            {"id": "1", "method": "GET", "url": "companies(1)/items(a)", "atomicityGroup": "all"},
            {"id": "2", "method": "PATCH", "url": "companies(1)/items(b)", "atomicityGroup": "all",
             "headers": {"if-match": "*", "content-type": "application/json"}, "body": {"displayName": "B"}},
        ]})
    );
}

#[tokio::test]
async fn an_atomic_batch_asks_business_central_for_snapshot_isolation() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BATCH_PATH))
        .and(header("Isolation", "snapshot"))
        .respond_with(echo_batch)
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = Api::new(&client, "api/v2.0", DIALECT.with_atomic_batch(AtomicBatchStyle::SnapshotIsolation));
    let mut batch = Batch::new(&api).atomic();
    let first = batch.add(get::<Value>(&api, "companies(1)/items(a)"));
    let second =
        batch.add(json_request::<Value>(&api, Method::Get, "companies(1)/items(b)", "$select=id", OperationKind::Read));

    let mut response = batch.await.unwrap();

    assert_eq!(response.take(first).unwrap()["url"], "companies(1)/items(a)");
    assert_eq!(response.take(second).unwrap()["url"], "companies(1)/items(b)?$select=id");
    let envelope: Value = server.received_requests().await.unwrap()[0].body_json().unwrap();
    assert!(envelope["requests"].as_array().unwrap().iter().all(|op| op.get("atomicityGroup").is_none()), "{envelope}");
}

#[tokio::test]
async fn operations_the_service_did_not_run_are_reported_as_skipped() {
    let server = MockServer::start().await;
    // A server that stopped at the first failure: no answer for operation 2.
    Mock::given(method("POST"))
        .and(path(BATCH_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"responses": [
            {"id": "1", "status": 404, "headers": {"content-type": "application/json"},
             "body": {"error": {"code": "BadRequest_ResourceNotFound", "message": "Not found"}}},
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api);
    let missing = batch.add(get::<Value>(&api, "companies(1)/customers(x)"));
    let after = batch.add(get::<Value>(&api, "companies(1)/customers(y)"));
    let mut response = batch.await.unwrap();
    assert!(matches!(response.take(missing), Err(Error::NotFound(_))));
    let skipped = response.take(after).unwrap_err();
    assert!(matches!(skipped, Error::Skipped(_)), "{skipped:?}");
    assert!(skipped.to_string().contains("did not run operation 2"), "{skipped}");
}

#[tokio::test]
async fn an_atomic_batch_over_the_limit_is_refused() {
    let server = MockServer::start().await;
    let client = builder(&server).max_batch_operations(100).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api).atomic();
    for n in 0..101 {
        let _ = batch.add(get::<Value>(&api, &format!("companies(1)/items({n})")));
    }

    let error = batch.await.unwrap_err();

    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn a_large_non_atomic_batch_is_split_into_calls_of_one_hundred() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(BATCH_PATH)).respond_with(echo_batch).expect(3).mount(&server).await;
    let client = builder(&server).max_batch_operations(100).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api);
    let handles: Vec<_> =
        (0..250).map(|n| batch.add(get::<Value>(&api, &format!("companies(1)/items({n})")))).collect();

    let mut response = batch.await.unwrap();

    assert_eq!(response.len(), 250);
    for (n, handle) in handles.into_iter().enumerate() {
        assert_eq!(response.take(handle).unwrap()["url"], format!("companies(1)/items({n})"));
    }
    let calls = server.received_requests().await.unwrap();
    let sizes: Vec<usize> =
        calls.iter().map(|c| c.body_json::<Value>().unwrap()["requests"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, vec![100, 100, 50]);
    let ids: Vec<String> = calls
        .iter()
        .flat_map(|c| c.body_json::<Value>().unwrap()["requests"].as_array().unwrap().clone())
        .map(|op| op["id"].as_str().unwrap().to_owned())
        .collect();
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 250, "operation ids are unique across the calls");
}

#[tokio::test]
async fn without_a_service_limit_a_batch_is_one_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(BATCH_PATH)).respond_with(echo_batch).expect(1).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api).atomic();
    let handles: Vec<_> =
        (0..150).map(|n| batch.add(get::<Value>(&api, &format!("companies(1)/items({n})")))).collect();

    let mut response = batch.await.unwrap();

    for handle in handles {
        response.take(handle).unwrap();
    }
}

#[tokio::test]
async fn absolute_targets_cannot_join_a_batch() {
    let server = MockServer::start().await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api);
    let next_page = Request::new(
        api.clone(),
        Method::Get,
        Target::Absolute(format!("{}/api/v2.0/items?$skiptoken=5", server.uri())),
        OperationKind::Read,
        decode::json::<Value>,
    );
    let _ = batch.add(next_page);

    let error = batch.await.unwrap_err();

    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(request_count(&server).await, 0);
}

/// A GET of `path` whose answer is taken as raw bytes.
fn bytes_request(api: &odata_v4_runtime::Api, path: &str) -> Request<bytes::Bytes> {
    Request::new(
        api.clone(),
        Method::Get,
        Target::Relative { path: path.to_owned(), query: String::new() },
        OperationKind::Read,
        decode::bytes,
    )
}

#[tokio::test]
async fn binary_bodies_decode_from_either_base64_alphabet() {
    let server = MockServer::start().await;
    let binary = json!({"content-type": "application/octet-stream"});
    Mock::given(method("POST"))
        .and(path(BATCH_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"responses": [
            {"id": "1", "status": 200, "headers": binary, "body": "+/+/ABA="},
            {"id": "2", "status": 200, "headers": binary, "body": "-_-_ABA"},
            {"id": "3", "status": 200, "headers": binary, "body": "not base64!"},
            {"id": "4", "status": 404, "headers": binary, "body": "no such picture"},
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api);
    let standard = batch.add(bytes_request(&api, "companies(1)/items(1)/picture/pictureContent"));
    let url_safe = batch.add(bytes_request(&api, "companies(1)/items(2)/picture/pictureContent"));
    let garbled = batch.add(bytes_request(&api, "companies(1)/items(3)/picture/pictureContent"));
    let missing = batch.add(bytes_request(&api, "companies(1)/items(4)/picture/pictureContent"));

    let mut response = batch.await.unwrap();

    let expected: &[u8] = &[0xfb, 0xff, 0xbf, 0x00, 0x10];
    assert_eq!(response.take(standard).unwrap().as_ref(), expected);
    assert_eq!(response.take(url_safe).unwrap().as_ref(), expected);
    let error = response.take(garbled).unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("undecodable content must not pass for the bytes, got {error:?}")
    };
    assert!(decode.url.ends_with("items(3)/picture/pictureContent"), "{decode:?}");
    let error = response.take(missing).unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "an error answer keeps its status: {error:?}");
}

#[tokio::test]
async fn a_batch_of_reads_is_retried_like_a_read() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BATCH_PATH))
        .respond_with(ResponseTemplate::new(504))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(BATCH_PATH)).respond_with(echo_batch).with_priority(2).mount(&server).await;
    let client = builder(&server).read_header("Data-Access-Intent", "ReadOnly").build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api);
    let read = batch.add(get::<Value>(&api, "companies(1)/items(1)"));

    let mut response = batch.await.unwrap();

    assert_eq!(response.take(read).unwrap()["url"], "companies(1)/items(1)");
    let calls = server.received_requests().await.unwrap();
    assert_eq!(calls.len(), 2, "retried after the gateway timeout");
    assert!(
        calls.iter().all(|c| c.headers.get("Data-Access-Intent").is_none()),
        "the read-only intent is for GET requests, not the $batch POST"
    );
}

#[tokio::test]
async fn a_batch_with_a_write_is_not_retried_after_a_gateway_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BATCH_PATH))
        .respond_with(ResponseTemplate::new(504))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);
    let mut batch = Batch::new(&api);
    let _ = batch.add(get::<Value>(&api, "companies(1)/items(1)"));
    let _ = batch.add(
        no_content_request(&api, Method::Patch, "companies(1)/items(2)", OperationKind::Update)
            .header("If-Match", "*")
            .with_body("application/json", "{}"),
    );

    let error = batch.await.unwrap_err();

    assert!(matches!(error, Error::Timeout { service: Some(_), .. }), "{error:?}");
}

/// Finding 9b of issue 21: every answer for an unknown operation id was
/// logged with its id whole, whatever its length and however many there
/// were.
#[tokio::test]
async fn answers_for_unknown_ids_are_logged_once_and_bounded() {
    let server = MockServer::start().await;
    let long_id = "x".repeat(10_000);
    let mut responses = vec![json!({"id": "1", "status": 204})];
    responses.extend((0..200).map(|n| json!({"id": format!("{long_id}{n}"), "status": 204})));
    Mock::given(method("POST"))
        .and(path(BATCH_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"responses": responses})))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);
    let recorder = Recorder::default();
    let _guard = recorder.install();
    let mut batch = Batch::new(&api);
    let delete = batch.add(no_content_request(&api, Method::Delete, "items(1)", OperationKind::Delete));

    let mut response = batch.await.unwrap();

    response.take(delete).unwrap();
    let logged = recorder.all();
    assert!(logged.len() < 10_000, "{} characters logged", logged.len());
    assert_eq!(recorder.value("count").as_deref(), Some("200"), "{logged}");
}
