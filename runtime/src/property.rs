//! Typed handles for properties and navigation properties. The generated
//! code declares one zero-sized type per property (`customer::DisplayName`)
//! and a function returning its handle (`customer::display_name()`); the
//! operations on handles live here so every generated API behaves alike.

use std::marker::PhantomData;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::entity::{Entity, EntitySet};
use super::enums::EdmEnum;
use super::value::{Binary, Duration};

/// One structural property of one entity (or complex) type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a structural property",
    label = "expected a property marker (a value of the entity, not a navigation property)",
    note = "a navigation property is read by expanding it: in a projection `#[expand] name: Navigation => ProjectionOfItsTarget`, in a query `expand(..)`"
)]
pub trait Property: Copy + 'static {
    /// The type that declares the property.
    type Entity: 'static;
    /// The Rust type of the field (`Option<String>` for a nullable string).
    type Value: 'static;
    /// The field type without `Option` (`String`): what filters compare
    /// with and what payload setters take.
    type Inner: 'static;
    /// The name on the wire.
    const NAME: &'static str;
}

/// Marks `Self` as a property of type `E` (generated for every property).
/// Queries use it to accept only properties of the entity they read.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a property of `{E}`",
    label = "this property belongs to another entity type",
    note = "$select and $orderby name properties of the entity being queried; use $expand for related entities"
)]
pub trait PropertyOf<E>: Property {}

/// Properties a create payload may set (not key, not computed, not read-only).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be set when creating an entity",
    label = "this property is read-only, computed or part of the key",
    note = "the $metadata or the resource docs mark this property read-only; the service fills it in"
)]
pub trait SettableOnCreate: Property {}

/// Properties an update payload may change (not key, not computed, not immutable, not read-only).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be changed in an update",
    label = "this property is read-only, computed, immutable or part of the key",
    note = "the $metadata or the resource docs mark this property read-only; the service maintains it"
)]
pub trait SettableOnUpdate: Property {}

/// The handle of a property, as returned by the generated functions.
pub struct Prop<P>(PhantomData<P>);

impl<P> Prop<P> {
    #[doc(hidden)]
    pub const fn new() -> Self {
        Prop(PhantomData)
    }
}

impl<P> Clone for Prop<P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P> Copy for Prop<P> {}

impl<P: Property> Prop<P> {
    /// The property's name on the wire.
    pub fn name(self) -> &'static str {
        P::NAME
    }
}

impl<P: Property> std::fmt::Debug for Prop<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Prop({})", P::NAME)
    }
}

/// A navigation property of one entity type.
pub trait Navigation: Copy + 'static {
    /// The entity type that declares the navigation property.
    type Source: Entity;
    /// The entity set (or navigation target) it leads to.
    type Target: EntitySet;
    /// [`One`] or [`Many`].
    type Cardinality: Cardinality;
    /// The navigation property's name on the wire.
    const NAME: &'static str;
}

/// Whether a navigation property leads to one entity ([`One`]) or a
/// collection ([`Many`]); options such as `$filter` and `$top` inside
/// `$expand` are offered only for collections.
pub trait Cardinality: 'static {}

/// A single-valued navigation property.
pub enum One {}
/// A collection-valued navigation property.
pub enum Many {}

impl Cardinality for One {}
impl Cardinality for Many {}

/// The handle of a navigation property.
pub struct Nav<N>(PhantomData<N>);

impl<N> Nav<N> {
    #[doc(hidden)]
    pub const fn new() -> Self {
        Nav(PhantomData)
    }
}

impl<N> Clone for Nav<N> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<N> Copy for Nav<N> {}

impl<N: Navigation> std::fmt::Debug for Nav<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Nav({})", N::NAME)
    }
}

/// Base types that support `eq` and `ne`.
#[diagnostic::on_unimplemented(message = "values of type `{Self}` cannot be compared with `eq`/`ne`")]
pub trait Equatable {}

/// Base types that support `gt`, `ge`, `lt` and `le`.
#[diagnostic::on_unimplemented(
    message = "values of type `{Self}` have no order: `gt`, `ge`, `lt` and `le` do not apply",
    note = "ordering comparisons work on numbers, strings, dates, times and durations"
)]
pub trait Ordered: Equatable {}

/// Base types the string functions work on.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a string: `contains`, `startswith`, `endswith`, `tolower` and `toupper` work on string properties only",
    label = "this property is not `Edm.String`"
)]
pub trait Text: Ordered {}

/// Field types that may be null.
#[diagnostic::on_unimplemented(
    message = "a property of type `{Self}` is never null",
    label = "the property is not nullable in $metadata",
    note = "null checks are offered only for nullable properties (fields of type `Option<_>`)"
)]
pub trait IsNullable {}

impl<T: 'static> IsNullable for Option<T> {}

macro_rules! scalar {
    ($($ty:ty: $($marker:ident),*);* $(;)?) => {$(
        $(impl $marker for $ty {})*
    )*};
}

scalar! {
    String: Equatable, Ordered, Text;
    bool: Equatable;
    i8: Equatable, Ordered;
    u8: Equatable, Ordered;
    i16: Equatable, Ordered;
    i32: Equatable, Ordered;
    i64: Equatable, Ordered;
    f32: Equatable, Ordered;
    f64: Equatable, Ordered;
    Decimal: Equatable, Ordered;
    Uuid: Equatable;
    NaiveDate: Equatable, Ordered;
    DateTime<FixedOffset>: Equatable, Ordered;
    NaiveTime: Equatable, Ordered;
    Duration: Equatable, Ordered;
    Binary: Equatable;
}

/// Generated enums compare only with their own variants.
impl<T: EdmEnum> Equatable for T {}
