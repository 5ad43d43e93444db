// The main tests of the crate generated from the CAP service's $metadata
// (`tests/peer.rs` there; `tests/e2e/cap.rs` builds and runs them, one at a
// time). They talk to the CAP server whose base URL is in `CAP_BASE_URL` and
// rely on the seed in `tests/cap/db/data/`; they run in parallel against one
// server, so each writes only orders of its own and asserts nothing another
// one changes.

use cap_shop::odata::v4::shop::enums::BookGenre;
use cap_shop::odata::v4::shop::{self as shop, author, book, order, order_item, order_note};
use cap_shop::runtime::chrono::NaiveDate;
use cap_shop::runtime::rust_decimal::Decimal;
use cap_shop::runtime::uuid::Uuid;
use cap_shop::runtime::{self as rt, Client, Error};
use futures_util::StreamExt;

fn api() -> shop::Api {
    let base = std::env::var("CAP_BASE_URL").expect("CAP_BASE_URL is set by the test");
    shop::Api::new(&Client::builder(base).build().expect("a client"))
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
}

fn ids(books: &[book::Book]) -> Vec<i32> {
    books.iter().map(|book| book.id).collect()
}

/// The sizes of the pages a paged read went through, and their entities.
async fn pages<T: Send + 'static>(mut stream: rt::PageStream<T>) -> (Vec<usize>, Vec<T>) {
    let (mut sizes, mut all) = (Vec::new(), Vec::new());
    while let Some(page) = stream.next().await {
        let page = page.expect("a page");
        sizes.push(page.items.len());
        all.extend(page.items);
    }
    (sizes, all)
}

/// An order of a test's own, with no items.
async fn new_order(api: &shop::Api, id: u128, customer: &str) -> order::Order {
    api.orders().create(order::OrderCreate::new(customer).id(Uuid::from_u128(id))).await.expect("order created")
}

