//! Traits the generated code implements for entity types, entity sets and
//! services. Capabilities from the `$metadata` (insertable, updatable,
//! deletable, sortable, filterable) are marker traits on the entity set, so
//! an operation the service does not allow does not compile.

use serde::de::DeserializeOwned;

use crate::profile::ServiceProfile;
use crate::value::ETag;

/// A generated API (one service root such as `api/v2.0`). Its marker type
/// carries what the service supports at compile time, and the wire dialect
/// the generator chose for it.
pub trait Service: 'static {
    /// The default service root below a client's base URL, such as `api/v2.0`.
    const ROUTE: &'static str;
    /// How the service writes literals and reports failures.
    const PROFILE: ServiceProfile;
}

/// Services whose `$filter` honours the lambda operators `any` and `all`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not support `any`/`all` in $filter",
    label = "lambda operators are not offered for this service",
    note = "the generator left lambda operators out because this service ignores or rejects them (a filter it ignores returns unfiltered data); filter the related entity set directly instead"
)]
pub trait LambdaOperators: Service {}

/// A generated entity type (the struct a GET returns).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a whole entity type",
    label = "a whole entity is required here",
    note = "a projection (`projection!`) holds only the properties it selects; read whole entities with a query without `select_as`"
)]
pub trait Entity: DeserializeOwned + Send + Sync + 'static {
    /// The generated API the type belongs to.
    type Service: Service;
    /// Qualified type name, such as `Microsoft.NAV.customer`.
    const TYPE_NAME: &'static str;
    /// Properties that `$select` always includes so the type can be filled:
    /// the key and every non-nullable property.
    const ALWAYS_SELECTED: &'static [&'static str];

    /// The version tag the service sent with this entity (`@odata.etag`).
    fn etag(&self) -> Option<&ETag>;
}

/// How a key value is written between the parentheses of a URL segment.
pub trait EntityKey {
    /// Appends the key predicate without parentheses, already URL-encoded:
    /// `34f0…e7` for a GUID, `'A''B'` for a string, `a=1,b='x'` for composite keys.
    fn write_key(&self, out: &mut String);
}

/// The key of an entity type that has none (real services type their
/// singletons this way). No value of it exists, so such entities are never
/// addressed by key: they are reached through singletons and navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoKey {}

impl EntityKey for NoKey {
    fn write_key(&self, _out: &mut String) {
        match *self {}
    }
}

/// An entity type derived from `Base` (directly or further down): a path
/// to `Base` entities narrows to this type with a type-cast segment
/// (`…/people/Namespace.Employee`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not derive from `{Base}`",
    label = "a type cast must name a type derived from the path's type",
    note = "the service's $metadata declares which types derive from which (`BaseType`)"
)]
pub trait DerivedFrom<Base: Entity>: Entity {}

/// An entity set, or the target of a navigation property.
#[diagnostic::on_unimplemented(message = "`{Self}` is not an entity set of the generated API")]
pub trait EntitySet: 'static {
    /// The type of the entities in the set.
    type Entity: Entity;
    /// The type of the key that addresses one entity.
    type Key: EntityKey;
    /// The name in `$metadata`.
    const NAME: &'static str;
}

/// Sets whose entities can be created (`Capabilities.InsertRestrictions`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not allow creating entities",
    label = "this entity set is not insertable",
    note = "the service's $metadata marks it `Capabilities.InsertRestrictions/Insertable = false`: it is read-only for inserts"
)]
pub trait Insertable: EntitySet {
    /// The generated create payload of the set's entity type.
    type Create: Payload<Entity = Self::Entity>;
}

/// Sets whose entities can be changed (`Capabilities.UpdateRestrictions`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not allow updating entities",
    label = "this entity set is not updatable",
    note = "the service's $metadata marks it `Capabilities.UpdateRestrictions/Updatable = false`"
)]
pub trait Updatable: EntitySet {
    /// The generated update payload of the set's entity type.
    type Update: Payload<Entity = Self::Entity>;
}

/// Sets whose entities can be deleted (`Capabilities.DeleteRestrictions`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not allow deleting entities",
    label = "this entity set is not deletable",
    note = "the service's $metadata marks it `Capabilities.DeleteRestrictions/Deletable = false`"
)]
pub trait Deletable: EntitySet {}

/// Sets that accept `$orderby` (`Capabilities.SortRestrictions`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be ordered with $orderby",
    label = "this entity set is not sortable",
    note = "the service's $metadata marks it `Capabilities.SortRestrictions/Sortable = false`; sort the results after fetching them"
)]
pub trait Sortable: EntitySet {}

/// Sets that accept `$filter` (`Capabilities.FilterRestrictions`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be filtered with $filter",
    label = "this entity set is not filterable",
    note = "the service's $metadata marks it `Capabilities.FilterRestrictions/Filterable = false`"
)]
pub trait Filterable: EntitySet {}

/// A create or update body for one entity type.
pub trait Payload: Send + 'static {
    /// The entity type the payload creates or changes.
    type Entity: Entity;
    /// The JSON object to send.
    fn to_json(&self) -> String;
}

/// Something that knows the ETag to send in `If-Match`: an [`ETag`], an
/// entity that was read with one, or a projection that carries it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` carries no ETag to send in `If-Match`",
    label = "the version this change is based on is unknown",
    note = "give the projection an `#[etag] name` field (or pass the whole entity, or its `ETag`); `update_unconditionally` and `delete_unconditionally` skip the check"
)]
pub trait IfMatch {
    /// The ETag to send, if one is known.
    fn if_match(&self) -> Option<&ETag>;
}

impl IfMatch for ETag {
    fn if_match(&self) -> Option<&ETag> {
        Some(self)
    }
}

impl<E: Entity> IfMatch for E {
    fn if_match(&self) -> Option<&ETag> {
        self.etag()
    }
}
