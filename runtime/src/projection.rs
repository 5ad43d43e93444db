//! Typed projections: a query that selects a few properties reads rows of
//! a type that holds exactly those properties.
//!
//! A projection is a struct declared with the [`projection!`](crate::projection)
//! macro: each field names a property marker of one entity type (the
//! generated `fields` module), and the field's type is the property's own
//! (`Option<T>` when the property is nullable, `T` when it is not). The
//! macro implements [`Projection`], which carries the `$select` list and the
//! nested `$expand` the query sends, a decoder from the wire JSON (through
//! the same [`Edm`] machinery entities use; properties the projection does
//! not hold are skipped), and [`IfMatch`](crate::IfMatch) when the
//! projection carries the ETag (`#[etag]`). [`ListQuery::select_as`](crate::ListQuery::select_as)
//! and [`GetQuery::select_as`](crate::GetQuery::select_as) turn a query of
//! whole entities into a query of projections.
//!
//! Mistakes are compile errors: a property of another entity, the same
//! property twice, a navigation property without `#[expand]`, a nested
//! projection of the wrong entity type, a projection where a whole entity
//! is required (an update from a projection without `#[etag]`).

use serde::de::DeserializeOwned;

use crate::entity::{Entity, EntitySet};
use crate::property::{Cardinality, Many, Navigation, One};
use crate::value::Edm;

/// A row type that holds some properties of entity type `E`: what
/// [`ListQuery::select_as`](crate::ListQuery::select_as) reads.
/// Implemented by the [`projection!`](crate::projection) macro.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a projection of `{E}`",
    label = "expected a projection of `{E}`",
    note = "a projection is declared with `projection! {{ struct Name of Entity {{ … }} }}` and reads properties of that one entity type"
)]
pub trait Projection<E: Entity>: Edm + DeserializeOwned + Send + 'static {
    /// The wire names of the structural properties the projection holds:
    /// the query's `$select`.
    const SELECT: &'static [&'static str];
    /// The navigation properties it expands, each with the `$select` (and
    /// further `$expand`) of its nested projection.
    const EXPAND: &'static [Expansion];
}

/// One navigation property a projection expands, with what it selects of
/// the related entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expansion {
    navigation: &'static str,
    select: &'static [&'static str],
    expand: &'static [Expansion],
}

impl Expansion {
    #[doc(hidden)]
    pub const fn new(
        navigation: &'static str,
        select: &'static [&'static str],
        expand: &'static [Expansion],
    ) -> Expansion {
        Expansion { navigation, select, expand }
    }

    /// The navigation property's wire name.
    pub fn navigation(&self) -> &'static str {
        self.navigation
    }

    /// The properties selected of the related entities.
    pub fn select(&self) -> &'static [&'static str] {
        self.select
    }

    /// Navigation properties expanded further down.
    pub fn expand(&self) -> &'static [Expansion] {
        self.expand
    }
}

/// Marks `Self` as a navigation property of entity type `E`: a projection
/// of `E` may expand it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a navigation property of `{E}`",
    label = "this navigation property belongs to another entity type",
    note = "`#[expand]` follows a navigation property of the projected entity (its `fields` module)"
)]
pub trait NavigationOf<E>: Navigation {}

impl<N: Navigation> NavigationOf<N::Source> for N {}

/// The row type of a query that reads whole entities of `E` rather than a
/// projection: `select` and `expand` change what such a query fetches.
#[diagnostic::on_unimplemented(
    message = "this query reads `{Self}` rows, a projection of `{E}`: the projection decides `$select` and `$expand`",
    label = "`select` and `expand` apply to queries that read whole entities",
    note = "add the property to the projection's declaration (a navigation with `#[expand]` and a nested projection) instead"
)]
pub trait WholeEntity<E> {}

impl<E: Entity> WholeEntity<E> for E {}

/// How an expanded navigation property arrives in a projection: a single
/// related entity as `Option<R>` (`null` when there is none), a collection
/// as `Vec<R>`.
#[doc(hidden)]
pub trait ExpansionShape: Cardinality {
    /// The field type for rows of type `R`.
    type Rows<R>;
}

impl ExpansionShape for One {
    type Rows<R> = Option<R>;
}

impl ExpansionShape for Many {
    type Rows<R> = Vec<R>;
}

/// The entity type a navigation property leads to.
pub(crate) type TargetOf<N> = <<N as Navigation>::Target as EntitySet>::Entity;

/// The wire name of `P`, a property of `E`: what the macro puts in
/// [`Projection::SELECT`], checking that `P` belongs to `E`.
pub const fn projected_property<E, P: crate::property::PropertyOf<E>>() -> &'static str {
    P::NAME
}