#[tokio::test]
async fn typed_queries() {
    let api = api();

    // A string with a quote, a decimal, an enumeration value, a date.
    let quoted = api.books().list().filter(book::title().contains("O'Brien"));
    assert!(quoted.url().contains("contains(title,%27O%27%27Brien%27)"), "{}", quoted.url());
    assert_eq!(ids(&quoted.collect().await.unwrap()), [209]);
    // CAP declares no EnumType: `genre` is an Edm.String whose values are
    // listed in Validation.AllowedValues. The generated `BookGenre` holds
    // them (a typo does not compile), and the literal is a plain string.
    let science = api
        .books()
        .list()
        .filter(book::genre().eq(BookGenre::Science).and(book::price().gt(Decimal::new(1500, 2))))
        .order_by(book::price().desc());
    assert!(science.url().contains("genre%20eq%20%27Science%27"), "{}", science.url());
    let found = science.collect().await.unwrap();
    assert_eq!(ids(&found), [203, 205, 202]);
    assert!(found.iter().all(|b| b.genre == Some(BookGenre::Science)));
    assert_eq!(found[0].price, Some(Decimal::new(2240, 2)));
    let victorian = api
        .books()
        .list()
        .filter(book::published().ge(date(1840, 1, 1)).and(book::published().lt(date(1860, 1, 1))))
        .order_by(book::published());
    let found = victorian.collect().await.unwrap();
    assert_eq!(ids(&found), [210, 208, 201, 202]);
    assert_eq!(found[1].published, Some(date(1846, 5, 22)));

    // A strict OData service takes `or` across properties, and of `and`
    // groups (the generated BC SDK refuses both at compile time).
    let either = api
        .books()
        .list()
        .filter(
            book::genre()
                .eq(BookGenre::Poetry)
                .or(book::price().lt(Decimal::new(1000, 2)))
                .or(book::genre().eq(BookGenre::History).and(book::stock().gt(5))),
        )
        .order_by(book::id());
    assert!(either.url().contains("%20or%20price%20lt%2010"), "{}", either.url());
    assert_eq!(ids(&either.collect().await.unwrap()), [204, 206, 208, 209]);

    // $select: the key and the non-nullable properties always come along.
    let cheap = api
        .books()
        .list()
        .select(book::price())
        .filter(book::price().lt(Decimal::new(1000, 2)))
        .order_by(book::id())
        .collect()
        .await
        .unwrap();
    assert_eq!(
        cheap.iter().map(|b| (b.id, b.title.as_str(), b.price, b.genre.clone())).collect::<Vec<_>>(),
        [
            (206, "The Formation of Vegetable Mould", Some(Decimal::new(995, 2)), None),
            (209, "O'Brien's Harbour", Some(Decimal::new(899, 2)), None),
        ]
    );

    // $orderby on two keys, $skip and $top.
    let window = api.books().list().order_by(book::genre()).order_by(book::id().desc()).skip(2).top(4);
    assert_eq!(ids(&window.collect().await.unwrap()), [207, 204, 208, 210]);

    // $count: inline with the first page, and /$count.
    let counted = api.books().list().filter(book::genre().eq(BookGenre::Science)).count().first_page().await.unwrap();
    assert_eq!(counted.count, Some(5));
    assert_eq!(counted.items.len(), 3, "the server's page size");
    assert_eq!(api.books().count().await.unwrap(), 10);
    assert_eq!(api.books().list().filter(book::genre().eq(BookGenre::History)).count_request().await.unwrap(), 2);

    // $expand with nested options, from an entity and from a collection.
    let darwin = api
        .author(102)
        .get()
        .expand(
            author::books()
                .select(book::title())
                .filter(book::genre().eq(BookGenre::Science))
                .order_by(book::published().desc()),
        )
        .await
        .unwrap();
    assert_eq!(darwin.name, "Charles Darwin");
    assert_eq!(darwin.born, Some(date(1809, 2, 12)));
    let titles: Vec<&str> = darwin.books.as_deref().unwrap().iter().map(|b| b.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "The Formation of Vegetable Mould",
            "The Expression of the Emotions",
            "The Descent of Man",
            "On the Origin of Species"
        ]
    );
    let with_author = api
        .books()
        .list()
        .filter(book::genre().eq(BookGenre::Poetry))
        .expand(book::author())
        .expand(book::publisher())
        .collect()
        .await
        .unwrap();
    assert_eq!(with_author.len(), 1);
    assert_eq!(with_author[0].author.as_deref().map(|a| a.name.as_str()), Some("Emily Brontë"));
    assert_eq!(with_author[0].publisher.as_deref().map(|p| p.city.as_deref()), Some(Some("Harmondsworth")));

    // A navigation to one entity, and a missing key.
    let publisher = api.book(207).publisher().get().await.unwrap();
    assert_eq!(publisher.name, "Profile Books");
    let missing = api.book(999).get().await.unwrap_err();
    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");
}

#[tokio::test]
async fn paging_over_a_top_level_set() {
    let api = api();
    // The server's own limit: three a page (`@cds.query.limit` on Books).
    let (sizes, all) = pages(api.books().list().order_by(book::id()).pages()).await;
    assert_eq!(sizes, [3, 3, 3, 1]);
    assert_eq!(ids(&all), (201..=210).collect::<Vec<_>>());

    // Asking for pages of 2: the preference is sent, and CAP 9 does not
    // implement `odata.maxpagesize`, so its own pages of 3 are followed.
    let asked = api.books().list().order_by(book::id()).page_size(2);
    assert_eq!(asked.request().headers().get("Prefer"), Some("odata.maxpagesize=2"));
    let (sizes, all) = pages(asked.pages()).await;
    assert_eq!(sizes, [3, 3, 3, 1]);
    assert_eq!(all.len(), 10);

    // A filtered read over several pages keeps its filter on every page,
    // and $top ends the stream where it says.
    let filtered = api.books().list().filter(book::genre().ne(BookGenre::Science)).order_by(book::title());
    let (sizes, all) = pages(filtered.pages()).await;
    assert_eq!(sizes, [3, 2]);
    assert_eq!(ids(&all), [209, 208, 207, 204, 201]);
    let first_four = api.books().list().order_by(book::id()).top(4).collect().await.unwrap();
    assert_eq!(ids(&first_four), [201, 202, 203, 204]);
}

