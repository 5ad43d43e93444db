//! System query options and how they are written into a URL.

use std::marker::PhantomData;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::entity::{Entity, EntitySet, Filterable, Sortable};
use crate::filter::{Filter, IntoFilter, Token, render_tokens};
use crate::profile::{InOperatorSupport, ServiceProfile};
use crate::projection::{Expansion, Projection};
use crate::property::{Equatable, Many, Nav, Navigation, Prop, Property, PropertyOf};

/// Characters left as they are in query option values: the unreserved set
/// plus the OData punctuation that is safe inside a query component. Every
/// other byte (space, `&`, `#`, `+`, `;`, `=`, `%`, non-ASCII) is encoded.
/// `'` is encoded too: HTTP clients following the WHATWG URL rules turn it
/// into `%27` in queries anyway, and encoding it here keeps the URL the SDK
/// reports identical to the one on the wire.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b',')
    .remove(b':')
    .remove(b'/')
    .remove(b'@')
    .remove(b'$')
    .remove(b'!');

/// Percent-encodes a query option value (once).
pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// Characters left as they are inside a key predicate in a path segment.
const KEY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'\'');

/// Percent-encodes literal text that goes inside `(...)` of a path segment.
pub fn encode_key_value(value: &str) -> String {
    utf8_percent_encode(value, KEY_VALUE).to_string()
}

/// One `$orderby` item.
pub struct OrderKey<E> {
    property: &'static str,
    descending: bool,
    entity: PhantomData<fn() -> E>,
}

// Written by hand: derives would require the entity type itself to be
// `Copy`/`Eq`, which entities are not.
impl<E> Clone for OrderKey<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for OrderKey<E> {}
impl<E> PartialEq for OrderKey<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.property, self.descending) == (other.property, other.descending)
    }
}
impl<E> Eq for OrderKey<E> {}
impl<E> std::fmt::Debug for OrderKey<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OrderKey({}{})", self.property, if self.descending { " desc" } else { "" })
    }
}

/// Things `order_by` accepts for entity type `E`: a property handle
/// (ascending) or `property.asc()` / `property.desc()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot order a query over `{E}`",
    label = "expected a property of `{E}`, or `property.asc()` / `property.desc()`"
)]
pub trait IntoOrderKey<E> {
    /// The `$orderby` item.
    fn into_order_key(self) -> OrderKey<E>;
}

impl<E> IntoOrderKey<E> for OrderKey<E> {
    fn into_order_key(self) -> OrderKey<E> {
        self
    }
}

impl<E, P> IntoOrderKey<E> for Prop<P>
where
    P: PropertyOf<E>,
    P::Inner: Equatable,
{
    fn into_order_key(self) -> OrderKey<E> {
        OrderKey { property: P::NAME, descending: false, entity: PhantomData }
    }
}

impl<P: Property> Prop<P>
where
    P::Inner: Equatable,
{
    /// Ascending order on this property.
    pub fn asc(self) -> OrderKey<P::Entity> {
        OrderKey { property: P::NAME, descending: false, entity: PhantomData }
    }

    /// Descending order on this property.
    pub fn desc(self) -> OrderKey<P::Entity> {
        OrderKey { property: P::NAME, descending: true, entity: PhantomData }
    }
}

/// Properties that `select` accepts for entity type `E`: one property
/// handle or a tuple of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a property (or tuple of properties) of `{E}`",
    label = "only properties of `{E}` can be selected",
    note = "$select names structural properties of the entity being queried; use $expand for related entities"
)]
pub trait SelectList<E> {
    /// Appends the wire names of the selected properties.
    fn push_names(self, names: &mut Vec<&'static str>);
}

impl<E, P: PropertyOf<E>> SelectList<E> for Prop<P> {
    fn push_names(self, names: &mut Vec<&'static str>) {
        names.push(P::NAME);
    }
}

macro_rules! select_tuple {
    ($($name:ident),+) => {
        impl<E, $($name: SelectList<E>),+> SelectList<E> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn push_names(self, names: &mut Vec<&'static str>) {
                let ($($name,)+) = self;
                $($name.push_names(names);)+
            }
        }
    };
}
select_tuple!(A);
select_tuple!(A, B);
select_tuple!(A, B, C);
select_tuple!(A, B, C, D);
select_tuple!(A, B, C, D, F);
select_tuple!(A, B, C, D, F, G);
select_tuple!(A, B, C, D, F, G, H);
select_tuple!(A, B, C, D, F, G, H, I);
select_tuple!(A, B, C, D, F, G, H, I, J);
select_tuple!(A, B, C, D, F, G, H, I, J, K);
select_tuple!(A, B, C, D, F, G, H, I, J, K, L);
select_tuple!(A, B, C, D, F, G, H, I, J, K, L, M);

/// Query options without their entity type, ready to be written out.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawOptions {
    pub filter: Option<Vec<Token>>,
    pub uses_in: bool,
    pub select: Vec<&'static str>,
    pub always_selected: &'static [&'static str],
    pub expand: Vec<ExpandItem>,
    pub order_by: Vec<(&'static str, bool)>,
    pub top: Option<u64>,
    pub skip: Option<u64>,
    pub count: bool,
}

