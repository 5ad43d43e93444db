//! A middleware that remembers every request the client sends, so tests can
//! check the URLs and headers the SDK produced, not only the results.

use std::sync::{Arc, Mutex};

use business_central_sdk::runtime::{BoxFuture, HttpRequest, HttpResponse, Method, Middleware, Next, TransportError};

/// One request as it left the client.
#[derive(Debug, Clone)]
pub struct SentRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub status: Option<u16>,
}

impl SentRequest {
    /// The first value of a header, ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Shared log: install a clone with `ClientBuilder::middleware`, keep one to read.
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    sent: Arc<Mutex<Vec<SentRequest>>>,
}

impl RequestLog {
    pub fn new() -> RequestLog {
        RequestLog::default()
    }

    /// Everything sent so far, oldest first.
    pub fn requests(&self) -> Vec<SentRequest> {
        self.sent.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Forgets what was recorded.
    pub fn clear(&self) {
        self.sent.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }
}

impl Middleware for RequestLog {
    fn handle<'a>(
        &'a self,
        request: HttpRequest,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        let mut entry = SentRequest {
            method: request.method,
            url: request.url.clone(),
            headers: request.headers.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect(),
            status: None,
        };
        Box::pin(async move {
            let response = next.run(request).await;
            entry.status = response.as_ref().ok().map(|r| r.status);
            self.sent.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(entry);
            response
        })
    }
}
