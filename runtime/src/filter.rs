//! Typed `$filter` expressions. A `Filter<E>` can only be built from
//! properties of entity type `E`, and only with operators and literals that
//! fit each property's type; it is rendered to text when the request is
//! built, following the service profile.
//!
//! A filter also records, in its second type parameter, whether it is about
//! one property ([`OneProperty`]) or several ([`Properties`]), because some
//! services refuse `or` across properties (Business Central answers such a
//! filter with an error). Their generated code allows `or` only between
//! conditions on one property ([`OrOperands`]); every other service allows
//! any `or`.

use std::marker::PhantomData;

use super::entity::{Entity, LambdaOperators, Service};
use super::literal::{IntoLiteral, Literal};
use super::profile::ServiceProfile;
use super::property::{Equatable, IsNullable, Many, Nav, Navigation, Ordered, Prop, Property, Text};

/// The base type of a property (its field type without `Option`).
pub type BaseOf<P> = <P as Property>::Inner;

/// A piece of a rendered filter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    Syntax(&'static str),
    /// A property name; inside a lambda it is prefixed with the lambda variable.
    Property(&'static str),
    Literal(Literal),
    Lambda {
        navigation: &'static str,
        operator: &'static str,
        body: Vec<Token>,
    },
}

/// How an expression combines, to decide where parentheses are needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Simple,
    And,
    Or,
}

/// A `$filter` expression over entity type `E`, about the properties `S`:
/// [`OneProperty<P>`] for conditions on property `P` alone (built by its
/// handle, `or`ed with others on `P`, negated), else [`Properties`].
pub struct Filter<E, S = Properties> {
    tokens: Vec<Token>,
    shape: Shape,
    uses_in: bool,
    entity: PhantomData<fn() -> (E, S)>,
}

/// The scope of a filter whose conditions are all on property `P`.
pub struct OneProperty<P>(PhantomData<fn() -> P>);

/// The scope of a filter on several properties, or on properties the type
/// does not track (an `and`, a lambda operator).
pub enum Properties {}

/// Services that take `filter_a or filter_b` for filters about the
/// properties `A` and `B`. Generated code implements it for every pair
/// where the service takes any `or`; a service that takes `or` only on one
/// property implements [`OrWithinOneProperty`] instead, which grants the
/// pairs `OneProperty<P>` with itself.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not allow `or` between conditions on different properties",
    label = "this `or` combines conditions on different properties (or an `and`)",
    note = "the service refuses a $filter that ORs different properties; use `is_in` for several values of one property, `or` only conditions on the same property, or run one query per alternative and merge the results"
)]
pub trait OrOperands<A, B>: Service {}

/// Marks a service that takes `or` only between conditions on one property
/// (Business Central answers any other `or` with an error).
pub trait OrWithinOneProperty: Service {}

impl<T: OrWithinOneProperty, P> OrOperands<OneProperty<P>, OneProperty<P>> for T {}

/// Never built: with a second pair on the left side `OneProperty<P>`, the
/// compiler cannot guess the right side from the one above, so a mistake is
/// reported by the message of [`OrOperands`] rather than as a type mismatch.
impl<T: OrWithinOneProperty, P> OrOperands<OneProperty<P>, crate::__private::NoFilterHasThisScope> for T {}

impl<E, S> Clone for Filter<E, S> {
    fn clone(&self) -> Self {
        Filter { tokens: self.tokens.clone(), shape: self.shape, uses_in: self.uses_in, entity: PhantomData }
    }
}

impl<E, S> std::fmt::Debug for Filter<E, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Filter({})", self.render(&ServiceProfile::strict_odata()))
    }
}

/// Things that can be used as the `$filter` of a query over `E`.
#[diagnostic::on_unimplemented(
    message = "this is not a filter on `{E}`",
    label = "expected a `Filter<{E}>`, built from properties of `{E}`",
    note = "a filter can only use properties of the entity type being queried; properties of other entity types belong in their own query or in an $expand"
)]
pub trait IntoFilter<E> {
    /// The filter expression.
    fn into_filter(self) -> Filter<E>;
}