/// What the projection macro reads of a field's marker: its value type and
/// wire name. Every property has it; generated code gives it to navigation
/// properties too, with [`NotAProperty`] as the value, so that a projection
/// naming a navigation property without `#[expand]` fails once, on
/// [`projected_property`]'s bound, rather than at every use of the field.
pub trait ProjectedField {
    /// The field's type in the projection.
    type Value;
    /// The name on the wire.
    const NAME: &'static str;
}

impl<P: crate::property::Property> ProjectedField for P {
    type Value = P::Value;
    const NAME: &'static str = P::NAME;
}

/// The value of a navigation property used as a plain projection field:
/// never built, since such a projection does not compile (see
/// [`ProjectedField`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NotAProperty {}

impl crate::value::Edm for NotAProperty {
    fn deserialize_edm<'de, D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom("a navigation property is read by expanding it"))
    }

    fn write_json(&self, _: &mut String) {
        match *self {}
    }
}

/// Fails the build when `P` is not a structural property (a navigation
/// property named without `#[expand]`), with [`Property`]'s message.
///
/// [`Property`]: crate::property::Property
pub const fn assert_structural<P: crate::property::Property>() {}

/// The expansion of `N`, a navigation property of `E`, by the projection `R`
/// of its target.
pub const fn projected_navigation<E, N, R>() -> Expansion
where
    N: NavigationOf<E>,
    R: Projection<TargetOf<N>>,
{
    Expansion::new(N::NAME, R::SELECT, R::EXPAND)
}

/// Fails the build, naming the two fields, when a projection selects a
/// property (or expands a navigation property) twice: the service would
/// refuse the duplicate, or fill one field and not the other.
/// `fields` are the Rust field names in the order of `SELECT` then `EXPAND`.
pub const fn assert_each_property_once<E: Entity, P: Projection<E>>(projection: &'static str, fields: &[&'static str]) {
    let select = P::SELECT;
    let expand = P::EXPAND;
    let count = select.len() + expand.len();
    let mut i = 0;
    while i < count {
        let mut j = i + 1;
        while j < count {
            if str_eq(wire_name(select, expand, i), wire_name(select, expand, j)) {
                let message = Message::new()
                    .push("projection `")
                    .push(projection)
                    .push("`: fields `")
                    .push(field_name(fields, i))
                    .push("` and `")
                    .push(field_name(fields, j))
                    .push("` both read `")
                    .push(wire_name(select, expand, i))
                    .push("`; a projection names each property once");
                panic!("{}", message.as_str());
            }
            j += 1;
        }
        i += 1;
    }
}

