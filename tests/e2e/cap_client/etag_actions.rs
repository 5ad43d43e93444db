// A bound action on an entity whose set declares `Core.OptimisticConcurrency`
// (`tests/etag_actions.rs` in the generated crate). Issue 21: the generated
// `submit()` sends no `If-Match`, which CAP refuses with 428. Written as the
// call is expected to look once fixed, taking the entity (or its ETag) the
// way `update` and `delete` do; `tests/e2e/cap.rs` builds it only in its
// ignored test `bound_action_on_an_entity_with_an_etag`.

use cap_shop::odata::v4::shop::{self as shop, order};
use cap_shop::runtime::uuid::Uuid;
use cap_shop::runtime::{Client, Error};

#[tokio::test]
async fn bound_action_on_an_entity_with_an_etag() {
    let base = std::env::var("CAP_BASE_URL").expect("CAP_BASE_URL is set by the test");
    let api = shop::Api::new(&Client::builder(base).build().expect("a client"));
    let id = Uuid::from_u128(0x0c000000_0000_4000_8000_000000000001);
    let created = api.orders().create(order::OrderCreate::new("ETag Action").id(id)).await.unwrap();

    let submitted = api.order(id).submit(&created).await.unwrap();
    assert_eq!(submitted.status.as_deref(), Some("Submitted"));
    let stale = api.order(id).submit(&created).await.unwrap_err();
    assert!(matches!(stale, Error::StaleEtag(_)), "{stale:?}");
}