impl<E, S> IntoFilter<E> for Filter<E, S> {
    fn into_filter(self) -> Filter<E> {
        Filter { tokens: self.tokens, shape: self.shape, uses_in: self.uses_in, entity: PhantomData }
    }
}

/// Forgets that a filter is about one property, so that it can be kept in a
/// `Filter<E>` variable and joined with others by `and`.
impl<E, P> From<Filter<E, OneProperty<P>>> for Filter<E> {
    fn from(filter: Filter<E, OneProperty<P>>) -> Filter<E> {
        filter.into_filter()
    }
}

impl<E, S> Filter<E, S> {
    fn simple(tokens: Vec<Token>) -> Self {
        Filter { tokens, shape: Shape::Simple, uses_in: false, entity: PhantomData }
    }

    /// Both conditions hold.
    pub fn and(self, other: impl IntoFilter<E>) -> Filter<E> {
        self.into_filter().combine(other.into_filter(), Shape::And, " and ")
    }

    /// At least one condition holds. Where the service takes `or` only
    /// between conditions on one property (Business Central), both sides
    /// must be on the same property; `is_in` is often what is meant.
    pub fn or<S2>(self, other: Filter<E, S2>) -> Filter<E, S>
    where
        E: Entity,
        E::Service: OrOperands<S, S2>,
    {
        self.combine(other, Shape::Or, " or ")
    }

    /// The condition does not hold; always written as `not (…)`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Filter<E, S> {
        let mut tokens = Vec::with_capacity(self.tokens.len() + 2);
        tokens.push(Token::Syntax("not ("));
        tokens.extend(self.tokens);
        tokens.push(Token::Syntax(")"));
        Filter { tokens, shape: Shape::Simple, uses_in: self.uses_in, entity: PhantomData }
    }

    /// Joins two filters. An operand is parenthesised unless it is simple or
    /// a chain of the same operator, so `a and (b or c)` can never be read
    /// as `(a and b) or c`.
    fn combine<S2, S3>(self, other: Filter<E, S2>, shape: Shape, operator: &'static str) -> Filter<E, S3> {
        let mut tokens = Vec::with_capacity(self.tokens.len() + other.tokens.len() + 5);
        for (i, operand) in [self.tokens, other.tokens].into_iter().enumerate() {
            let operand_shape = if i == 0 { self.shape } else { other.shape };
            if i == 1 {
                tokens.push(Token::Syntax(operator));
            }
            let wrap = operand_shape != Shape::Simple && operand_shape != shape;
            if wrap {
                tokens.push(Token::Syntax("("));
            }
            tokens.extend(operand);
            if wrap {
                tokens.push(Token::Syntax(")"));
            }
        }
        Filter { tokens, shape, uses_in: self.uses_in || other.uses_in, entity: PhantomData }
    }

    /// Whether the filter uses `in (…)`, which some services honour only with
    /// a query option of their own (see [`InOperatorSupport`](crate::InOperatorSupport)).
    pub fn uses_in(&self) -> bool {
        self.uses_in
    }

    /// The filter as `$filter` text (not yet URL-encoded).
    pub fn render(&self, profile: &ServiceProfile) -> String {
        let mut out = String::with_capacity(self.tokens.len() * 12);
        render_tokens(&self.tokens, &mut out, profile, 0);
        out
    }

    pub(crate) fn into_parts(self) -> (Vec<Token>, bool) {
        (self.tokens, self.uses_in)
    }
}

impl<E, S> std::ops::Not for Filter<E, S> {
    type Output = Filter<E, S>;
    fn not(self) -> Filter<E, S> {
        Filter::not(self)
    }
}

impl<E, S, F: IntoFilter<E>> std::ops::BitAnd<F> for Filter<E, S> {
    type Output = Filter<E>;
    fn bitand(self, other: F) -> Filter<E> {
        self.and(other)
    }
}

