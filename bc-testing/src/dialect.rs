//! Which server's wire dialect the fake speaks, and what Business Central
//! does with the parts of a query it does not support.
//!
//! Business Central's "OData known limitations" page and its filter
//! documentation say, and the fake does the same in
//! [`Dialect::BusinessCentral`]:
//!
//! - a filter using a lambda operator (`any`, `all`) is ignored: the answer
//!   holds every row, as if there were no `$filter`;
//! - `or` between conditions on two different fields is refused with
//!   "The 'OR' operator is not supported on distinct fields on an OData
//!   filter." (answered 501 `BadRequest_MethodNotImplemented`, as Business
//!   Central answers it); `or` on one field, `in`, and `and` of such groups
//!   are fine;
//! - `in (…)` without `$schemaversion=2.1` is ignored: the condition holds
//!   for every row.
//!
//! What was ignored is recorded with the request ([`Ignored`]), so a test
//! can see that its filter never reached Business Central's evaluation.

use std::fmt;

use crate::filter::Expr;
use crate::query::QueryOptions;
use crate::reply::Failure;

/// Which server's wire dialect the fake speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Dialect {
    /// Business Central: a stale `If-Match` is 409 `Request_EntityChanged`,
    /// a PATCH without `If-Match` is 400 `BadRequest_InvalidToken`, `in` is
    /// ignored without `$schemaversion=2.1`, a filter with `any`/`all` is
    /// ignored, and `or` joins conditions on one field only.
    #[default]
    BusinessCentral,
    /// A strict OData v4 server such as the SDK's local test peer: 412 on a
    /// stale ETag, 428 without `If-Match`, native `in`, lambda operators
    /// evaluated, `or` anywhere. For comparing the fake with such a server;
    /// pair it with `ClientBuilder::profile(ServiceProfile::strict_odata())`.
    StrictOData,
}

/// A part of a request that Business Central ignores, and that the fake
/// (in [`Dialect::BusinessCentral`]) ignored too; see
/// [`RecordedRequest::ignored`](crate::RecordedRequest::ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ignored {
    /// A `$filter` using `any` or `all`: Business Central ignores the whole
    /// filter and answers with every row.
    LambdaFilter {
        /// The `$expand` path whose nested `$filter` was ignored
        /// (`salesInvoiceLines`); `None` for the request's own `$filter`.
        expand: Option<String>,
    },
    /// `in (…)` without `$schemaversion=2.1`: Business Central ignores the
    /// condition, which then holds for every row.
    InWithoutSchemaVersion {
        /// The `$expand` path whose nested `$filter` held it; `None` for the
        /// request's own `$filter`.
        expand: Option<String>,
    },
}

impl fmt::Display for Ignored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, expand) = match self {
            Ignored::LambdaFilter { expand } => {
                ("a $filter with a lambda operator (any/all) was ignored: every row is answered", expand)
            }
            Ignored::InWithoutSchemaVersion { expand } => {
                ("`in` without $schemaversion=2.1 was ignored: the condition holds for every row", expand)
            }
        };
        match expand {
            Some(path) => write!(f, "{what} (in $expand of {path})"),
            None => f.write_str(what),
        }
    }
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
    /// `$expand` options included: in Business Central's dialect a filter
    /// with a lambda operator is dropped, `in` without
    /// `$schemaversion=2.1` holds for every row (each noted in `ignored`),
    /// and `or` across fields is refused. A dropped filter is not checked
    /// further: Business Central does not process it.
    pub(crate) fn apply(self, options: &mut QueryOptions, ignored: &mut Vec<Ignored>) -> Result<(), Failure> {
        if self == Dialect::StrictOData {
            return Ok(());
        }
        let ignores_in = options.schema_version.as_deref() != Some("2.1");
        apply_business_central(options, None, ignores_in, ignored)
    }
}

fn apply_business_central(
    options: &mut QueryOptions,
    expand: Option<&str>,
    ignores_in: bool,
    ignored: &mut Vec<Ignored>,
) -> Result<(), Failure> {
    let at = expand.map(str::to_owned);
    if options.filter.as_ref().is_some_and(Expr::has_lambda) {
        options.filter = None;
        ignored.push(Ignored::LambdaFilter { expand: at.clone() });
    }
    if let Some(filter) = &mut options.filter {
        if filter.or_across_fields().is_some() {
            return Err(or_across_fields());
        }
        if ignores_in && filter.ignore_in() {
            ignored.push(Ignored::InWithoutSchemaVersion { expand: at });
        }
    }
    for item in &mut options.expand {
        let path = match expand {
            Some(outer) => format!("{outer}/{}", item.navigation),
            None => item.navigation.clone(),
        };
        apply_business_central(&mut item.options, Some(&path), ignores_in, ignored)?;
    }
    Ok(())
}

/// Business Central's answer to `or` between conditions on two fields.
fn or_across_fields() -> Failure {
    Failure::new(
        501,
        "BadRequest_MethodNotImplemented",
        "The 'OR' operator is not supported on distinct fields on an OData filter.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::RequestUrl;

    fn apply(dialect: Dialect, query: &str) -> (Result<QueryOptions, Failure>, Vec<Ignored>) {
        let url = RequestUrl::parse(&format!("/api/v2.0/x?{query}")).expect("a URL");
        let mut options = QueryOptions::from_url(&url).expect("options");
        let mut ignored = Vec::new();
        let outcome = dialect.apply(&mut options, &mut ignored).map(|()| options);
        (outcome, ignored)
    }

    #[test]
    fn business_central_drops_lambda_filters_and_notes_it() {
        let (options, ignored) = apply(Dialect::BusinessCentral, "$filter=lines/any(l:l/q gt 1) and a eq 1");
        assert!(options.expect("answered").filter.is_none());
        assert_eq!(ignored, [Ignored::LambdaFilter { expand: None }]);
        let (options, ignored) = apply(Dialect::StrictOData, "$filter=lines/any(l:l/q gt 1)");
        assert!(options.expect("answered").filter.is_some() && ignored.is_empty());
        let (_, ignored) = apply(Dialect::BusinessCentral, "$expand=lines($filter=tags/all(t:t/x eq 1))");
        assert_eq!(ignored, [Ignored::LambdaFilter { expand: Some("lines".to_owned()) }]);
    }

    #[test]
    fn business_central_refuses_or_across_fields_only() {
        let (refused, _) = apply(Dialect::BusinessCentral, "$filter=a eq 1 or b eq 2");
        let refused = refused.expect_err("two fields");
        assert_eq!((refused.status, refused.code.as_str()), (501, "BadRequest_MethodNotImplemented"));
        let (nested, _) = apply(Dialect::BusinessCentral, "$expand=lines($filter=a eq 1 or b eq 2)");
        assert!(nested.is_err());
        for fine in ["$filter=a eq 1 or a eq 2", "$filter=(a eq 1 or a eq 2) and b in (1,2)"] {
            assert!(apply(Dialect::BusinessCentral, fine).0.is_ok(), "{fine}");
        }
        assert!(apply(Dialect::StrictOData, "$filter=a eq 1 or b eq 2").0.is_ok());
    }

    #[test]
    fn in_holds_for_every_row_without_schema_version_2_1() {
        let (_, ignored) = apply(Dialect::BusinessCentral, "$filter=a in (1,2)");
        assert_eq!(ignored, [Ignored::InWithoutSchemaVersion { expand: None }]);
        let (_, ignored) = apply(Dialect::BusinessCentral, "$filter=a in (1,2)&$schemaversion=2.1");
        assert!(ignored.is_empty());
    }
}
