//! The request log and its assertions.

use business_central_sdk::api::v2_0::{self, customer};
use business_central_sdk::runtime::{Method, ServiceProfile};

use super::World;

#[tokio::test]
async fn every_part_of_a_request_is_recorded() {
    let world = World::new();
    let alpine = world.customer_by_number("10000");
    let path = world.company().customer(alpine.id);
    path.update(&alpine, customer::CustomerUpdate::new().city("Vail")).await.expect("update");
    world
        .company()
        .customers()
        .list()
        .filter(customer::number().is_in(["10000", "20000"]))
        .collect()
        .await
        .expect("list");

    let sent = world.bc.requests();
    assert_eq!(sent.len(), 2);
    let patch = &sent.all()[0];
    assert_eq!((patch.number, patch.method), (1, Method::Patch));
    assert_eq!(patch.path, format!("companies({})/customers({})", world.cronus, alpine.id));
    assert_eq!(patch.if_match(), alpine.etag.as_ref().map(|e| e.as_str()));
    assert_eq!(patch.body.as_deref(), Some(r#"{"city":"Vail"}"#));
    assert!(patch.is_to(&path) && patch.is_write());
    let list = &sent.all()[1];
    assert_eq!(list.filter(), Some("number in ('10000','20000')"));
    assert_eq!(list.query_param("$schemaversion"), Some("2.1"));
    assert!(list.is_to_collection(&world.company().customers()));
    assert_eq!(sent.to(&path).len(), 1);
    assert_eq!(sent.patches_to(&path).len(), 1);
    sent.assert_patches_to_carry_if_match(&path);
    sent.assert_no_in_without_schema_version();
    sent.assert_writes_carry_if_match();

    world.bc.clear_requests();
    assert!(world.bc.requests().is_empty());
}

#[tokio::test]
#[should_panic(expected = "PATCH without a real If-Match ETag")]
async fn an_unconditional_update_fails_the_if_match_assertion() {
    let world = World::new();
    let alpine = world.customer_by_number("10000");
    let path = world.company().customer(alpine.id);
    path.update_unconditionally(customer::CustomerUpdate::new().city("Vail")).await.expect("If-Match: *");
    world.bc.requests().assert_patches_to_carry_if_match(&path);
}

#[tokio::test]
#[should_panic(expected = "without $schemaversion=2.1")]
async fn in_without_schema_version_fails_its_assertion() {
    let world = World::new();
    let strict = world.bc.client_builder().profile(ServiceProfile::strict_odata()).build().expect("client");
    let customers = v2_0::Api::new(&strict).company(world.cronus).customers();
    customers.list().filter(customer::number().is_in(["10000"])).collect().await.expect("answered");
    world.bc.requests().assert_no_in_without_schema_version();
}

#[tokio::test]
async fn the_fake_also_answers_urls_of_business_central_online() {
    let world = World::new();
    let client =
        business_central_sdk::Client::builder(business_central_sdk::Environment::online("contoso.com", "sandbox"))
            .transport(world.bc.clone())
            .build()
            .expect("client");
    let all = v2_0::Api::new(&client).company(world.cronus).customers().list().collect().await.expect("listed");
    assert_eq!(all.len(), 5);
    let sent = world.bc.requests();
    assert!(
        sent.all()[0].url.starts_with("https://api.businesscentral.dynamics.com/v2.0/contoso.com/sandbox/api/v2.0/")
    );
    assert_eq!(sent.all()[0].path, format!("companies({})/customers", world.cronus));
}

#[tokio::test]
async fn credentials_stay_out_of_debug_output() {
    let world = World::new();
    let client = world
        .bc
        .client_builder()
        .credentials(business_central_sdk::runtime::StaticToken::new("secret-token-123"))
        .build()
        .expect("client");
    v2_0::Api::new(&client).companies().list().collect().await.expect("listed");
    let sent = world.bc.requests();
    assert_eq!(sent.all()[0].header("Authorization"), Some("Bearer secret-token-123"), "recorded for assertions");
    let printed = format!("{sent:?}");
    assert!(!printed.contains("secret-token-123") && printed.contains("<redacted>"), "{printed}");
}
