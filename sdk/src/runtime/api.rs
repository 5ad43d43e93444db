//! `Api`: a client bound to one API route (`api/v2.0`,
//! `api/microsoft/reportsFinance/beta`, `api/{publisher}/{group}/{version}`).

use std::sync::Arc;

use super::client::Client;
use super::http::Method;
use super::request::{Decoder, OperationKind, Request, Target};

/// A client plus the root URL of one API route. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Api {
    client: Client,
    /// Absolute URL ending in `/`, such as
    /// `https://api.businesscentral.dynamics.com/v2.0/{tenant}/{env}/api/v2.0/`.
    root: Arc<str>,
}

impl Api {
    /// Binds `client` to `route` (for example `api/v2.0`).
    pub fn new(client: &Client, route: &str) -> Api {
        Api { client: client.clone(), root: client.api_root(route).into() }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The API's root URL, ending in `/`.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// `root + path [+ ? + query]`; `path` and `query` are already encoded.
    pub fn url(&self, path: &str, query: &str) -> String {
        let mut url = String::with_capacity(self.root.len() + path.len() + query.len() + 1);
        url.push_str(&self.root);
        url.push_str(path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        url
    }
}

impl Api {
    /// `POST {root}{name}`: an unbound action, called through its action
    /// import, with an optional JSON body.
    pub fn action<T>(&self, name: &str, body: Option<String>, decode: Decoder<T>) -> Request<T> {
        let target = Target::Relative { path: name.to_owned(), query: String::new() };
        let request = Request::new(self.clone(), Method::Post, target, OperationKind::Action, decode);
        match body {
            Some(body) => request.with_body("application/json", body),
            None => request,
        }
    }

    /// `GET {root}{name}({parameters})`: an unbound function, called through
    /// its function import; `parameters` is already written as `a=1,b='x'`.
    pub fn function<T>(&self, name: &str, parameters: &str, decode: Decoder<T>) -> Request<T> {
        let target = Target::Relative { path: format!("{name}({parameters})"), query: String::new() };
        Request::new(self.clone(), Method::Get, target, OperationKind::Read, decode)
    }
}
