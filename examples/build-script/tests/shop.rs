//! The client `build.rs` generated, used as a crate of one's own would use
//! it: typed filters become the URL the service expects, and the answer
//! decodes into the generated types (decimals exact, enums typed). The
//! service is stood in for by a transport that records what was sent.

use std::sync::{Arc, Mutex};

use example_build_script::shop::{self, enums::Availability, product};
use odata_v4_runtime::rust_decimal::Decimal;
use odata_v4_runtime::{BoxFuture, Client, Headers, HttpRequest, HttpResponse, Transport, TransportError};

/// Answers every request with one page of products and keeps its URL.
#[derive(Clone, Default)]
struct Shop {
    urls: Arc<Mutex<Vec<String>>>,
}

impl Transport for Shop {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.urls.lock().expect("not poisoned").push(request.url);
        let page = r#"{"value":[
            {"ID":7,"Name":"Kettle","Price":9.90,"Availability":"InStock","ReleaseDate":"2025-03-14"},
            {"ID":8,"Name":"Toaster","Price":9.995,"Availability":"Backordered","ReleaseDate":null}
        ]}"#;
        Box::pin(async move { Ok(HttpResponse { status: 200, headers: Headers::new(), body: page.into() }) })
    }
}

#[tokio::test]
async fn the_generated_client_queries_and_decodes() {
    let service = Shop::default();
    let client = Client::builder("https://shop.example.com/odata/").transport(service.clone()).build().unwrap();
    let api = shop::Api::new(&client);

    let cheap = api
        .products()
        .list()
        .filter(product::price().lt(Decimal::new(10, 0)).and(product::availability().ne(Availability::Discontinued)))
        .order_by(product::name().asc())
        .collect()
        .await
        .unwrap();

    let urls = service.urls.lock().unwrap().clone();
    assert_eq!(urls.len(), 1);
    let url = urls[0].replace("%20", " ").replace("%27", "'");
    assert!(url.starts_with("https://shop.example.com/odata/Products?"), "{url}");
    assert!(url.contains("$filter=Price lt 10 and Availability ne Contoso.Shop.Availability'Discontinued'"), "{url}");
    assert!(url.ends_with("&$orderby=Name"), "{url}");

    assert_eq!(cheap.len(), 2);
    assert_eq!(cheap[0].name, "Kettle");
    assert_eq!(cheap[0].price.to_string(), "9.90", "the scale is kept");
    assert_eq!(cheap[1].price, Decimal::new(9995, 3));
    assert_eq!(cheap[1].availability, Availability::Backordered);
    assert_eq!(cheap[0].release_date.map(|d| d.to_string()).as_deref(), Some("2025-03-14"));
}
