//! Service-to-service sign-in for Business Central online.

use std::fmt;
use std::time::Duration;

use odata_v4_runtime::{AuthContext, BoxFuture, Credentials, Error, Secret};

/// The scope that grants an app its Business Central API permissions.
pub const BUSINESS_CENTRAL_SCOPE: &str = "https://api.businesscentral.dynamics.com/.default";

/// The OAuth 2.0 client credentials flow against Microsoft Entra ID with
/// Business Central's scope: an app registration with a client secret,
/// registered in Business Central ("Microsoft Entra Applications").
///
/// Tokens are cached, refreshed a few minutes before they expire, and
/// fetched once for all concurrent requests (see
/// [`runtime::ClientCredentials`](odata_v4_runtime::ClientCredentials),
/// which does the work).
pub struct ClientCredentials(odata_v4_runtime::ClientCredentials);

impl ClientCredentials {
    /// Credentials for the app `client_id` in the Entra tenant `tenant`
    /// (GUID or domain), asking for [`BUSINESS_CENTRAL_SCOPE`].
    pub fn new(tenant: impl Into<String>, client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        ClientCredentials(
            odata_v4_runtime::ClientCredentials::microsoft_entra(tenant, client_id, client_secret)
                .scope(BUSINESS_CENTRAL_SCOPE),
        )
    }

    /// Another authority host (sovereign clouds, or a local test server):
    /// the token endpoint becomes `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn authority(self, authority: impl Into<String>) -> Self {
        ClientCredentials(self.0.authority(authority))
    }

    /// Another scope than [`BUSINESS_CENTRAL_SCOPE`].
    pub fn scope(self, scope: impl Into<String>) -> Self {
        ClientCredentials(self.0.scope(scope))
    }

    /// How long before its expiry a cached token is replaced (5 minutes by
    /// default).
    pub fn refresh_margin(self, margin: Duration) -> Self {
        ClientCredentials(self.0.refresh_margin(margin))
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Credentials for ClientCredentials {
    fn authorization<'a>(&'a self, http: &'a AuthContext) -> BoxFuture<'a, Result<Secret, Error>> {
        self.0.authorization(http)
    }

    fn invalidate(&self, rejected: &Secret) -> bool {
        self.0.invalidate(rejected)
    }
}
