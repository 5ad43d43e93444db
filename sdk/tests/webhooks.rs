//! Webhook subscriptions on the wire, against wiremock: a company addressed
//! by name is subscribed (and matched) by id, and renewal margins of any
//! length are accepted. End-to-end behaviour against a simulated Business
//! Central is in `tests/e2e/webhooks.rs`.

mod support;

use std::time::Duration;

use business_central_sdk::api::v2_0;
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::webhooks::{self, ClientState, ResourcePath, Subscriptions};
use serde_json::json;
use support::builder;
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const COMPANY_ID: Uuid = Uuid::from_u128(0x0c5e_47b0_2a6e_4d3e_9c1f_5b8a_7d2e_6f10);

fn subscription(expires: &str) -> serde_json::Value {
    json!({
        "@odata.etag": "W/\"JzQ0OzE7MDA7Jw==\"",
        "subscriptionId": "c670ea73cacb459bb51dc1740da2f1db",
        "notificationUrl": "https://hooks.example.com/bc",
        "resource": format!("/api/v2.0/companies({COMPANY_ID})/customers"),
        "clientState": "",
        "expirationDateTime": expires,
    })
}

#[tokio::test]
async fn a_company_addressed_by_name_is_subscribed_and_matched_by_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/companies(name='M%C3%BCller%20%26%20O''Neil%20%232%2B')"))
        .and(query_param("$select", "id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": COMPANY_ID})))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2.0/subscriptions"))
        .and(body_partial_json(json!({"resource": format!("/api/v2.0/companies({COMPANY_ID})/customers")})))
        .respond_with(ResponseTemplate::new(201).set_body_json(subscription("2030-01-01T00:00:00Z")))
        .expect(1)
        .mount(&server)
        .await;
    let api = v2_0::Api::new(&builder(&server).build().unwrap());
    let by_name = api.company_by_name("Müller & O'Neil #2+").customers();

    let made = Subscriptions::new(api.raw())
        .subscribe(&by_name, "https://hooks.example.com/bc", &ClientState::new("secret"))
        .await
        .expect("subscribed with the company's id");
    assert_eq!(made.resource, format!("/api/v2.0/companies({COMPANY_ID})/customers"));

    // Notifications name the company by id: they match the resolved
    // collection, never the one addressed by name.
    let notified = ResourcePath::parse(&format!(
        "api/v2.0/companies({COMPANY_ID})/customers(4b4f31f0-dc1c-4033-b2aa-ab03ca1d6ebc)"
    ));
    assert!(!notified.is_in(&by_name));
    let by_id = webhooks::with_company_id(&by_name).await.expect("resolved");
    assert_eq!(by_id.raw().path(), format!("companies({COMPANY_ID})/customers"));
    assert!(notified.is_in(&by_id) && notified.entity_in(&by_id).is_some());

    // Already by id, or not below a company: nothing to read.
    assert_eq!(webhooks::with_company_id(&by_id).await.expect("as it is").raw().path(), by_id.raw().path());
    let companies = webhooks::with_company_id(&api.companies()).await.expect("as it is");
    assert_eq!(companies.raw().path(), "companies");
}

#[tokio::test]
async fn a_company_name_that_does_not_exist_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(
                json!({"error": {"code": "BadRequest_NotFound", "message": "The company does not exist."}}),
            ),
        )
        .mount(&server)
        .await;
    let api = v2_0::Api::new(&builder(&server).build().unwrap());
    let missing = webhooks::with_company_id(&api.company_by_name("Nobody").customers()).await;
    assert!(matches!(missing, Err(business_central_sdk::Error::NotFound(_))), "{missing:?}");
}

#[tokio::test]
async fn an_endless_renewal_margin_makes_every_subscription_due_without_overflowing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.0/subscriptions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"value": [subscription("9999-12-31T23:59:59Z")]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/api/v2.0/subscriptions('c670ea73cacb459bb51dc1740da2f1db')"))
        .respond_with(ResponseTemplate::new(200).set_body_json(subscription("9999-12-31T23:59:59Z")))
        .expect(1)
        .mount(&server)
        .await;
    let subscriptions = Subscriptions::new(v2_0::Api::new(&builder(&server).build().unwrap()).raw());
    let secret = ClientState::new("secret");

    let nothing = subscriptions.renew_expiring(&[], Duration::MAX, &secret).await.expect("listed");
    assert!(nothing.renewed.is_empty() && nothing.all_in_place());
    let ours = [webhooks::SubscriptionId::new("c670ea73cacb459bb51dc1740da2f1db")];
    let report = subscriptions.renew_expiring(&ours, Duration::MAX, &secret).await.expect("listed");
    assert_eq!((report.renewed.len(), report.not_due.len()), (1, 0), "{report:?}");
    let report = subscriptions.renew_expiring(&ours, Duration::from_secs(3600), &secret).await.expect("listed");
    assert_eq!((report.renewed.len(), report.not_due.len()), (0, 1), "{report:?}");
}
