//! Error mapping and the retry policy: which answers become which `Error`
//! case, what is retried, and what must never be.

mod runtime_support;

use std::time::{Duration, Instant, SystemTime};

use business_central_sdk::runtime::{
    Client, Environment, Error, Method, OperationKind, RetryPolicy,
};
use runtime_support::{api, builder, get, json_request, no_content_request, request_count};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn bc_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": {"code": code, "message": message}}))
}

async fn patch_error(template: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    no_content_request(
        &api(&client),
        Method::Patch,
        "companies(1)/items(2)",
        OperationKind::Update,
    )
    .header("If-Match", "W/\"JzE5OzY3OzAwOyc=\"")
    .send()
    .await
    .unwrap_err()
}

#[tokio::test]
async fn entity_changed_409_is_a_stale_etag() {
    let error = patch_error(bc_error(
        409,
        "Request_EntityChanged",
        "Another user has already changed the record.  CorrelationId:  1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2.",
    ))
    .await;

    assert!(matches!(error, Error::StaleEtag(_)), "{error:?}");
    assert_eq!(error.status(), Some(409));
    assert_eq!(
        error.correlation_id(),
        Some("1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2")
    );
}

#[tokio::test]
async fn precondition_failed_412_is_a_stale_etag() {
    let error = patch_error(ResponseTemplate::new(412)).await;

    assert!(matches!(error, Error::StaleEtag(_)), "{error:?}");
    assert_eq!(error.status(), Some(412));
}

#[tokio::test]
async fn other_409s_are_conflicts() {
    let error = patch_error(bc_error(
        409,
        "Internal_EntityWithSameKeyExists",
        "The record already exists.",
    ))
    .await;

    assert!(matches!(error, Error::Conflict(_)), "{error:?}");
    assert_eq!(error.code(), Some("Internal_EntityWithSameKeyExists"));
}

#[tokio::test]
async fn business_central_error_json_is_parsed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(bc_error(
            400,
            "BadRequest_NotFound",
            "Bad Request - Error in query syntax.  CorrelationId:  7d4f3e2a-5b6c-4d8e-9f01-23456789abcd.",
        ))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies")
        .send()
        .await
        .unwrap_err();

    let Error::Service(service) = &error else {
        panic!("expected a service error, got {error:?}")
    };
    assert_eq!(service.status, 400);
    assert_eq!(service.code.as_deref(), Some("BadRequest_NotFound"));
    assert_eq!(service.message, "Bad Request - Error in query syntax.");
    assert_eq!(
        service.correlation_id.as_deref(),
        Some("7d4f3e2a-5b6c-4d8e-9f01-23456789abcd")
    );
    assert_eq!(
        error.correlation_id(),
        Some("7d4f3e2a-5b6c-4d8e-9f01-23456789abcd")
    );
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
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies")
        .send()
        .await
        .unwrap_err();

    let service = error.service_error().expect("a service error");
    assert_eq!(service.status, 502);
    assert_eq!(service.code, None);
    assert_eq!(service.message, "502 Bad Gateway 502 Bad Gateway");
}

#[tokio::test]
async fn status_codes_map_to_their_cases() {
    let server = MockServer::start().await;
    for (status, route) in [
        (404, "missing"),
        (403, "forbidden"),
        (504, "slow"),
        (408, "timeout"),
        (500, "broken"),
    ] {
        Mock::given(path(format!("/api/v2.0/{route}")))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
    }
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let api = api(&client);
    let fetch = |route: &'static str| get::<serde_json::Value>(&api, route).send();

    assert!(matches!(fetch("missing").await, Err(Error::NotFound(_))));
    assert!(matches!(fetch("forbidden").await, Err(Error::Forbidden(_))));
    assert!(matches!(
        fetch("slow").await,
        Err(Error::Timeout {
            service: Some(_),
            ..
        })
    ));
    assert!(matches!(
        fetch("timeout").await,
        Err(Error::Timeout {
            service: Some(_),
            ..
        })
    ));
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

    let body: serde_json::Value = get(&api(&client), "companies").send().await.unwrap();

    assert_eq!(body, json!({"value": [1]}));
    assert_eq!(request_count(&server).await, 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 must be honoured"
    );
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

    let body: serde_json::Value = get(&api(&client), "companies").send().await.unwrap();

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

    let error = get::<serde_json::Value>(&api(&client), "companies")
        .send()
        .await
        .unwrap_err();

    let Error::Throttled(service) = &error else {
        panic!("expected throttling, got {error:?}")
    };
    assert_eq!(service.retry_after, Some(Duration::ZERO));
}

#[tokio::test]
async fn a_create_is_not_retried_after_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = json_request::<serde_json::Value>(
        &api(&client),
        Method::Post,
        "companies(1)/customers",
        "",
        OperationKind::Create,
    )
    .with_body("application/json", r#"{"displayName":"Adatum"}"#)
    .send()
    .await
    .unwrap_err();

    assert_eq!(error.status(), Some(503));
    assert_eq!(
        request_count(&server).await,
        1,
        "a create must reach the server exactly once"
    );
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

    let created: serde_json::Value = json_request(
        &api(&client),
        Method::Post,
        "companies(1)/customers",
        "",
        OperationKind::Create,
    )
    .with_body("application/json", "{}")
    .send()
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

    let body: serde_json::Value = get(&api(&client), "companies").send().await.unwrap();

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
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [{"number": "10000"}, {"number": 20000}]})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let error = get::<Customers>(&api(&client), "companies(1)/customers")
        .send()
        .await
        .unwrap_err();

    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}")
    };
    assert_eq!(decode.path, "value[1].number");
    assert!(
        decode.message.contains("expected a string"),
        "{}",
        decode.message
    );
    assert_eq!(
        decode.url,
        format!("{}/api/v2.0/companies(1)/customers", server.uri())
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // Bind and release a port so that nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder(Environment::custom(format!("http://127.0.0.1:{port}/")))
        .retry_policy(runtime_support::fast_retry())
        .build()
        .unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies")
        .send()
        .await
        .unwrap_err();

    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert!(transport.is_connect(), "{transport:?}");
}
