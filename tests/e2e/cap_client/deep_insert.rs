// Deep insert through a composition with the generated setter (`tests/deep_insert.rs`
// in the generated crate). CAP declares a composition as a plain navigation
// with `OnDelete Action="Cascade"`, which the generator takes, like
// containment, as a navigation the parent owns: `OrderCreate::items` exists.
// Built as a crate test of its own by `deep_insert_through_a_composition` in
// `tests/e2e/cap.rs`.

use cap_shop::odata::v4::shop::{self as shop, order, order_item};
use cap_shop::runtime::Client;
use cap_shop::runtime::rust_decimal::Decimal;
use cap_shop::runtime::uuid::Uuid;

#[tokio::test]
async fn deep_insert_through_a_composition() {
    let base = std::env::var("CAP_BASE_URL").expect("CAP_BASE_URL is set by the test");
    let api = shop::Api::new(&Client::builder(base).build().expect("a client"));
    let id = Uuid::from_u128(0x0b000000_0000_4000_8000_000000000001);
    let lines = [
        order_item::OrderItemCreate::new(3).id(Uuid::from_u128(0x0b000000_0000_4000_8000_000000000011))
            .book_id(207)
            .price(Decimal::new(2400, 2)),
        order_item::OrderItemCreate::new(1).id(Uuid::from_u128(0x0b000000_0000_4000_8000_000000000012)).book_id(209),
    ];
    let created = api.orders().create(order::OrderCreate::new("Deep Insert").id(id).items(lines)).await.unwrap();
    assert_eq!(created.id, id);
    let items = created.items.expect("CAP answers a deep insert with the items");
    assert_eq!(
        items.iter().map(|i| (i.book_id, i.quantity, i.price)).collect::<Vec<_>>(),
        [(Some(207), 3, Some(Decimal::new(2400, 2))), (Some(209), 1, None)]
    );
    assert!(items.iter().all(|i| i.order_id == Some(id)), "CAP fills in the parent key");
    assert_eq!(api.order(id).item_count().await.unwrap(), 2);
}
