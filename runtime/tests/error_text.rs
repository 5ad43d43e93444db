//! Error text and request spans are bounded and safe to log: finding 8 of
//! the hardening review (a 5 MB message gave a 5,000,027-character
//! `Display`; transport errors printed "error sending request" three times
//! along their chain; decode errors printed `$filter` values).

mod support;

use odata_v4_runtime::{Client, Error, Method, OperationKind, Page};
use serde_json::json;
use support::recorder::Recorder;
use support::{api, builder, get, json_request};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PERSONAL: &str = "jane.doe@example.com";

#[tokio::test]
async fn a_huge_service_message_gives_a_bounded_error_with_its_code() {
    let server = MockServer::start().await;
    let message =
        format!("{} CorrelationId: 1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2.", "Posting failed. ".repeat(300_000));
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"code": "Application_DialogException", "message": message}})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = json_request::<serde_json::Value>(&api(&client), Method::Post, "items", "", OperationKind::Create)
        .await
        .unwrap_err();

    let shown = error.to_string();
    assert!(shown.len() < 1_300, "{} characters", shown.len());
    assert_eq!(error.code(), Some("Application_DialogException"));
    assert!(shown.contains("Application_DialogException: Posting failed. Posting failed."), "{}", &shown[..200]);
}

#[tokio::test]
async fn no_display_along_a_transport_error_chain_repeats_its_source() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder(format!("http://127.0.0.1:{port}/"))
        .retry_policy(odata_v4_runtime::RetryPolicy::none())
        .build()
        .unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    let mut chain: Vec<String> = vec![error.to_string()];
    let mut source = std::error::Error::source(&error);
    while let Some(next) = source {
        chain.push(next.to_string());
        source = next.source();
    }
    assert!(chain.len() >= 2, "the cause is kept: {chain:?}");
    for pair in chain.windows(2) {
        assert!(!pair[0].contains(&pair[1]), "{:?} repeats its source {:?}", pair[0], pair[1]);
    }
    let everything = chain.join(" / ");
    assert!(everything.matches("error sending request").count() <= 1, "{everything}");
}

#[tokio::test]
async fn decode_errors_show_query_option_names_not_their_values() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2.0/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": "not a list"})))
        .mount(&server)
        .await;
    let query = format!("$filter=email%20eq%20'{PERSONAL}'&$top=5");
    for (opt_in, shows) in [(false, false), (true, true)] {
        let client = builder(&server).query_values_in_errors(opt_in).build().unwrap();
        let error = json_request::<Page<serde_json::Value>>(
            &api(&client),
            Method::Get,
            "customers",
            &query,
            OperationKind::Read,
        )
        .await
        .unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(matches!(error, Error::Decode(_)), "{error:?}");
        assert_eq!(text.contains(PERSONAL), shows, "opted in: {opt_in}: {text}");
        assert!(text.contains("/api/v2.0/customers?$filter="), "{text}");
    }
}

/// Finding F5 of issue 21: a decode error's `Display` repeated the value
/// that did not fit, whole (5 MB seen).
#[tokio::test]
async fn a_huge_value_that_does_not_fit_gives_a_bounded_decode_error() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Entry {
        #[serde(rename = "entryNumber")]
        entry_number: u32,
    }
    let server = MockServer::start().await;
    let value = format!("{PERSONAL} {}", "0123456789".repeat(500_000));
    Mock::given(path("/api/v2.0/entries"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"entryNumber": value}]})))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = get::<Page<Entry>>(&api(&client), "entries").await.unwrap_err();

    let (shown, debugged) = (error.to_string(), format!("{error:?}"));
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert!(shown.len() < 1_300, "{} characters", shown.len());
    assert!(debugged.len() < 1_500, "{} characters", debugged.len());
    assert!(shown.contains("value[0].entryNumber") && shown.contains("invalid type: string"), "{shown}");
    assert!(!shown.contains(&"0123456789".repeat(4)), "the value is not repeated in full: {shown}");
}

#[tokio::test]
async fn spans_use_opentelemetry_names_and_keep_query_values_out() {
    let server = MockServer::start().await;
    let query = format!("$filter=email%20eq%20'{PERSONAL}'");
    for opt_in in [false, true] {
        let recorder = Recorder::default();
        let _guard = recorder.install();
        let client = builder(&server).query_values_in_errors(opt_in).build().unwrap();
        server.reset().await;
        // One 503 first, so that the retry's span is recorded too.
        Mock::given(path("/api/v2.0/customers"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/api/v2.0/customers"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
            .with_priority(2)
            .mount(&server)
            .await;

        json_request::<Page<serde_json::Value>>(&api(&client), Method::Get, "customers", &query, OperationKind::Read)
            .await
            .unwrap();

        let all = recorder.all();
        assert_eq!(recorder.value("http.request.method").as_deref(), Some("\"GET\""), "{all}");
        assert_eq!(recorder.value("url.path").as_deref(), Some("\"/api/v2.0/customers\""), "{all}");
        assert_eq!(recorder.value("server.address").as_deref(), Some("\"127.0.0.1\""), "{all}");
        assert_eq!(recorder.value("http.response.status_code").as_deref(), Some("200"), "{all}");
        assert_eq!(recorder.value("http.request.resend_count").as_deref(), Some("1"), "{all}");
        assert_eq!(all.contains(PERSONAL), opt_in, "opted in: {opt_in}: {all}");
    }
}