/// CAP's next links are relative to the context URL (`../$metadata#Books`,
/// so `Authors(102)/books?…` means `…/shop/Authors(102)/books?…`), not to
/// the request URL.
#[tokio::test]
async fn paging_over_a_navigation_collection() {
    let api = api();
    let darwin = api.author(102).books();
    let (sizes, all) = pages(darwin.list().order_by(book::id()).pages()).await;
    assert_eq!(sizes, [3, 2]);
    assert_eq!(ids(&all), [202, 203, 204, 205, 206]);
    // With a page size asked for (CAP 9 keeps its own).
    let (sizes, all) = pages(darwin.list().order_by(book::id()).page_size(2).pages()).await;
    assert_eq!(sizes, [3, 2]);
    assert_eq!(all.len(), 5);
    let titles = darwin.list().filter(book::genre().eq(BookGenre::Science)).order_by(book::title()).stream();
    let titles: Vec<String> = titles.map(|b| b.unwrap().title).collect().await;
    assert_eq!(
        titles,
        [
            "On the Origin of Species",
            "The Descent of Man",
            "The Expression of the Emotions",
            "The Formation of Vegetable Mould"
        ]
    );
}

#[tokio::test]
async fn updates_with_if_match_and_a_stale_etag() {
    let api = api();
    let created = new_order(&api, 0xa0000000_0000_4000_8000_000000000001, "Ann Updates").await;
    assert_eq!(created.status.as_deref(), Some("Open"), "the model's default");
    let etag = created.etag.clone().expect("Orders carry an ETag");
    assert!(etag.as_str().starts_with("W/\""), "{etag:?}");

    let order = api.order(created.id);
    let updated = order.update(&created, order::OrderUpdate::new().customer("Ann B. Updates")).await.unwrap();
    assert_eq!(updated.customer, "Ann B. Updates");
    assert_ne!(updated.etag, created.etag, "the managed timestamp moved on");

    let stale = order.update(&created, order::OrderUpdate::new().customer("lost")).await.unwrap_err();
    assert!(matches!(stale, Error::StaleEtag(_)), "{stale:?}");
    assert_eq!(order.get().await.unwrap().customer, "Ann B. Updates");

    let stale = order.delete(&created).await.unwrap_err();
    assert!(matches!(stale, Error::StaleEtag(_)), "{stale:?}");
    order.delete(&updated).await.unwrap();
    assert!(matches!(order.get().await.unwrap_err(), Error::NotFound(_)));
}

/// Deep insert through the runtime's untyped requests, beside the typed
/// `deep_insert_through_a_composition`: what a user without a generated
/// setter would write.
#[tokio::test]
async fn deep_insert_by_hand() {
    let api = api();
    let id = Uuid::from_u128(0xa0000000_0000_4000_8000_000000000002);
    let body = serde_json::json!({
        "ID": id.to_string(),
        "customer": "Deep Insert by Hand",
        "items": [
            { "ID": Uuid::from_u128(0xa0000000_0000_4000_8000_000000000021).to_string(), "book_ID": 202, "quantity": 2, "price": 18.00 },
            { "ID": Uuid::from_u128(0xa0000000_0000_4000_8000_000000000022).to_string(), "book_ID": 210, "quantity": 1, "price": 11.00 },
        ],
    });
    let target = rt::Target::Relative { path: "Orders".to_owned(), query: String::new() };
    let created = rt::Request::new(
        api.raw().clone(),
        rt::Method::Post,
        target,
        rt::OperationKind::Create,
        rt::decode::json::<order::Order>,
    )
    .with_body("application/json", body.to_string())
    .await
    .unwrap();
    assert_eq!(created.id, id);
    let items = created.items.expect("CAP answers a deep insert with the items");
    assert_eq!(items.iter().map(|i| (i.book_id, i.quantity)).collect::<Vec<_>>(), [(Some(202), 2), (Some(210), 1)]);
    assert!(items.iter().all(|i| i.order_id == Some(id)), "CAP fills in the parent key");

    let read = api.order(id).get().expand(order::items()).await.unwrap();
    assert_eq!(read.items.map(|items| items.len()), Some(2));
    assert_eq!(api.order(id).item_count().await.unwrap(), 2);
    assert_eq!(api.order(id).items().count().await.unwrap(), 2);
}