impl<E: Entity, S, S2> std::ops::BitOr<Filter<E, S2>> for Filter<E, S>
where
    E::Service: OrOperands<S, S2>,
{
    type Output = Filter<E, S>;
    fn bitor(self, other: Filter<E, S2>) -> Filter<E, S> {
        self.or(other)
    }
}

pub(crate) fn render_tokens(tokens: &[Token], out: &mut String, profile: &ServiceProfile, depth: usize) {
    for token in tokens {
        match token {
            Token::Syntax(text) => out.push_str(text),
            Token::Property(name) => {
                if depth > 0 {
                    lambda_variable(out, depth);
                    out.push('/');
                }
                out.push_str(name);
            }
            Token::Literal(literal) => literal.render(out, profile),
            Token::Lambda { navigation, operator, body } => {
                if depth > 0 {
                    lambda_variable(out, depth);
                    out.push('/');
                }
                out.push_str(navigation);
                out.push('/');
                out.push_str(operator);
                out.push('(');
                lambda_variable(out, depth + 1);
                out.push(':');
                render_tokens(body, out, profile, depth + 1);
                out.push(')');
            }
        }
    }
}

fn lambda_variable(out: &mut String, depth: usize) {
    out.push('x');
    out.push_str(&depth.to_string());
}

impl<P: Property> Prop<P> {
    fn compare(self, operator: &'static str, operand: Token) -> Filter<P::Entity, OneProperty<P>> {
        Filter::simple(vec![Token::Property(P::NAME), Token::Syntax(operator), operand])
    }

