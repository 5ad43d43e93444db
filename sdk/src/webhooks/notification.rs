//! Notifications as Business Central posts them, and the resource paths
//! they name.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{Api, CollectionHandle, EntityPath, SetPaths};

use super::client_state::SubscriptionId;

/// What happened to the resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeType {
    /// A row was created.
    Created,
    /// A row was changed (for documents, also a change to one of its lines).
    Updated,
    /// A row was deleted.
    Deleted,
    /// More than 1,000 rows changed within one notification window; the
    /// resource is the collection with a `lastModifiedDateTime` filter.
    /// Read the changes with the incremental sync.
    Collection,
    /// A change type this SDK does not know, as sent.
    Other(String),
}

impl ChangeType {
    pub(crate) fn parse(text: &str) -> ChangeType {
        match text {
            "created" => ChangeType::Created,
            "updated" => ChangeType::Updated,
            "deleted" => ChangeType::Deleted,
            "collection" => ChangeType::Collection,
            other => ChangeType::Other(other.to_owned()),
        }
    }
}

/// One notification: which subscription, what changed, and when.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notification {
    /// The subscription it was sent for.
    pub subscription_id: SubscriptionId,
    /// What happened.
    pub change: ChangeType,
    /// The row (or, for [`ChangeType::Collection`], the filtered
    /// collection) that changed.
    pub resource: ResourcePath,
    /// When the subscription expires, as of this notification.
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// When the change was made.
    pub last_modified: Option<DateTime<FixedOffset>>,
}

/// A resource path from a notification, such as
/// `api/v2.0/companies(b18a…)/customers(130b…)` or, for a `collection`
/// notification, `api/v2.0/companies(…)/salesInvoices?$filter=…`.
///
/// Read its parts ([`route`](Self::route), [`company_id`](Self::company_id),
/// [`entity_set`](Self::entity_set), [`id`](Self::id)), or match it against
/// a typed collection of the SDK: [`entity_in`](Self::entity_in) returns the
/// typed path of the row when it belongs to that collection.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResourcePath {
    raw: String,
    /// `api/v2.0` or `api/{publisher}/{group}/{version}`.
    route: String,
    /// Below the route, without the query: `companies(…)/customers(…)`.
    path: String,
    query: Option<String>,
}

impl fmt::Debug for ResourcePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourcePath({})", self.raw)
    }
}

impl fmt::Display for ResourcePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// One path segment: `customers(130b…)` is `("customers", Some("130b…"))`.
fn split_segment(segment: &str) -> (&str, Option<&str>) {
    match segment.split_once('(') {
        Some((name, rest)) => (name, Some(rest.strip_suffix(')').unwrap_or(rest))),
        None => (segment, None),
    }
}