impl RawOptions {
    fn any_in(&self) -> bool {
        self.uses_in || self.expand.iter().any(|item| item.options.any_in())
    }

    fn select_text(&self) -> Option<String> {
        if self.select.is_empty() {
            return None;
        }
        // The key and non-nullable properties are always fetched, so the
        // typed result can be built whatever the caller selected.
        let mut names: Vec<&str> = self.always_selected.to_vec();
        for name in &self.select {
            if !names.contains(name) {
                names.push(name);
            }
        }
        Some(names.join(","))
    }

    fn order_text(&self) -> Option<String> {
        if self.order_by.is_empty() {
            return None;
        }
        let keys: Vec<String> = self
            .order_by
            .iter()
            .map(|(name, desc)| if *desc { format!("{name} desc") } else { (*name).to_owned() })
            .collect();
        Some(keys.join(","))
    }

    fn expand_text(&self, profile: &ServiceProfile) -> Option<String> {
        if self.expand.is_empty() {
            return None;
        }
        let items: Vec<String> = self
            .expand
            .iter()
            .map(|ExpandItem { name, options }| {
                let inner =
                    options.option_pairs(profile).into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>();
                if inner.is_empty() { (*name).to_owned() } else { format!("{name}({})", inner.join(";")) }
            })
            .collect();
        Some(items.join(","))
    }

    /// `(option, unencoded value)` pairs in a fixed order.
    fn option_pairs(&self, profile: &ServiceProfile) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(tokens) = &self.filter {
            let mut text = String::new();
            render_tokens(tokens, &mut text, profile, 0);
            pairs.push(("$filter", text));
        }
        if let Some(select) = self.select_text() {
            pairs.push(("$select", select));
        }
        if let Some(expand) = self.expand_text(profile) {
            pairs.push(("$expand", expand));
        }
        if let Some(order) = self.order_text() {
            pairs.push(("$orderby", order));
        }
        if let Some(top) = self.top {
            pairs.push(("$top", top.to_string()));
        }
        if let Some(skip) = self.skip {
            pairs.push(("$skip", skip.to_string()));
        }
        if self.count {
            pairs.push(("$count", "true".to_owned()));
        }
        pairs
    }

    /// The encoded query string, without `?`.
    pub fn to_query_string(&self, profile: &ServiceProfile) -> String {
        let mut pairs = self.option_pairs(profile);
        if let InOperatorSupport::QueryOption { name, value } = profile.in_operator
            && self.any_in()
        {
            pairs.push((name, value.to_owned()));
        }
        let mut query = String::new();
        for (i, (name, value)) in pairs.iter().enumerate() {
            if i > 0 {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            query.push_str(&encode_query_value(value));
        }
        query
    }
}

/// Typed query options over entity type `E`.
pub(crate) struct Options<E> {
    pub filter: Option<Filter<E>>,
    pub raw: RawOptions,
}

impl<E: Entity> Options<E> {
    pub fn new() -> Self {
        Options { filter: None, raw: RawOptions { always_selected: E::ALWAYS_SELECTED, ..RawOptions::default() } }
    }

    pub fn add_select(&mut self, fields: impl SelectList<E>) {
        fields.push_names(&mut self.raw.select);
    }

    pub fn add_expand(&mut self, navigation: impl Expandable<E>) {
        self.raw.expand.push(navigation.into_expand());
    }

    /// Selects exactly what the projection `P` holds: its properties (no
    /// key or non-nullable property added) and its nested projections.
    pub fn project<P: Projection<E>>(&mut self) {
        self.raw.select = P::SELECT.to_vec();
        self.raw.always_selected = &[];
        self.raw.expand = P::EXPAND.iter().map(ExpandItem::projected).collect();
    }

    pub fn add_order(&mut self, key: impl IntoOrderKey<E>) {
        let key = key.into_order_key();
        self.raw.order_by.push((key.property, key.descending));
    }

    pub fn add_filter(&mut self, filter: Filter<E>) {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(filter),
            None => filter,
        });
    }

    pub fn into_raw(mut self) -> RawOptions {
        if let Some(filter) = self.filter {
            let (tokens, uses_in) = filter.into_parts();
            self.raw.filter = Some(tokens);
            self.raw.uses_in = uses_in;
        }
        self.raw
    }
}

impl<E> Clone for Options<E> {
    fn clone(&self) -> Self {
        Options { filter: self.filter.clone(), raw: self.raw.clone() }
    }
}

/// Things `expand` accepts for entity type `E`: a navigation property
/// handle, or one with nested options (`lines().select(..).top(5)`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a navigation property of `{E}`",
    label = "only navigation properties of `{E}` can be expanded",
    note = "$expand follows navigation properties; structural properties are already part of the entity (use `select`)"
)]
pub trait Expandable<E> {
    #[doc(hidden)]
    fn into_expand(self) -> ExpandItem;
}

