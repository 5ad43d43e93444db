//! Server-driven paging: next links followed verbatim with the first
//! request's headers, nothing lost or repeated, limits respected, pages
//! fetched only on demand, and exports resumable from a stored link.

mod support;

use futures_util::StreamExt;
use odata_v4_runtime::{Error, ItemStream, NextLink, Page, PageStream, StaticToken, decode};
use serde::Deserialize;
use serde_json::json;
use support::{api, builder, get, request_count};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request as SeenRequest, ResponseTemplate};

#[derive(Debug, Deserialize, PartialEq)]
struct Entry {
    #[serde(rename = "entryNumber")]
    entry_number: u32,
}

const PAGE_SIZE: u32 = 7;

/// Serves `total` entries in pages of `PAGE_SIZE`, BC style: the skip
/// token is the last key of the page, and the next link is absolute.
async fn paged_server(total: u32) -> MockServer {
    let server = MockServer::start().await;
    let base = format!("{}/api/v2.0/companies(1)/generalLedgerEntries", server.uri());
    Mock::given(method("GET"))
        .and(path("/api/v2.0/companies(1)/generalLedgerEntries"))
        .respond_with(move |request: &SeenRequest| {
            let after: u32 = request
                .url
                .query_pairs()
                .find(|(key, _)| key == "$skiptoken")
                .and_then(|(_, value)| value.parse().ok())
                .unwrap_or(0);
            let last = (after + PAGE_SIZE).min(total);
            let items: Vec<_> =
                (after + 1..=last).map(|n| json!({"entryNumber": n, "@odata.etag": "W/\"x\""})).collect();
            let mut body = json!({"@odata.context": "ctx", "value": items});
            if last < total {
                body["@odata.nextLink"] = json!(format!("{base}?$skiptoken={last}"));
            }
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    server
}

fn entries_request(api: &odata_v4_runtime::Api) -> odata_v4_runtime::Request<Page<Entry>> {
    get::<Page<Entry>>(api, "companies(1)/generalLedgerEntries").header("X-Export", "nightly")
}

#[tokio::test]
async fn five_pages_arrive_without_loss_or_repetition() {
    let server = paged_server(33).await;
    let client = builder(&server).max_page_size(PAGE_SIZE).build().unwrap();
    let api = api(&client);

    let entries = ItemStream::new(entries_request(&api), None).collect_all().await.unwrap();

    let numbers: Vec<u32> = entries.iter().map(|e| e.entry_number).collect();
    assert_eq!(numbers, (1..=33).collect::<Vec<_>>());
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 5);
    for (index, request) in requests.iter().enumerate() {
        assert_eq!(request.headers.get("Prefer").unwrap(), "odata.maxpagesize=7", "page {index}");
        assert_eq!(
            request.headers.get("X-Export").unwrap(),
            "nightly",
            "page {index} must keep the first request's headers"
        );
    }
    let skip_tokens: Vec<Option<String>> = requests
        .iter()
        .map(|r| r.url.query_pairs().find(|(k, _)| k == "$skiptoken").map(|(_, v)| v.into_owned()))
        .collect();
    assert_eq!(skip_tokens, vec![None, Some("7".into()), Some("14".into()), Some("21".into()), Some("28".into())]);
}

#[tokio::test]
async fn pages_come_with_their_links() {
    let server = paged_server(15).await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);

    let pages: Vec<Page<Entry>> =
        PageStream::new(entries_request(&api), None).map(|page| page.unwrap()).collect().await;

    assert_eq!(pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(), vec![7, 7, 1]);
    assert!(pages[0].next_link.as_ref().unwrap().as_str().ends_with("?$skiptoken=7"));
    assert!(pages[2].next_link.is_none());
    let request = &server.received_requests().await.unwrap()[0];
    assert!(request.headers.get("Prefer").is_none(), "no page size configured, no preference sent");
}

#[tokio::test]
async fn an_item_limit_stops_the_stream_without_fetching_more() {
    let server = paged_server(33).await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);

    let entries = ItemStream::new(entries_request(&api), Some(10)).collect_all().await.unwrap();

    assert_eq!(entries.len(), 10);
    assert_eq!(entries.last().unwrap().entry_number, 10);
    assert_eq!(request_count(&server).await, 2);
    assert!(ItemStream::new(entries_request(&api), Some(0)).collect_all().await.unwrap().is_empty());
    assert_eq!(request_count(&server).await, 2, "a zero limit sends nothing");
}