/// Whether a key written by Business Central and one written by the SDK
/// name the same row: GUIDs compare as GUIDs (case and braces aside),
/// anything else byte for byte.
fn same_key(a: &str, b: &str) -> bool {
    match (Uuid::parse_str(a), Uuid::parse_str(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn same_segments(a: &str, b: &str) -> bool {
    let (mut left, mut right) = (a.split('/'), b.split('/'));
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                let ((x_name, x_key), (y_name, y_key)) = (split_segment(x), split_segment(y));
                let keys_match = match (x_key, y_key) {
                    (None, None) => true,
                    (Some(x), Some(y)) => same_key(x, y),
                    _ => false,
                };
                if x_name != y_name || !keys_match {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The route an [`Api`] serves, such as `api/v2.0`: its root below the
/// client's base URL.
pub(crate) fn route_of(api: &Api) -> String {
    let root = api.root();
    root.strip_prefix(api.client().base_url()).unwrap_or(root).trim_matches('/').to_owned()
}

impl ResourcePath {
    /// Reads a resource as Business Central writes it: relative
    /// (`api/v2.0/…`), with a leading `/`, or as an absolute URL.
    pub fn parse(resource: &str) -> ResourcePath {
        let raw = resource.to_owned();
        let without_origin = match resource.split_once("://") {
            Some((_, rest)) => rest.split_once('/').map_or("", |(_, path)| path),
            None => resource,
        };
        let trimmed = without_origin.trim_start_matches('/');
        let (path_part, query) = match trimmed.split_once('?') {
            Some((path, query)) => (path, Some(query.to_owned())),
            None => (trimmed, None),
        };
        let segments: Vec<&str> = path_part.split('/').filter(|s| !s.is_empty()).collect();
        // `api/v2.0/…` (a version or `beta` second) or
        // `api/{publisher}/{group}/{version}/…`; an absolute URL has the
        // environment's segments in front.
        let route_at = |length: usize| {
            (0..segments.len()).find(|&i| {
                segments[i] == "api" && segments.get(i + length - 1).is_some_and(|version| is_version(version))
            })
        };
        let (start, length) = match (route_at(2), route_at(4)) {
            (Some(start), _) => (start, 2),
            (None, Some(start)) => (start, 4),
            (None, None) => (0, 0),
        };
        let route = segments[start..start + length].join("/");
        let path = segments[start + length..].join("/");
        ResourcePath { raw, route, path, query }
    }

    /// The resource exactly as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The API route: `api/v2.0`, or `api/{publisher}/{group}/{version}`
    /// for a custom API (empty when the resource names none).
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The path below the route, without the query:
    /// `companies(…)/customers(…)`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query, for `collection` notifications (`$filter=…`), undecoded.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    fn last_segment(&self) -> (&str, Option<&str>) {
        split_segment(self.path.rsplit('/').next().unwrap_or_default())
    }

    /// The entity set of the changed row or collection: `customers`.
    pub fn entity_set(&self) -> &str {
        self.last_segment().0
    }

    /// The key of the changed row, as written in the path; `None` for a
    /// collection.
    pub fn key(&self) -> Option<&str> {
        self.last_segment().1
    }

    /// The key of the changed row as a GUID (every Business Central entity
    /// that supports webhooks is keyed by its `id` GUID).
    pub fn id(&self) -> Option<Uuid> {
        self.key().and_then(|key| Uuid::parse_str(key).ok())
    }

    /// The company, when the path starts with `companies({id})`.
    pub fn company_id(&self) -> Option<Uuid> {
        let first = self.path.split('/').next()?;
        match split_segment(first) {
            ("companies", Some(key)) => Uuid::parse_str(key).ok(),
            _ => None,
        }
    }

    /// The collection the resource is in, or is: `companies(…)/customers`.
    pub fn collection_path(&self) -> &str {
        match self.path.rsplit_once('/') {
            Some((parent, last)) => {
                let name_end = last.find('(').unwrap_or(last.len());
                &self.path[..parent.len() + 1 + name_end]
            }
            None => &self.path[..self.path.find('(').unwrap_or(self.path.len())],
        }
    }

    /// Whether the resource is in (or, for a `collection` notification, is)
    /// `collection`: same route, same path, keys compared as GUIDs.
    /// Notifications name the company by id, so a collection whose company
    /// is addressed by name never matches: resolve it once with
    /// [`with_company_id`](super::with_company_id).
    pub fn is_in(&self, collection: &impl CollectionHandle) -> bool {
        let collection = collection.collection_path();
        self.route == route_of(collection.api()) && same_segments(self.collection_path(), collection.path())
    }

    /// The typed path of the changed row when it belongs to `collection`
    /// (for example `company.customers()`, giving a `CustomerPath`): read
    /// it with `.get()`.
    pub fn entity_in<C>(&self, collection: &C) -> Option<<C::Set as SetPaths>::Single>
    where
        C: CollectionHandle,
        C::Set: SetPaths,
    {
        (self.key().is_some() && self.is_in(collection)).then(|| {
            let raw = EntityPath::<C::Set>::new(collection.collection_path().api().clone(), self.path.clone());
            <C::Set as SetPaths>::Single::from(raw)
        })
    }

    /// For a `collection` notification, the moment its filter reads changes
    /// from (`$filter=lastModifiedDateTime gt {moment}`).
    pub fn changed_since(&self) -> Option<DateTime<FixedOffset>> {
        let query = self.query.as_deref()?;
        form_urlencoded::parse(query.as_bytes()).filter(|(name, _)| name == "$filter").find_map(|(_, filter)| {
            let (_, moment) = filter.split_once(" gt ").or_else(|| filter.split_once(" ge "))?;
            DateTime::parse_from_rfc3339(moment.trim()).ok()
        })
    }
}

/// A route's version segment: `v2.0`, `v1.0`, `beta`.
fn is_version(segment: &str) -> bool {
    segment == "beta" || segment.strip_prefix('v').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_read_in_every_spelling() {
        for spelling in [
            "api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers(130bbd17-dbb9-4790-9b12-2b0e9c9d22c3)",
            "/api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers(130bbd17-dbb9-4790-9b12-2b0e9c9d22c3)",
            "https://api.businesscentral.dynamics.com/v2.0/t/production/api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers(130bbd17-dbb9-4790-9b12-2b0e9c9d22c3)",
        ] {
            let resource = ResourcePath::parse(spelling);
            assert_eq!(resource.route(), "api/v2.0", "{spelling}");
            assert_eq!(resource.entity_set(), "customers");
            assert_eq!(resource.id(), Some(Uuid::parse_str("130bbd17-dbb9-4790-9b12-2b0e9c9d22c3").unwrap()));
            assert_eq!(resource.company_id(), Some(Uuid::parse_str("b18aed47-c385-49d2-b954-dbdf8ad71780").unwrap()));
            assert_eq!(resource.collection_path(), "companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers");
            assert_eq!(resource.as_str(), spelling);
        }
        let custom =
            ResourcePath::parse("api/contoso/shop/v1.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/orders");
        assert_eq!((custom.route(), custom.entity_set(), custom.key()), ("api/contoso/shop/v1.0", "orders", None));
        let beta = ResourcePath::parse("api/microsoft/reportsFinance/beta/companies(1)/x(2)");
        assert_eq!(beta.route(), "api/microsoft/reportsFinance/beta");
    }

    #[test]
    fn collection_notifications_say_since_when() {
        let resource = ResourcePath::parse(
            "/api/v2.0/companies(7dbba574-5f69-4167-a43e-fb975045de15)/salesInvoices?$filter=lastDateTimeModified%20gt%202018-10-15T11:00:00Z",
        );
        assert_eq!(resource.entity_set(), "salesInvoices");
        assert_eq!(resource.key(), None);
        assert_eq!(resource.changed_since(), DateTime::parse_from_rfc3339("2018-10-15T11:00:00Z").ok());
        assert_eq!(ResourcePath::parse("api/v2.0/companies(1)/items").changed_since(), None);
    }

    #[test]
    fn keys_compare_as_guids_and_names_exactly() {
        assert!(same_segments(
            "companies(B18AED47-C385-49D2-B954-DBDF8AD71780)/customers",
            "companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers"
        ));
        assert!(!same_segments("companies(1)/customers", "companies(1)/Customers"));
        assert!(!same_segments("companies(1)/customers", "companies(2)/customers"));
        assert!(!same_segments("companies(1)/customers", "companies(1)/customers/x"));
        assert!(same_segments("subscriptions('a''b')", "subscriptions('a''b')"));
    }

    #[test]
    fn unknown_change_types_are_kept() {
        assert_eq!(ChangeType::parse("collection"), ChangeType::Collection);
        assert_eq!(ChangeType::parse("moved"), ChangeType::Other("moved".to_owned()));
    }
}