    /// `property eq value`
    pub fn eq(self, value: impl IntoLiteral<BaseOf<P>>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Equatable,
    {
        self.compare(" eq ", Token::Literal(value.into_literal()))
    }

    /// `property ne value`
    pub fn ne(self, value: impl IntoLiteral<BaseOf<P>>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Equatable,
    {
        self.compare(" ne ", Token::Literal(value.into_literal()))
    }

    /// `property gt value`
    pub fn gt(self, value: impl IntoLiteral<BaseOf<P>>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Ordered,
    {
        self.compare(" gt ", Token::Literal(value.into_literal()))
    }

    /// `property ge value`
    pub fn ge(self, value: impl IntoLiteral<BaseOf<P>>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Ordered,
    {
        self.compare(" ge ", Token::Literal(value.into_literal()))
    }

    /// `property lt value`
    pub fn lt(self, value: impl IntoLiteral<BaseOf<P>>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Ordered,
    {
        self.compare(" lt ", Token::Literal(value.into_literal()))
    }

    /// `property le value`
    pub fn le(self, value: impl IntoLiteral<BaseOf<P>>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Ordered,
    {
        self.compare(" le ", Token::Literal(value.into_literal()))
    }

    /// `property eq null`
    pub fn is_null(self) -> Filter<P::Entity, OneProperty<P>>
    where
        P::Value: IsNullable,
    {
        self.compare(" eq ", Token::Literal(Literal::Null))
    }

    /// `property ne null`
    pub fn is_not_null(self) -> Filter<P::Entity, OneProperty<P>>
    where
        P::Value: IsNullable,
    {
        self.compare(" ne ", Token::Literal(Literal::Null))
    }

    /// `property in (v1, v2, …)`. Services that ignore `in` without a query
    /// option of their own get it added by the query
    /// ([`InOperatorSupport::QueryOption`](crate::InOperatorSupport::QueryOption)).
    /// An empty list matches nothing and is written as `false`.
    pub fn is_in<V>(self, values: impl IntoIterator<Item = V>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Equatable,
        V: IntoLiteral<BaseOf<P>>,
    {
        let mut tokens = vec![Token::Property(P::NAME), Token::Syntax(" in (")];
        let mut empty = true;
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                tokens.push(Token::Syntax(","));
            }
            tokens.push(Token::Literal(value.into_literal()));
            empty = false;
        }
        if empty {
            return Filter::simple(vec![Token::Syntax("false")]);
        }
        tokens.push(Token::Syntax(")"));
        Filter { tokens, shape: Shape::Simple, uses_in: true, entity: PhantomData }
    }

    fn string_function(
        self,
        function: &'static str,
        value: impl IntoLiteral<String>,
    ) -> Filter<P::Entity, OneProperty<P>> {
        Filter::simple(vec![
            Token::Syntax(function),
            Token::Property(P::NAME),
            Token::Syntax(","),
            Token::Literal(value.into_literal()),
            Token::Syntax(")"),
        ])
    }

    /// `contains(property, 'text')`
    pub fn contains(self, text: impl IntoLiteral<String>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Text,
    {
        self.string_function("contains(", text)
    }

    /// `startswith(property, 'text')`
    pub fn starts_with(self, text: impl IntoLiteral<String>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Text,
    {
        self.string_function("startswith(", text)
    }

    /// `endswith(property, 'text')`
    pub fn ends_with(self, text: impl IntoLiteral<String>) -> Filter<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Text,
    {
        self.string_function("endswith(", text)
    }

    /// `tolower(property)`, for case-insensitive comparisons.
    pub fn to_lower(self) -> TextExpr<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Text,
    {
        TextExpr::wrap("tolower(", P::NAME)
    }

    /// `toupper(property)`, for case-insensitive comparisons.
    pub fn to_upper(self) -> TextExpr<P::Entity, OneProperty<P>>
    where
        BaseOf<P>: Text,
    {
        TextExpr::wrap("toupper(", P::NAME)
    }
}

/// The result of a string function such as `tolower(name)`, on the
/// properties `S` (see [`Filter`]).
pub struct TextExpr<E, S = Properties> {
    tokens: Vec<Token>,
    entity: PhantomData<fn() -> (E, S)>,
}

impl<E, S> TextExpr<E, S> {
    fn wrap(function: &'static str, property: &'static str) -> Self {
        TextExpr {
            tokens: vec![Token::Syntax(function), Token::Property(property), Token::Syntax(")")],
            entity: PhantomData,
        }
    }

    fn compare(mut self, operator: &'static str, value: impl IntoLiteral<String>) -> Filter<E, S> {
        self.tokens.push(Token::Syntax(operator));
        self.tokens.push(Token::Literal(value.into_literal()));
        Filter::simple(self.tokens)
    }

    fn function(self, function: &'static str, value: impl IntoLiteral<String>) -> Filter<E, S> {
        let mut tokens = vec![Token::Syntax(function)];
        tokens.extend(self.tokens);
        tokens.push(Token::Syntax(","));
        tokens.push(Token::Literal(value.into_literal()));
        tokens.push(Token::Syntax(")"));
        Filter::simple(tokens)
    }

    /// `expression eq value`.
    pub fn eq(self, value: impl IntoLiteral<String>) -> Filter<E, S> {
        self.compare(" eq ", value)
    }

    /// `expression ne value`.
    pub fn ne(self, value: impl IntoLiteral<String>) -> Filter<E, S> {
        self.compare(" ne ", value)
    }

    /// `contains(expression, value)`.
    pub fn contains(self, value: impl IntoLiteral<String>) -> Filter<E, S> {
        self.function("contains(", value)
    }

    /// `startswith(expression, value)`.
    pub fn starts_with(self, value: impl IntoLiteral<String>) -> Filter<E, S> {
        self.function("startswith(", value)
    }

    /// `endswith(expression, value)`.
    pub fn ends_with(self, value: impl IntoLiteral<String>) -> Filter<E, S> {
        self.function("endswith(", value)
    }
}

impl<N: Navigation<Cardinality = Many>> Nav<N> {
    fn lambda(
        self,
        operator: &'static str,
        condition: impl IntoFilter<<N::Target as super::entity::EntitySet>::Entity>,
    ) -> Filter<N::Source> {
        let (body, uses_in) = condition.into_filter().into_parts();
        let mut filter = Filter::simple(vec![Token::Lambda { navigation: N::NAME, operator, body }]);
        filter.uses_in = uses_in;
        filter
    }

    /// `navigation/any(x: condition)`: at least one related entity matches.
    pub fn any(self, condition: impl IntoFilter<<N::Target as super::entity::EntitySet>::Entity>) -> Filter<N::Source>
    where
        <N::Source as Entity>::Service: LambdaOperators,
    {
        self.lambda("any", condition)
    }

    /// `navigation/all(x: condition)`: every related entity matches.
    pub fn all(self, condition: impl IntoFilter<<N::Target as super::entity::EntitySet>::Entity>) -> Filter<N::Source>
    where
        <N::Source as Entity>::Service: LambdaOperators,
    {
        self.lambda("all", condition)
    }
}

#[cfg(test)]
mod tests {
    //! A hand-declared OData service that honours lambda operators, with the
    //! shapes the generator emits.
    use super::*;
    use crate::entity::{EntitySet, Service};
    use crate::property::{Many, Nav, Navigation, Prop, Property};

    enum Shop {}
    impl Service for Shop {
        const ROUTE: &'static str = "odata";
        const PROFILE: ServiceProfile = ServiceProfile::strict_odata();
    }
    impl LambdaOperators for Shop {}
    impl<A, B> OrOperands<A, B> for Shop {}

    #[derive(serde::Deserialize)]
    struct Order {}
    impl Entity for Order {
        type Service = Shop;
        const TYPE_NAME: &'static str = "Shop.order";
        const ALWAYS_SELECTED: &'static [&'static str] = &[];
        fn etag(&self) -> Option<&crate::ETag> {
            None
        }
    }

    #[derive(serde::Deserialize)]
    struct Line {}
    impl Entity for Line {
        type Service = Shop;
        const TYPE_NAME: &'static str = "Shop.line";
        const ALWAYS_SELECTED: &'static [&'static str] = &[];
        fn etag(&self) -> Option<&crate::ETag> {
            None
        }
    }

    enum Lines {}
    impl EntitySet for Lines {
        type Entity = Line;
        type Key = uuid::Uuid;
        const NAME: &'static str = "lines";
    }

    #[derive(Clone, Copy)]
    struct OrderLines;
    impl Navigation for OrderLines {
        type Source = Order;
        type Target = Lines;
        type Cardinality = Many;
        const NAME: &'static str = "lines";
    }

    #[derive(Clone, Copy)]
    struct Quantity;
    impl Property for Quantity {
        type Entity = Line;
        type Value = Option<rust_decimal::Decimal>;
        type Inner = rust_decimal::Decimal;
        const NAME: &'static str = "quantity";
    }

    #[derive(Clone, Copy)]
    struct Status;
    impl Property for Status {
        type Entity = Order;
        type Value = String;
        type Inner = String;
        const NAME: &'static str = "status";
    }

    #[test]
    fn lambda_operators_prefix_the_variable_and_nest() {
        let quantity: Prop<Quantity> = Prop::new();
        let status: Prop<Status> = Prop::new();
        let lines: Nav<OrderLines> = Nav::new();
        let filter = lines.any(quantity.gt(5)).and(status.eq("open"));
        assert_eq!(
            filter.render(&ServiceProfile::strict_odata()),
            "lines/any(x1:x1/quantity gt 5) and status eq 'open'"
        );
        let all = lines.all(quantity.gt(0).or(quantity.is_null()));
        assert_eq!(
            all.render(&ServiceProfile::strict_odata()),
            "lines/all(x1:x1/quantity gt 0 or x1/quantity eq null)"
        );
        let negated = lines.any(quantity.lt(1)).not();
        assert_eq!(negated.render(&ServiceProfile::strict_odata()), "not (lines/any(x1:x1/quantity lt 1))");
    }
}