#[tokio::test]
async fn the_next_page_is_fetched_only_after_the_current_one_is_drained() {
    let server = paged_server(33).await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);
    let mut items = ItemStream::new(entries_request(&api), None);

    assert_eq!(request_count(&server).await, 0, "nothing is sent before the stream is polled");
    for expected in 1..=PAGE_SIZE {
        assert_eq!(items.next().await.unwrap().unwrap().entry_number, expected);
        assert_eq!(request_count(&server).await, 1);
    }
    assert_eq!(items.next().await.unwrap().unwrap().entry_number, PAGE_SIZE + 1);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn an_export_resumes_from_a_stored_next_link() {
    let server = paged_server(20).await;
    let client = builder(&server).max_page_size(PAGE_SIZE).build().unwrap();
    let api = api(&client);

    let first = Page::fetch(entries_request(&api)).await.unwrap();
    assert_eq!(first.items.len(), 7);
    let stored = serde_json::to_string(&first.next_link.unwrap()).unwrap();

    let link: NextLink = serde_json::from_str(&stored).unwrap();
    let rest = ItemStream::new(link.resume(&api, decode::json::<Page<Entry>>), None).collect_all().await.unwrap();

    let numbers: Vec<u32> = first.items.iter().chain(&rest).map(|e| e.entry_number).collect();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>());
    for request in server.received_requests().await.unwrap() {
        assert_eq!(request.headers.get("Prefer").unwrap(), "odata.maxpagesize=7");
    }
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_and_stays_resumable() {
    let server = MockServer::start().await;
    let next = format!("{}/api/v2.0/broken?$skiptoken=1", server.uri());
    Mock::given(path("/api/v2.0/start"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"value": [{"entryNumber": 1}], "@odata.nextLink": next})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v2.0/broken")).respond_with(ResponseTemplate::new(400)).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let mut pages = PageStream::new(get::<Page<Entry>>(&api(&client), "start"), None);

    assert!(pages.next().await.unwrap().is_ok());
    assert!(matches!(pages.next().await, Some(Err(_))));
    assert!(pages.next().await.is_none());
    assert_eq!(pages.next_link().map(NextLink::into_string), Some(next));
}

/// A typed query continues from a saved next link with its own headers.
#[tokio::test]
async fn a_typed_query_resumes_from_a_saved_next_link() {
    use odata_v4_runtime::uuid;
    use support::model::currencies;
    use wiremock::matchers::{header, query_param};

    let server = MockServer::start().await;
    let company = "/api/v2.0/companies(11111111-1111-1111-1111-111111111111)/currencies";
    let row =
        |code: &str| json!({"@odata.etag": "W/\"1\"", "id": "aaaaaaaa-0000-0000-0000-000000000001", "code": code});
    Mock::given(method("GET"))
        .and(path(company))
        .and(query_param("$skiptoken", "2"))
        .and(header("Prefer", "odata.maxpagesize=2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [row("EUR"), row("GBP")],
            "@odata.nextLink": format!("{}{company}?$skiptoken=4", server.uri()),
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(company))
        .and(query_param("$skiptoken", "4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [row("USD")]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let company_id = uuid::Uuid::from_u128(0x11111111_1111_1111_1111_111111111111);
    let query = currencies(&api(&client), company_id).list().page_size(2);
    let saved = NextLink::new(format!("{}{company}?$skiptoken=2", server.uri()));
    let codes: Vec<String> = query.resume_from(&saved).map(|c| c.unwrap().code).collect().await;
    assert_eq!(codes, ["EUR", "GBP", "USD"]);
}

/// Serves `/api/v2.0/start` once: one entry, and `next` as the next link.
async fn first_page_linking_to(server: &MockServer, next: serde_json::Value) {
    Mock::given(path("/api/v2.0/start"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"value": [{"entryNumber": 1}], "@odata.nextLink": next})),
        )
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"entryNumber": 2}]})))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let foreign = format!("{}/api/v2.0/start?$skiptoken=1", elsewhere.uri());
    first_page_linking_to(&server, json!(foreign)).await;
    let client = builder(&server).credentials(StaticToken::new("t0ken")).build().unwrap();
    let mut pages = PageStream::new(get::<Page<Entry>>(&api(&client), "start"), None);

    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(first.items, vec![Entry { entry_number: 1 }]);
    let refused = pages.next().await.unwrap().unwrap_err();
    assert!(matches!(refused, Error::InvalidRequest(_)), "{refused:?}");
    assert!(refused.to_string().contains("refusing"), "{refused}");
    assert!(pages.next().await.is_none(), "the stream ends there");
    assert_eq!(request_count(&elsewhere).await, 0, "nothing reaches the other host");
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn a_stored_link_to_another_host_is_not_resumed() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let client = builder(&server).credentials(StaticToken::new("t0ken")).build().unwrap();
    let api = api(&client);
    let link = NextLink::new(format!("{}/api/v2.0/start?$skiptoken=1", elsewhere.uri()));

    let single = link.resume(&api, decode::json::<Page<Entry>>).await.unwrap_err();
    let streamed =
        ItemStream::new(link.resume(&api, decode::json::<Page<Entry>>), None).collect_all().await.unwrap_err();
    let fetched = Page::fetch(link.resume(&api, decode::json::<Page<Entry>>)).await.unwrap_err();
    let relative = NextLink::new("start?$skiptoken=1").resume(&api, decode::json::<Page<Entry>>).await.unwrap_err();

    for error in [single, streamed, fetched, relative] {
        assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    }
    assert_eq!(request_count(&elsewhere).await, 0);
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn a_typed_query_does_not_resume_from_another_host() {
    use odata_v4_runtime::uuid;
    use support::model::currencies;

    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let client = builder(&server).credentials(StaticToken::new("t0ken")).build().unwrap();
    let query = currencies(&api(&client), uuid::Uuid::from_u128(1)).list();
    let saved = NextLink::new(format!("{}/api/v2.0/currencies?$skiptoken=2", elsewhere.uri()));

    let outcome: Vec<_> = query.resume_from(&saved).collect().await;

    assert_eq!(outcome.len(), 1);
    assert!(matches!(outcome[0], Err(Error::InvalidRequest(_))), "{outcome:?}");
    assert_eq!(request_count(&elsewhere).await, 0);
}

