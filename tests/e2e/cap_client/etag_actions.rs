// A bound action on an entity whose set declares `Core.OptimisticConcurrency`
// (`tests/etag_actions.rs` in the generated crate): the generated `submit`
// takes the entity (or its ETag) the way `update` and `delete` do and sends
// `If-Match`; without it CAP answers 428. Built as a crate test of its own
// by `bound_action_on_an_entity_with_an_etag` in `tests/e2e/cap.rs`.

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
