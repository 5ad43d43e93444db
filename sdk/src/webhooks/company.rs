//! Collections whose company is addressed by name, turned into the form
//! Business Central uses in subscriptions and notifications: by id.

use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{
    CollectionHandle, CollectionPath, Error, HttpResponse, Method, OperationKind, Request, Target, decode,
};
use serde::Deserialize;

/// The answer to `GET companies(name='…')?$select=id`.
#[derive(Deserialize)]
struct Company {
    id: String,
}

fn company_id(response: &HttpResponse) -> Result<Uuid, Error> {
    let Company { id } = decode::json::<Company>(response)?;
    Uuid::parse_str(&id).map_err(|error| Error::decode("", "id", error.to_string()))
}

/// The same collection with its company addressed by id
/// (`companies(b18a…)/customers` for `companies(name='CRONUS%20USA%2C%20Inc.')/customers`),
/// the way Business Central names it in the resource of every
/// notification. Resolve a collection addressed by name (or by another
/// alternate key) once with this, and use the result to subscribe, to
/// match notifications ([`ResourcePath::is_in`](super::ResourcePath::is_in)
/// compares ids, never names) and to sync.
///
/// Reads the company's id once (`GET companies(name='…')?$select=id`); a
/// collection already addressed by id, or not below a company, comes back
/// as it is, without a request. A company that does not exist is
/// [`Error::NotFound`].
///
/// ```no_run
/// use business_central_sdk::api::v2_0;
/// use business_central_sdk::webhooks;
///
/// # async fn example(api: v2_0::Api) -> Result<(), business_central_sdk::Error> {
/// let customers = webhooks::with_company_id(&api.company_by_name("CRONUS USA, Inc.").customers()).await?;
/// assert!(customers.raw().path().starts_with("companies(") && !customers.raw().path().contains("name="));
/// # Ok(())
/// # }
/// ```
pub async fn with_company_id<C: CollectionHandle>(collection: &C) -> Result<C, Error> {
    let raw = collection.collection_path();
    let path = raw.path();
    let (company, rest) = path.split_once('/').unwrap_or((path, ""));
    let Some(key) = company.strip_prefix("companies(").and_then(|key| key.strip_suffix(')')) else {
        return Ok(collection.clone());
    };
    if Uuid::parse_str(key).is_ok() {
        return Ok(collection.clone());
    }
    let target = Target::Relative { path: company.to_owned(), query: "$select=id".to_owned() };
    let id = Request::new(raw.api().clone(), Method::Get, target, OperationKind::Read, company_id).await?;
    let resolved = if rest.is_empty() { format!("companies({id})") } else { format!("companies({id})/{rest}") };
    Ok(C::from(CollectionPath::new(raw.api().clone(), resolved)))
}