#[tokio::test]
async fn a_relative_next_link_is_followed() {
    let server = MockServer::start().await;
    // Relative to the page URL .../companies(1)/entries: a sibling path.
    Mock::given(path("/api/v2.0/companies(1)/entries"))
        .and(wiremock::matchers::query_param_is_missing("$skiptoken"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [{"entryNumber": 1}], "@odata.nextLink": "entries?$skiptoken=1"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    // Relative to the absolute context URL (the OData rule when one is sent).
    Mock::given(path("/api/v2.0/companies(1)/entries"))
        .and(wiremock::matchers::query_param("$skiptoken", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@odata.context": format!("{}/api/v2.0/$metadata#companies(1)/entries", server.uri()),
            "value": [{"entryNumber": 2}],
            "@odata.nextLink": "companies(1)/entries?$skiptoken=2",
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v2.0/companies(1)/entries"))
        .and(wiremock::matchers::query_param("$skiptoken", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"entryNumber": 3}]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = api(&client);

    let pages: Vec<Page<Entry>> = PageStream::new(get::<Page<Entry>>(&api, "companies(1)/entries"), None)
        .map(|page| page.unwrap())
        .collect()
        .await;

    let numbers: Vec<u32> = pages.iter().flat_map(|page| page.items.iter().map(|e| e.entry_number)).collect();
    assert_eq!(numbers, vec![1, 2, 3]);
    assert_eq!(
        pages[0].next_link.as_ref().map(NextLink::as_str),
        Some(format!("{}/api/v2.0/companies(1)/entries?$skiptoken=1", server.uri()).as_str()),
        "pages hand out the absolute link, ready to store"
    );
    let single = Page::fetch(get::<Page<Entry>>(&api, "companies(1)/entries")).await.unwrap();
    assert_eq!(single.next_link, pages[0].next_link, "a single page resolves its link the same way");
}

/// How a navigation collection's page states the base of its relative
/// next link.
enum Context {
    /// `http://127.0.0.1:…/api/v2.0/$metadata#Books`.
    Absolute,
    /// `../$metadata#Books`, relative to the request URL (SAP CAP).
    Relative,
    /// None: the link is relative to the request URL itself.
    Missing,
}

/// Serves `Authors(106)/books` in two pages the way SAP CAP does: the
/// first links to the second with a relative `@odata.nextLink`, whose base
/// is the context URL (OData JSON Format 4.01 section 4.6).
async fn navigation_server(context: Context) -> MockServer {
    let server = MockServer::start().await;
    let books = "/api/v2.0/Authors(106)/books";
    let mut first = json!({"value": [{"entryNumber": 1}, {"entryNumber": 2}]});
    match context {
        Context::Absolute => {
            first["@odata.context"] = json!(format!("{}/api/v2.0/$metadata#Books", server.uri()));
            first["@odata.nextLink"] = json!("Authors(106)/books?%24skiptoken=4");
        }
        Context::Relative => {
            first["@odata.context"] = json!("../$metadata#Books");
            first["@odata.nextLink"] = json!("Authors(106)/books?%24skiptoken=4");
        }
        Context::Missing => first["@odata.nextLink"] = json!("books?%24skiptoken=4"),
    }
    Mock::given(path(books))
        .and(wiremock::matchers::query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(first))
        .mount(&server)
        .await;
    Mock::given(path(books))
        .and(wiremock::matchers::query_param("$skiptoken", "4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@odata.context": "../$metadata#Books",
            "value": [{"entryNumber": 3}],
        })))
        .mount(&server)
        .await;
    server
}

/// A conformance run against SAP CAP: the next link of `Authors(106)/books`
/// was resolved against the request URL instead of the relative context
/// URL, and the stream asked for `Authors(106)/Authors(106)/books` (404).
#[tokio::test]
async fn a_navigation_collections_next_link_resolves_against_its_context() {
    for context in [Context::Absolute, Context::Relative, Context::Missing] {
        let server = navigation_server(context).await;
        let client = builder(&server).build().unwrap();
        let api = api(&client);
        let books = || get::<Page<Entry>>(&api, "Authors(106)/books");

        let numbers: Vec<u32> =
            ItemStream::new(books(), None).collect_all().await.unwrap().iter().map(|e| e.entry_number).collect();
        let single = Page::fetch(books()).await.unwrap();

        assert_eq!(numbers, vec![1, 2, 3]);
        let expected = format!("{}/api/v2.0/Authors(106)/books?%24skiptoken=4", server.uri());
        assert_eq!(single.next_link.as_ref().map(NextLink::as_str), Some(expected.as_str()));
        let requested: Vec<String> =
            server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_owned()).collect();
        assert!(requested.iter().all(|p| p == "/api/v2.0/Authors(106)/books"), "{requested:?}");
    }
}

/// Serves pages `a` and `b` whose next links point at each other, so that a
/// stream that does not notice would fetch `a, b, a, b, …` for ever.
async fn cycling_server() -> MockServer {
    let server = MockServer::start().await;
    let url = |page: &str| format!("{}/api/v2.0/companies(1)/generalLedgerEntries?$skiptoken={page}", server.uri());
    for (page, next, first) in [("a", url("b"), 1), ("b", url("a"), 2)] {
        Mock::given(method("GET"))
            .and(path("/api/v2.0/companies(1)/generalLedgerEntries"))
            .and(wiremock::matchers::query_param("$skiptoken", page))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "value": [{"entryNumber": first}], "@odata.nextLink": next,
            })))
            .mount(&server)
            .await;
    }
    server
}