/// A note's key is its order's key and a line number; the order's path
/// reaches a note by the line alone (the shortened key predicate the
/// referential constraint of `OrderNotes.order` allows), and a typo'd
/// line is a 404, not some other order's note.
#[tokio::test]
async fn a_composition_item_by_the_rest_of_its_key() {
    let api = api();
    let id = Uuid::from_u128(0xa0000000_0000_4000_8000_000000000007);
    new_order(&api, 0xa0000000_0000_4000_8000_000000000007, "Notes").await;
    let other = Uuid::from_u128(0xa0000000_0000_4000_8000_000000000008);
    new_order(&api, 0xa0000000_0000_4000_8000_000000000008, "Other Notes").await;
    for (order, line, text) in [(id, 1, "call first"), (id, 2, "gift wrap"), (other, 2, "not this one")] {
        api.order(order).notes().create(order_note::OrderNoteCreate::new(order, line).text(text)).await.unwrap();
    }

    let note = api.order(id).order_note(2);
    assert!(note.url().ends_with(&format!("Orders({id})/notes(2)")), "{}", note.url());
    let read = note.get().await.unwrap();
    assert_eq!((read.order_id, read.line, read.text.as_deref()), (id, 2, Some("gift wrap")));
    let missing = api.order(id).order_note(3).get().await.unwrap_err();
    assert_eq!(missing.status(), Some(404), "{missing:?}");
}

