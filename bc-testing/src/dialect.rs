//! Which server's wire dialect the fake speaks, and what Business Central
//! does with the parts of a query it does not support.
//!
//! In [`Dialect::BusinessCentral`], as Business Central's filter
//! documentation and known limitations say: `in (…)` without
//! `$schemaversion=2.1` is ignored (the condition holds for every row), and
//! `or` may only join conditions on one field.

use crate::query::QueryOptions;
use crate::reply::Failure;

/// Which server's wire dialect the fake speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Dialect {
    /// Business Central: a stale `If-Match` is 409 `Request_EntityChanged`,
    /// a PATCH without `If-Match` is 400 `BadRequest_InvalidToken`, `in` is
    /// ignored without `$schemaversion=2.1`, and `or` joins conditions on
    /// one field only.
    #[default]
    BusinessCentral,
    /// A strict OData v4 server such as the SDK's local test peer: 412 on a
    /// stale ETag, 428 without `If-Match`, native `in`, `or` anywhere. For
    /// comparing the fake with such a server; pair it with
    /// `ClientBuilder::profile(ServiceProfile::strict_odata())`.
    StrictOData,
}

impl Dialect {
    /// How a stale `If-Match` is answered.
    pub(crate) fn stale_etag(self) -> Failure {
        match self {
            Dialect::BusinessCentral => {
                Failure::new(409, "Request_EntityChanged", "Another user has already changed the record.")
            }
            Dialect::StrictOData => {
                Failure::new(412, "PreconditionFailed", "The If-Match ETag does not match the entity.")
            }
        }
    }

    /// How a PATCH or DELETE without `If-Match` is answered.
    pub(crate) fn missing_if_match(self) -> Failure {
        match self {
            Dialect::BusinessCentral => Failure::bad_request_code(
                "BadRequest_InvalidToken",
                "Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.",
            ),
            Dialect::StrictOData => Failure::new(428, "PreconditionRequired", "The request needs an If-Match header."),
        }
    }

    /// Turns a request's options into what the server evaluates, nested
    /// `$expand` options included: in Business Central's dialect `in`
    /// without `$schemaversion=2.1` holds for every row, and `or` across
    /// fields is refused.
    pub(crate) fn apply(self, options: &mut QueryOptions) -> Result<(), Failure> {
        if self == Dialect::StrictOData {
            return Ok(());
        }
        let ignores_in = options.schema_version.as_deref() != Some("2.1");
        apply_business_central(options, ignores_in)
    }
}

fn apply_business_central(options: &mut QueryOptions, ignores_in: bool) -> Result<(), Failure> {
    if let Some(filter) = &mut options.filter {
        if let Some((a, b)) = filter.or_across_fields() {
            return Err(Failure::bad_request(format!(
                "The 'or' operator joins conditions on different fields ('{a}' and '{b}'); Business Central filters \
                 accept 'or' only between conditions on the same field."
            )));
        }
        if ignores_in {
            filter.ignore_in();
        }
    }
    for item in &mut options.expand {
        apply_business_central(&mut item.options, ignores_in)?;
    }
    Ok(())
}
