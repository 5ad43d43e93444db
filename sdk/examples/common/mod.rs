//! Connection settings shared by the examples, read from environment
//! variables. Copy this file along with the example you start from.
//!
//! Business Central online (service-to-service sign-in):
//!   BC_TENANT_ID       Microsoft Entra tenant id or domain
//!   BC_ENVIRONMENT     environment name, e.g. `production` or `sandbox`
//!   BC_CLIENT_ID       app registration id (API.ReadWrite.All, set up in BC)
//!   BC_CLIENT_SECRET   its client secret
//!
//! Any other server (the SDK's local test peer, a proxy, on-premises):
//!   BC_BASE_URL        base URL under which `api/v2.0` lives, e.g.
//!                      `http://127.0.0.1:4020/`; no credentials are sent
//!
//! Both:
//!   BC_COMPANY_ID      the company's id, or
//!   BC_COMPANY_NAME    its name (one of the two is required)
//!   BC_PROFILE         `strict` for a strict OData v4 server such as the
//!                      local peer; anything else or unset: Business Central

use std::error::Error;

use business_central_sdk::api::v2_0;
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{Client, ServiceProfile};
use business_central_sdk::{ClientBuilderExt, ClientCredentials, Environment};

/// The result type of the examples' `main`.
pub type Outcome = Result<(), Box<dyn Error>>;

/// An environment variable that must be set.
pub fn required(name: &str) -> Result<String, Box<dyn Error>> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(format!("set the environment variable {name} (see the comment at the top of the example)").into()),
    }
}

/// An environment variable that may be left unset (or empty).
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// The API and the configured company, from the variables above.
pub fn connect() -> Result<(v2_0::Api, v2_0::company::CompanyPath), Box<dyn Error>> {
    let mut builder = match optional("BC_BASE_URL") {
        Some(base_url) => Client::builder(Environment::custom(base_url)),
        None => {
            let tenant = required("BC_TENANT_ID")?;
            let credentials = ClientCredentials::new(&tenant, required("BC_CLIENT_ID")?, required("BC_CLIENT_SECRET")?);
            Client::builder(Environment::online(&tenant, required("BC_ENVIRONMENT")?)).credentials(credentials)
        }
    };
    if optional("BC_PROFILE").as_deref() == Some("strict") {
        builder = builder.profile(ServiceProfile::strict_odata());
    }
    builder = match (optional("BC_COMPANY_ID"), optional("BC_COMPANY_NAME")) {
        (Some(id), _) => builder.default_company_id(Uuid::parse_str(&id).map_err(|e| format!("BC_COMPANY_ID: {e}"))?),
        (None, Some(name)) => builder.default_company_name(name),
        (None, None) => return Err("set BC_COMPANY_ID or BC_COMPANY_NAME".into()),
    };
    let api = v2_0::Api::new(&builder.build()?);
    let company = api.default_company()?;
    Ok((api, company))
}