/// The `i`-th wire name of `SELECT` followed by the navigations of `EXPAND`.
const fn wire_name(select: &[&'static str], expand: &[Expansion], i: usize) -> &'static str {
    if i < select.len() { select[i] } else { expand[i - select.len()].navigation }
}

const fn field_name(fields: &[&'static str], i: usize) -> &'static str {
    if i < fields.len() { fields[i] } else { "?" }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A compile-time message: pieces that do not fit are left out whole, so
/// the text stays valid UTF-8.
struct Message {
    bytes: [u8; 512],
    len: usize,
}

impl Message {
    const fn new() -> Message {
        Message { bytes: [0; 512], len: 0 }
    }

    const fn push(mut self, piece: &str) -> Message {
        let piece = piece.as_bytes();
        if self.len + piece.len() <= self.bytes.len() {
            let mut i = 0;
            while i < piece.len() {
                self.bytes[self.len + i] = piece[i];
                i += 1;
            }
            self.len += piece.len();
        }
        self
    }

    const fn as_str(&self) -> &str {
        let (text, _) = self.bytes.split_at(self.len);
        match std::str::from_utf8(text) {
            Ok(text) => text,
            Err(_) => "a projection names a property twice",
        }
    }
}

/// Declares projections: structs that hold some properties of one entity
/// type, read with [`ListQuery::select_as`](crate::ListQuery::select_as)
/// and [`GetQuery::select_as`](crate::GetQuery::select_as).
///
/// ```ignore
/// odata_v4_runtime::projection! {
///     /// What the mailing needs of a customer.
///     #[derive(Debug, Clone, PartialEq)]
///     pub struct Mailing of customer::Customer {
///         pub id: customer::fields::Id,
///         pub number: customer::fields::Number,             // Option<String>: nullable
///         pub display_name: customer::fields::DisplayName,  // String: not nullable
///         // The ETag, for a later update or delete: the row implements `IfMatch`.
///         #[etag] pub etag,
///         // A nested projection of a navigation property: `Option<TermRow>`
///         // for a single related entity, `Vec<TermRow>` for a collection.
///         #[expand] pub payment_term: customer::fields::PaymentTerm => TermRow,
///     }
///
///     #[derive(Debug, Clone, PartialEq)]
///     pub struct TermRow of payment_term::PaymentTerm {
///         pub code: payment_term::fields::Code,
///     }
/// }
///
/// let rows: Vec<Mailing> = company.customers().list().select_as::<Mailing>().collect().await?;
/// ```
///
/// Each plain field is `name: Marker`, where `Marker` is a property of the
/// projected entity; its type is the property's
/// [`Value`](crate::Property::Value). `#[etag] name` adds an
/// `Option<ETag>` filled from `@odata.etag`. `#[expand] name: Navigation => Row`
/// expands the navigation property with the projection `Row` of its target.
/// Attributes before a field (doc comments) are kept; attributes before
/// `struct` apply to the struct. Several projections may be declared in
/// one invocation. The query sends exactly the projection's properties in
/// `$select` (nothing is added), and a property the service left out is
/// `None` when nullable and a decoding error otherwise.
#[macro_export]
macro_rules! projection {
    () => {};
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident of $entity:ty { $($body:tt)* }
        $($rest:tt)*
    ) => {
        $crate::projection!(@munch
            head [[$(#[$attr])*] [$vis] [$name] [$entity]]
            fields [] props [] etag [] expands [] pending []
            rest [$($body)*]
        );
        $crate::projection!($($rest)*);
    };
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
        $($rest:tt)*
    ) => {
        ::core::compile_error!("name the projected entity type: `struct Name of path::to::Entity { … }`");
    };

    // A second `#[etag]` field.
    (@munch head $head:tt fields $fields:tt props $props:tt etag [$etag:ident] expands $expands:tt
        pending $pending:tt rest [#[etag] $($rest:tt)*]
    ) => {
        ::core::compile_error!("a projection carries the ETag once: remove the second `#[etag]` field");
    };
    // `#[etag] name`: the entity's ETag.
    (@munch head $head:tt fields [$($fields:tt)*] props $props:tt etag [] expands $expands:tt
        pending [$($pending:tt)*] rest [#[etag] $fvis:vis $field:ident $(, $($rest:tt)*)?]
    ) => {
        $crate::projection!(@munch
            head $head
            fields [$($fields)*
                [$($pending)*
                 #[doc = "The entity's version (`@odata.etag`), sent in `If-Match` by updates and deletes."]]
                [$fvis] $field : ::core::option::Option<$crate::ETag>;
            ]
            props $props etag [$field] expands $expands pending []
            rest [$($($rest)*)?]
        );
    };
    (@munch head $head:tt fields $fields:tt props $props:tt etag $etag:tt expands $expands:tt
        pending $pending:tt rest [#[etag] $($rest:tt)*]
    ) => {
        ::core::compile_error!("write the ETag field as `#[etag] name,` (its type is `Option<ETag>`)");
    };
    // `#[expand] name: Navigation => Row`: a nested projection.
    (@munch head $head:tt fields [$($fields:tt)*] props $props:tt etag $etag:tt expands [$($expands:tt)*]
        pending [$($pending:tt)*]
        rest [#[expand] $fvis:vis $field:ident : $nav:ty => $row:ty $(, $($rest:tt)*)?]
    ) => {
        $crate::projection!(@munch
            head $head
            fields [$($fields)*
                [$($pending)*] [$fvis] $field :
                <<$nav as $crate::Navigation>::Cardinality as $crate::__private::ExpansionShape>::Rows<$row>;
            ]
            props $props etag $etag expands [$($expands)* $field : $nav => $row;] pending []
            rest [$($($rest)*)?]
        );
    };
    (@munch head $head:tt fields $fields:tt props $props:tt etag $etag:tt expands $expands:tt
        pending $pending:tt rest [#[expand] $($rest:tt)*]
    ) => {
        ::core::compile_error!(
            "write a nested projection as `#[expand] name: NavigationMarker => ProjectionOfItsTarget,`"
        );
    };
    // Any other attribute (a doc comment) belongs to the next field.
    (@munch head $head:tt fields $fields:tt props $props:tt etag $etag:tt expands $expands:tt
        pending [$($pending:tt)*] rest [#[$fattr:meta] $($rest:tt)*]
    ) => {
        $crate::projection!(@munch
            head $head fields $fields props $props etag $etag expands $expands
            pending [$($pending)* #[$fattr]] rest [$($rest)*]
        );
    };
    // `name: Property`: a structural property.
    (@munch head $head:tt fields [$($fields:tt)*] props [$($props:tt)*] etag $etag:tt expands $expands:tt
        pending [$($pending:tt)*] rest [$fvis:vis $field:ident : $property:ty $(, $($rest:tt)*)?]
    ) => {
        $crate::projection!(@munch
            head $head
            fields [$($fields)* [$($pending)*] [$fvis] $field : <$property as $crate::__private::ProjectedField>::Value;]
            props [$($props)* $field : $property;] etag $etag expands $expands pending []
            rest [$($($rest)*)?]
        );
    };
    // Every field read: the struct and its implementations.
    (@munch
        head [[$(#[$attr:meta])*] [$vis:vis] [$name:ident] [$entity:ty]]
        fields [$( [$(#[$fattr:meta])*] [$fvis:vis] $field:ident : $ftype:ty; )*]
        props [$( $prop:ident : $property:ty; )*]
        etag [$($etag:ident)?]
        expands [$( $nested:ident : $nav:ty => $row:ty; )*]
        pending []
        rest []
    ) => {
        $(#[$attr])*
        $vis struct $name {
            $( $(#[$fattr])* $fvis $field: $ftype, )*
        }

        const _: () = { $( $crate::__private::assert_structural::<$property>(); )* };

        impl $crate::Projection<$entity> for $name {
            const SELECT: &'static [&'static str] =
                &[$( $crate::__private::projected_property::<$entity, $property>(), )*];
            const EXPAND: &'static [$crate::Expansion] =
                &[$( $crate::__private::projected_navigation::<$entity, $nav, $row>(), )*];
        }

        const _: () = $crate::__private::assert_each_property_once::<$entity, $name>(
            ::core::stringify!($name),
            &[$( ::core::stringify!($prop), )* $( ::core::stringify!($nested), )*],
        );

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                struct RowVisitor;
                impl<'de> $crate::serde::de::Visitor<'de> for RowVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(::core::concat!("an object with the properties of projection `", ::core::stringify!($name), "`"))
                    }
                    fn visit_map<A: $crate::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::core::result::Result<$name, A::Error> {
                        $( let mut $prop: ::core::option::Option<<$property as $crate::__private::ProjectedField>::Value> = ::core::option::Option::None; )*
                        $( let mut $etag: ::core::option::Option<$crate::ETag> = ::core::option::Option::None; )?
                        $( let mut $nested: ::core::option::Option<
                            <<$nav as $crate::Navigation>::Cardinality as $crate::__private::ExpansionShape>::Rows<$row>,
                        > = ::core::option::Option::None; )*
                        while let ::core::option::Option::Some(key) = map.next_key::<$crate::__private::FieldName<'de>>()? {
                            let key = key.as_str();
                            $(
                                if key == <$property as $crate::__private::ProjectedField>::NAME {
                                    $prop = ::core::option::Option::Some($crate::__private::next_value(&mut map)?);
                                    continue;
                                }
                            )*
                            $(
                                if key == "@odata.etag" || key == "@etag" {
                                    $etag = $crate::__private::next_value(&mut map)?;
                                    continue;
                                }
                            )?
                            $(
                                if key == <$nav as $crate::Navigation>::NAME {
                                    $nested = ::core::option::Option::Some($crate::__private::next_value(&mut map)?);
                                    continue;
                                }
                            )*
                            $crate::__private::skip_value(&mut map)?;
                        }
                        ::core::result::Result::Ok($name {
                            $( $prop: match $prop {
                                ::core::option::Option::Some(value) => value,
                                ::core::option::Option::None => $crate::__private::absent(<$property as $crate::__private::ProjectedField>::NAME)?,
                            }, )*
                            $( $etag, )?
                            $( $nested: match $nested {
                                ::core::option::Option::Some(value) => value,
                                ::core::option::Option::None => $crate::__private::absent(<$nav as $crate::Navigation>::NAME)?,
                            }, )*
                        })
                    }
                }
                deserializer.deserialize_map(RowVisitor)
            }
        }

        impl $crate::Edm for $name {
            fn deserialize_edm<'de, D: $crate::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                <Self as $crate::serde::Deserialize<'de>>::deserialize(deserializer)
            }

            fn write_json(&self, out: &mut ::std::string::String) {
                let mut object = $crate::__private::JsonObject::begin(out);
                $(
                    if let ::core::option::Option::Some(etag) = &self.$etag {
                        object.field("@odata.etag", etag);
                    }
                )?
                $( object.field(<$property as $crate::__private::ProjectedField>::NAME, &self.$prop); )*
                $( object.field(<$nav as $crate::Navigation>::NAME, &self.$nested); )*
                object.end();
            }
        }

        $(
            impl $crate::IfMatch for $name {
                fn if_match(&self) -> ::core::option::Option<&$crate::ETag> {
                    self.$etag.as_ref()
                }
            }
        )?
    };
    (@munch $($unparsed:tt)*) => {
        ::core::compile_error!(
            "a projection field is `name: PropertyMarker`, `#[etag] name` or `#[expand] name: NavigationMarker => Projection`, separated by commas"
        );
    };
}
