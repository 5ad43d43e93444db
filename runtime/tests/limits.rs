//! Memory stays bounded whatever a server sends: finding 2 of the
//! hardening review (bodies were read whole: a 768 MiB error body took
//! 781 MiB of memory to produce a 228-character error). Peak memory itself
//! is measured by `benches/hostile_bodies.rs`.

#[path = "support/stream_server.rs"]
mod stream_server;
mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::StreamExt;
use odata_v4_runtime::{
    Api, BodyLimits, Client, ClientCredentials, Error, MediaPath, Method, OperationKind, RetryPolicy, ServiceProfile,
};
use stream_server::Answer;
use support::{get, json_request};

const MIB: u64 = 1024 * 1024;

fn client(url: &str, limits: BodyLimits) -> Client {
    Client::builder(url).retry_policy(RetryPolicy::none()).body_limits(limits).build().unwrap()
}

fn api(client: &Client) -> Api {
    Api::new(client, "api", ServiceProfile::strict_odata())
}

/// Fails the test instead of hanging when the client reads an endless body.
async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future).await.expect("the client stopped reading in time")
}

#[tokio::test]
async fn an_endless_success_body_stops_at_the_limit() {
    let answer = Answer { status: 200, headers: String::new(), prefix: br#"{"value":["#.to_vec(), filler: None };
    let (url, written) = stream_server::start(answer).await;
    let client = client(&url, BodyLimits::default().responses(MIB));

    let error = within(get::<serde_json::Value>(&api(&client), "companies").into_future()).await.unwrap_err();

    assert!(matches!(error, Error::ResponseTooLarge { limit } if limit == MIB), "{error:?}");
    assert!(written.load(Ordering::SeqCst) < 64 * MIB, "{} bytes written", written.load(Ordering::SeqCst));
}

#[tokio::test]
async fn an_announced_length_over_the_limit_is_refused_before_reading() {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_bytes(vec![b' '; 2 * MIB as usize]))
        .mount(&server)
        .await;
    let client = client(&server.uri(), BodyLimits::default().responses(MIB));

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
}

#[tokio::test]
async fn an_endless_error_body_is_cut_and_still_names_its_code() {
    let prefix = br#"{"error":{"code":"Application_DialogException","message":"Posting failed: "#.to_vec();
    let answer = Answer { status: 400, headers: String::new(), prefix, filler: None };
    let (url, written) = stream_server::start(answer).await;
    let client = client(&url, BodyLimits::default());

    let error = within(get::<serde_json::Value>(&api(&client), "companies").into_future()).await.unwrap_err();

    assert_eq!(error.status(), Some(400));
    assert_eq!(error.code(), Some("Application_DialogException"));
    let shown = error.to_string();
    assert!(shown.len() < 1_300, "{} characters", shown.len());
    assert!(shown.contains("Posting failed: xxx"), "{}", &shown[..200]);
    assert!(written.load(Ordering::SeqCst) < 64 * MIB);
}

#[tokio::test]
async fn an_endless_token_answer_fails_authentication() {
    let answer = Answer { status: 200, headers: String::new(), prefix: br#"{"access_token":""#.to_vec(), filler: None };
    let (url, _) = stream_server::start(answer).await;
    let credentials = ClientCredentials::new(format!("{url}token"), "app", "secret");
    let client = Client::builder(&url).credentials(credentials).retry_policy(RetryPolicy::none()).build().unwrap();

    let error = within(get::<serde_json::Value>(&api(&client), "companies").into_future()).await.unwrap_err();

    assert!(matches!(error, Error::Authentication(_)), "{error:?}");
}

#[tokio::test]
async fn an_endless_batch_answer_stops_at_the_limit() {
    let answer = Answer { status: 200, headers: String::new(), prefix: br#"{"responses":["#.to_vec(), filler: None };
    let (url, _) = stream_server::start(answer).await;
    let client = client(&url, BodyLimits::default().responses(MIB));
    let api = api(&client);
    let mut batch = odata_v4_runtime::Batch::new(&api);
    batch.add(get::<serde_json::Value>(&api, "companies"));

    let error = within(batch.into_future()).await.unwrap_err();

    assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
}

#[tokio::test]
async fn media_downloads_stream_within_the_media_limit() {
    let answer = Answer {
        status: 200,
        headers: "Content-Type: image/png\r\n".to_owned(),
        prefix: b"\x89PNG".to_vec(),
        filler: Some(8 * MIB),
    };
    let (url, _) = stream_server::start(answer).await;
    let roomy = client(&url, BodyLimits::default().responses(MIB).media(16 * MIB));
    let path = |client: &Client| MediaPath::new(api(client), "items(1)/picture/pictureContent");

    let mut download = path(&roomy).download().await.unwrap();
    assert_eq!(download.content_type(), Some("image/png"));
    let (mut chunks, mut total, mut largest) = (0, 0, 0);
    while let Some(chunk) = download.next().await {
        let chunk = chunk.unwrap();
        (chunks, total, largest) = (chunks + 1, total + chunk.len(), largest.max(chunk.len()));
    }
    assert_eq!(total as u64, 8 * MIB + 4, "more than the response limit, within the media limit");
    assert!(chunks > 16 && largest <= MIB as usize, "{chunks} chunks, the largest {largest} bytes");

    let tight = client(&url, BodyLimits::default().media(MIB));
    let cut = path(&tight).download().await.unwrap().bytes().await.unwrap_err();
    assert!(matches!(cut, Error::ResponseTooLarge { limit } if limit == MIB), "{cut:?}");
}

#[tokio::test]
async fn a_streamed_upload_is_sent_once_with_its_length() {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("PUT"))
        .respond_with(wiremock::ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri()).retry_policy(support::fast_retry()).build().unwrap();
    let chunks = futures_util::stream::iter((0..4).map(|_| Ok::<_, std::io::Error>(vec![7u8; 1000])));
    let body = odata_v4_runtime::Body::sized_stream(4000, chunks);

    let error = json_request::<()>(&api(&client), Method::Put, "items(1)/picture", "", OperationKind::Update)
        .with_body("image/png", body)
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(503));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "a streamed body cannot be sent twice, so it is not retried");
    assert_eq!(requests[0].body.len(), 4000);
    assert_eq!(requests[0].headers.get("content-length").unwrap(), "4000");
}
