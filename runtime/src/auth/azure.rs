//! [`AzureIdentity`]: tokens from Microsoft's `azure_identity` crate.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use azure_core::credentials::TokenCredential;
use azure_core::time::OffsetDateTime;

use super::cache::TokenCache;
use super::oauth::{DEFAULT_REFRESH_MARGIN, use_for};
use super::{AuthContext, Credentials, Secret};
use crate::error::{AuthenticationError, Error};
use crate::transport::BoxFuture;

/// Bearer tokens from any `azure_identity` credential: a managed identity
/// (`ManagedIdentityCredential`), workload identity federation in
/// Kubernetes (`WorkloadIdentityCredential`), a client certificate
/// (`ClientCertificateCredential`, feature `azure_identity_certificate`),
/// or a developer's sign-in through the Azure CLI (`AzureCliCredential`) or
/// the Azure Developer CLI (`AzureDeveloperCliCredential`).
///
/// Tokens are cached until 5 minutes before they expire (half their life
/// for shorter-lived ones), and fetched once for all concurrent requests:
/// some credentials (the CLI ones) run a program for every token. The
/// credential's own requests (to the instance metadata service or Entra)
/// go through azure_core's HTTP client, not the client's transport.
///
/// After a 401 the credential is asked again, at most once a minute. Most
/// `azure_identity` credentials (managed identity, workload identity,
/// secrets, certificates) keep their own cache, which `azure_identity`
/// offers no way to bypass: they hand back the rejected token until it
/// nears its expiry. The client never sends a rejected token again; the
/// 401 is returned as [`Error::Unauthorized`].
///
/// ```no_run
/// # fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use odata_v4_runtime::{AzureIdentity, Client};
///
/// let identity = azure_identity::ManagedIdentityCredential::new(None)?;
/// let client = Client::builder("https://services.example.com/")
///     .credentials(AzureIdentity::new(identity, "https://services.example.com/.default"))
///     .build()?;
/// # Ok(())
/// # }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "azure_identity")))]
pub struct AzureIdentity {
    credential: Arc<dyn TokenCredential>,
    scope: String,
    tokens: TokenCache,
}

impl AzureIdentity {
    /// Tokens from `credential` for `scope` (a resource's `…/.default`).
    pub fn new(credential: Arc<dyn TokenCredential>, scope: impl Into<String>) -> AzureIdentity {
        AzureIdentity { credential, scope: scope.into(), tokens: TokenCache::default() }
    }

    async fn fetch(&self) -> Result<(Secret, Instant), Error> {
        let requested_at = Instant::now();
        let token = self.credential.get_token(&[self.scope.as_str()], None).await.map_err(|error| {
            Error::Authentication(AuthenticationError::new("the Azure identity gave no token").with_source(error))
        })?;
        let lifetime = token.expires_on.unix_timestamp().saturating_sub(OffsetDateTime::now_utc().unix_timestamp());
        let use_for = use_for(Some(u64::try_from(lifetime).unwrap_or(0)), DEFAULT_REFRESH_MARGIN);
        let header = Secret::new(format!("Bearer {}", token.token.secret()));
        let refresh_at = requested_at.checked_add(use_for).unwrap_or(requested_at);
        Ok((header, refresh_at))
    }
}

impl fmt::Debug for AzureIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // azure_identity's credentials print no secret either.
        f.debug_struct("AzureIdentity").field("credential", &self.credential).field("scope", &self.scope).finish()
    }
}

impl Credentials for AzureIdentity {
    fn authorization<'a>(&'a self, _http: &'a AuthContext) -> BoxFuture<'a, Result<Secret, Error>> {
        Box::pin(self.tokens.get_or_fetch(|| self.fetch()))
    }

    fn invalidate(&self, rejected: &Secret) -> bool {
        self.tokens.invalidate(rejected)
    }
}