/// One `$expand` item: a navigation property and its nested options.
#[derive(Debug, Clone)]
pub struct ExpandItem {
    pub(crate) name: &'static str,
    pub(crate) options: RawOptions,
}

impl ExpandItem {
    /// The item a projection's nested projection asks for.
    fn projected(expansion: &Expansion) -> ExpandItem {
        ExpandItem {
            name: expansion.navigation(),
            options: RawOptions {
                select: expansion.select().to_vec(),
                expand: expansion.expand().iter().map(ExpandItem::projected).collect(),
                ..RawOptions::default()
            },
        }
    }
}

type TargetEntity<N> = <<N as Navigation>::Target as EntitySet>::Entity;

/// A navigation property with nested query options for `$expand`.
pub struct ExpandQuery<N: Navigation> {
    options: Options<TargetEntity<N>>,
}

impl<N: Navigation> Clone for ExpandQuery<N> {
    fn clone(&self) -> Self {
        ExpandQuery { options: self.options.clone() }
    }
}

impl<N: Navigation> std::fmt::Debug for ExpandQuery<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExpandQuery({})", N::NAME)
    }
}

impl<N: Navigation> Expandable<N::Source> for Nav<N> {
    fn into_expand(self) -> ExpandItem {
        ExpandItem { name: N::NAME, options: RawOptions::default() }
    }
}

impl<N: Navigation> Expandable<N::Source> for ExpandQuery<N> {
    fn into_expand(self) -> ExpandItem {
        ExpandItem { name: N::NAME, options: self.options.into_raw() }
    }
}

impl<N: Navigation> Nav<N> {
    fn query(self) -> ExpandQuery<N> {
        ExpandQuery { options: Options::new() }
    }

    /// Expands with only these properties of the related entity.
    pub fn select(self, fields: impl SelectList<TargetEntity<N>>) -> ExpandQuery<N> {
        self.query().select(fields)
    }

    /// Expands and, inside it, expands further.
    pub fn expand(self, navigation: impl Expandable<TargetEntity<N>>) -> ExpandQuery<N> {
        self.query().expand(navigation)
    }
}

impl<N: Navigation<Cardinality = Many>> Nav<N> {
    /// Expands only the related entities that match.
    pub fn filter(self, condition: impl IntoFilter<TargetEntity<N>>) -> ExpandQuery<N>
    where
        N::Target: Filterable,
    {
        self.query().filter(condition)
    }

    /// Expands the related entities in this order.
    pub fn order_by(self, key: impl IntoOrderKey<TargetEntity<N>>) -> ExpandQuery<N>
    where
        N::Target: Sortable,
    {
        self.query().order_by(key)
    }

    /// Expands at most `n` related entities.
    pub fn top(self, n: u64) -> ExpandQuery<N> {
        self.query().top(n)
    }
}

impl<N: Navigation> ExpandQuery<N> {
    /// Selects properties of the expanded entities.
    pub fn select(mut self, fields: impl SelectList<TargetEntity<N>>) -> Self {
        self.options.add_select(fields);
        self
    }

    /// Expands a navigation of the expanded entities.
    pub fn expand(mut self, navigation: impl Expandable<TargetEntity<N>>) -> Self {
        self.options.add_expand(navigation);
        self
    }
}

impl<N: Navigation<Cardinality = Many>> ExpandQuery<N> {
    /// Expands only the related entities that match.
    pub fn filter(mut self, condition: impl IntoFilter<TargetEntity<N>>) -> Self
    where
        N::Target: Filterable,
    {
        self.options.add_filter(condition.into_filter());
        self
    }

    /// Orders the expanded collection.
    pub fn order_by(mut self, key: impl IntoOrderKey<TargetEntity<N>>) -> Self
    where
        N::Target: Sortable,
    {
        self.options.add_order(key);
        self
    }

    /// Expands at most `n` related entities.
    pub fn top(mut self, n: u64) -> Self {
        self.options.raw.top = Some(n);
        self
    }

    /// Skips the first `n` related entities.
    pub fn skip(mut self, n: u64) -> Self {
        self.options.raw.skip = Some(n);
        self
    }

    /// Adds `@odata.count` for the expanded collection.
    pub fn count(mut self) -> Self {
        self.options.raw.count = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_once_and_keeps_odata_punctuation() {
        assert_eq!(encode_query_value("name eq 'O''Brien & Sons'"), "name%20eq%20%27O%27%27Brien%20%26%20Sons%27");
        assert_eq!(encode_query_value("a#b+c%d;e=f"), "a%23b%2Bc%25d%3Be%3Df");
        assert_eq!(encode_query_value("München"), "M%C3%BCnchen");
        assert_eq!(encode_query_value("contains(x,'/')"), "contains(x,%27/%27)");
    }

    #[test]
    fn key_values_encode_everything_but_quotes() {
        assert_eq!(encode_key_value("'CRONUS USA, Inc.'"), "'CRONUS%20USA%2C%20Inc.'");
        assert_eq!(encode_key_value("'a(b)/c'"), "'a%28b%29%2Fc'");
    }
}
