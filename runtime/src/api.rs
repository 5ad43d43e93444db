//! [`Api`]: a client bound to one service root (`api/v2.0`,
//! `TripPinRESTierService`, `sap/opu/odata4/…`) and the wire profile of the
//! service found there.

use std::fmt;
use std::sync::Arc;

use crate::client::{Client, StreamedResponse};
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse};
use crate::operation::OperationKind;
use crate::profile::ServiceProfile;

/// A client plus the root URL of one service and its wire profile. Cheap to
/// clone. Generated crates create it for you (`Api::new(&client)`).
#[derive(Clone)]
pub struct Api {
    client: Client,
    /// Absolute URL ending in `/`, such as
    /// `https://services.example.com/odata/v4/`.
    root: Arc<str>,
    profile: ServiceProfile,
}

impl fmt::Debug for Api {
    /// The root as errors show URLs (see
    /// [`ClientBuilder::query_values_in_errors`](crate::ClientBuilder::query_values_in_errors)).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api")
            .field("client", &self.client)
            .field("root", &self.client.url_for_errors(&self.root))
            .field("profile", &self.profile)
            .finish()
    }
}

impl Api {
    /// Binds `client` to the service root `route` (a path below the
    /// client's base URL, such as `api/v2.0`), speaking `profile` unless
    /// the client imposes another one
    /// ([`ClientBuilder::profile`](crate::ClientBuilder::profile)).
    pub fn new(client: &Client, route: &str, profile: ServiceProfile) -> Api {
        let profile = client.profile_override().copied().unwrap_or(profile);
        Api { client: client.clone(), root: client.api_root(route).into(), profile }
    }

    /// The client requests go through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The service's root URL, ending in `/`.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The wire dialect requests to this service are written in.
    pub fn profile(&self) -> &ServiceProfile {
        &self.profile
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

    /// Sends `request` through the client (see [`Client::execute`]) and
    /// reads a failure the way this service reports it: a stale ETag
    /// answered with one of the profile's conflict codes becomes
    /// [`Error::StaleEtag`], a correlation id in the message is split off.
    pub async fn execute(&self, request: HttpRequest, kind: OperationKind) -> Result<HttpResponse, Error> {
        self.client.execute(request, kind).await.map_err(|error| error.in_dialect(&self.profile))
    }

    /// [`execute`](Self::execute) for an answer whose body is handed over
    /// while it streams.
    pub(crate) async fn execute_streamed(
        &self,
        request: HttpRequest,
        kind: OperationKind,
    ) -> Result<StreamedResponse, Error> {
        self.client.execute_streamed(request, kind).await.map_err(|error| error.in_dialect(&self.profile))
    }
}