/// Finding 5: a next-link cycle longer than one page (A → B → A) was
/// followed for ever.
#[tokio::test]
async fn a_next_link_cycle_ends_the_stream() {
    let server = cycling_server().await;
    let client = builder(&server).build().unwrap();
    let first = NextLink::new(format!("{}/api/v2.0/companies(1)/generalLedgerEntries?$skiptoken=a", server.uri()));
    let mut pages = PageStream::new(first.resume(&api(&client), decode::json::<Page<Entry>>), None);

    let mut numbers = Vec::new();
    let mut ending = None;
    while let Some(page) = tokio::time::timeout(std::time::Duration::from_secs(5), pages.next()).await.unwrap() {
        match page {
            Ok(page) => numbers.extend(page.items.into_iter().map(|e| e.entry_number)),
            Err(error) => {
                ending = Some(error);
                break;
            }
        }
    }

    assert_eq!(numbers, [1, 2], "both pages are handed out once");
    assert!(
        matches!(&ending, Some(Error::Paging(odata_v4_runtime::PagingError::RevisitedLink { pages: 2, url })) if url.ends_with("$skiptoken=…")),
        "{ending:?}"
    );
    assert_eq!(request_count(&server).await, 2);
    assert!(pages.next().await.is_none(), "the stream is over");
}

#[tokio::test]
async fn a_stream_stops_at_its_page_cap_and_says_where_to_resume() {
    let server = paged_server(33).await;
    let client = builder(&server).max_page_size(PAGE_SIZE).max_pages_per_stream(2).build().unwrap();
    let mut pages = PageStream::new(entries_request(&api(&client)), None);

    assert_eq!(pages.next().await.unwrap().unwrap().items.len(), 7);
    assert_eq!(pages.next().await.unwrap().unwrap().items.len(), 7);
    let capped = pages.next().await.unwrap().unwrap_err();

    assert!(matches!(capped, Error::Paging(odata_v4_runtime::PagingError::TooManyPages { limit: 2 })), "{capped:?}");
    let resume = pages.next_link().expect("where the next stream continues");
    assert!(resume.as_str().ends_with("$skiptoken=14"), "{resume}");
    let rest = PageStream::new(resume.resume(&api(&client), decode::json::<Page<Entry>>), None).max_pages(10);
    let rest: Vec<u32> = rest.into_items().collect_all().await.unwrap().into_iter().map(|e| e.entry_number).collect();
    assert_eq!(rest, (15..=33).collect::<Vec<_>>(), "a stream with a cap of its own picks up where the first stopped");
}
