//! [`AzureIdentity`]: tokens from Microsoft's `azure_identity` crate.

use std::fmt;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;

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
/// The credential caches and refreshes its tokens itself; its own requests
/// (to the instance metadata service or Entra) go through azure_core's
/// HTTP client, not the client's transport and middleware.
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
#[derive(Clone)]
pub struct AzureIdentity {
    credential: Arc<dyn TokenCredential>,
    scope: String,
}

impl AzureIdentity {
    /// Tokens from `credential` for `scope` (a resource's `…/.default`).
    pub fn new(credential: Arc<dyn TokenCredential>, scope: impl Into<String>) -> AzureIdentity {
        AzureIdentity { credential, scope: scope.into() }
    }

    async fn bearer(&self) -> Result<Secret, Error> {
        let token = self.credential.get_token(&[self.scope.as_str()], None).await.map_err(|error| {
            Error::Authentication(AuthenticationError::new("the Azure identity gave no token").with_source(error))
        })?;
        Ok(Secret::new(format!("Bearer {}", token.token.secret())))
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
        Box::pin(self.bearer())
    }
}