/// CAP declares a composition as a plain navigation (`OnDelete
/// Action="Cascade"`): deep insert applies to it as to any navigation, so
/// `OrderCreate::items` exists.
#[tokio::test]
async fn deep_insert_through_a_composition() {
    let api = api();
    let id = Uuid::from_u128(0x0b000000_0000_4000_8000_000000000001);
    let lines = [
        order_item::OrderItemCreate::new(3)
            .id(Uuid::from_u128(0x0b000000_0000_4000_8000_000000000011))
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

/// The bound action on an ETag-protected order takes the order as last
/// read and sends its ETag in `If-Match`, as `update` does.
#[tokio::test]
async fn bound_operations_send_the_etag_they_are_given() {
    let api = api();
    let created = new_order(&api, 0xa0000000_0000_4000_8000_000000000003, "Bound by Hand").await;
    let order = api.order(created.id);

    let submitted = order.submit(&created).await.unwrap();
    assert_eq!(submitted.status.as_deref(), Some("Submitted"));
    assert_ne!(submitted.etag, created.etag, "the action changed the order");

    // The ETag read before the action is stale now.
    let stale = order.submit(&created).await.unwrap_err();
    assert!(matches!(stale, Error::StaleEtag(_)), "{stale:?}");
    // With the current one, the handler refuses a second submission.
    let again = order.submit(&submitted).await.unwrap_err();
    assert!(matches!(&again, Error::Conflict(e) if e.message.contains("Submitted")), "{again:?}");
    // An ETag alone does as well as the entity.
    let etag = submitted.etag.clone().expect("an ETag");
    assert!(matches!(order.submit(&etag).await.unwrap_err(), Error::Conflict(_)));

    // Bound functions need no ETag.
    assert_eq!(order.item_count().await.unwrap(), 0);
    let seeded = api.order(Uuid::from_u128(0x5eed0000_0000_4000_8000_000000000001));
    assert_eq!(seeded.item_count().await.unwrap(), 2);
    let taxed = api.book(201).price_with_tax().rate(Decimal::new(19, 0)).await.unwrap();
    assert_eq!(taxed, Decimal::new(1488, 2));
    // `rate` is a `Core.OptionalParameter`: left out, CAP's handler takes 0.
    let untaxed = api.book(201).price_with_tax().await.unwrap();
    assert_eq!(untaxed, Decimal::new(1250, 2));
}

#[tokio::test]
async fn a_computed_key_is_left_to_the_service() {
    let api = api();
    // CAP marks UUID keys `Core.ComputedDefaultValue`: not a constructor
    // argument, and the service fills it in.
    let created = api.orders().create(order::OrderCreate::new("Computed Key")).await.unwrap();
    assert!(!created.id.is_nil());
    assert_eq!(api.order(created.id).get().await.unwrap().customer, "Computed Key");
}

#[tokio::test]
async fn unbound_operations() {
    let api = api();
    // Book 206 is restocked here only; no other test reads its stock.
    let restocked = api.restock(206, 4).await.unwrap();
    assert_eq!((restocked.id, restocked.stock), (206, Some(5)));
    let refused = api.restock(206, 0).await.unwrap_err();
    assert_eq!(refused.status(), Some(400), "{refused:?}");
    let missing = api.restock(999, 1).await.unwrap_err();
    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");

    assert_eq!(api.stock_of_genre().genre("History").await.unwrap(), 11);
    assert_eq!(api.stock_of_genre().genre("Poetry").await.unwrap(), 1);
}

#[tokio::test]
async fn json_batch() {
    let api = api();
    let created = new_order(&api, 0xa0000000_0000_4000_8000_000000000005, "Batch").await;

    let mut batch = api.batch();
    let book = batch.add(api.book(201).get().request());
    let count = batch.add(api.books().list().filter(book::genre().eq(BookGenre::Science)).count_request());
    let page = batch.add(api.books().list().filter(book::author_id().eq(102)).order_by(book::id()).top(2).request());
    // CAP 9 finds a sub-request's `If-Match` only as `if-match` (Node.js
    // lower-cases the headers of real requests); the runtime writes
    // sub-request header names in lower case.
    let update = batch.add(api.order(created.id).update(&created, order::OrderUpdate::new().customer("Batched")));
    let missing = batch.add(api.book(999).get().request());
    let publishers = batch.add(api.publishers().list().order_by(shop::publisher::code()).request());
    let mut answers = batch.await.unwrap();

    assert_eq!(answers.take(book).unwrap().title, "Wuthering Heights");
    assert_eq!(answers.take(count).unwrap(), 5);
    let page = answers.take(page).unwrap();
    assert_eq!(ids(&page.items), [202, 203]);
    assert_eq!(page.next_link, None);
    assert_eq!(answers.take(update).unwrap().customer, "Batched");
    assert!(matches!(answers.take(missing).unwrap_err(), Error::NotFound(_)));
    let codes: Vec<String> = answers.take(publishers).unwrap().items.into_iter().map(|p| p.code).collect();
    assert_eq!(codes, ["MUR", "PEN", "PRO"]);
    assert_eq!(api.order(created.id).get().await.unwrap().customer, "Batched");
}

/// An atomic batch is one `atomicityGroup`: CAP applies neither update
/// when the second one's ETag is stale.
#[tokio::test]
async fn atomic_batch() {
    let api = api();
    let created = new_order(&api, 0xa0000000_0000_4000_8000_000000000006, "Atomic Batch").await;
    let current = api
        .order(created.id)
        .update(&created, order::OrderUpdate::new().customer("Changed"))
        .await
        .unwrap();

    // Both updates or neither: the second one's ETag is stale.
    let mut atomic = api.batch().atomic();
    atomic.add(api.order(created.id).update(&current, order::OrderUpdate::new().customer("Atomic")));
    let stale = atomic.add(api.order(created.id).update(&created, order::OrderUpdate::new().status("Lost")));
    if let Ok(mut answers) = atomic.await {
        let refused = answers.take(stale).unwrap_err();
        assert!(matches!(refused, Error::StaleEtag(_)), "{refused:?}");
    }
    let after = api.order(created.id).get().await.unwrap();
    assert_eq!(
        (after.customer.as_str(), after.status.as_deref()),
        ("Changed", Some("Open")),
        "nothing of the set was applied"
    );
}

#[tokio::test]
async fn a_read_only_entity_set() {
    let api = api();
    let london: Vec<String> = api
        .publishers()
        .list()
        .filter(shop::publisher::city().eq("London"))
        .order_by(shop::publisher::name())
        .collect()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(london, ["John Murray", "Profile Books"]);
    let penguin = api.publisher("PEN").get().await.unwrap();
    assert_eq!(penguin.name, "Penguin Classics");

    // The generated API offers no create, update or delete for the set
    // (the outer test checks the generated code); the service refuses one
    // made by hand all the same.
    let target = rt::Target::Relative { path: "Publishers".to_owned(), query: String::new() };
    let refused = rt::Request::new(
        api.raw().clone(),
        rt::Method::Post,
        target,
        rt::OperationKind::Create,
        rt::decode::json::<serde_json::Value>,
    )
    .with_body("application/json", r#"{"code":"NEW","name":"New Press"}"#)
    .await
    .unwrap_err();
    assert_eq!(refused.status(), Some(405), "{refused:?}");
    assert_eq!(refused.code(), Some("ENTITY_IS_READ_ONLY"), "{refused:?}");
    assert_eq!(api.publishers().count().await.unwrap(), 3);
}
