//! `$filter` evaluated against one entity, with OData's three-valued
//! logic: a comparison with null is false (`eq`/`ne` aside), `not` of
//! null is null, and an entity matches only when the whole filter is true.

use odata_v4_runtime::chrono::{Datelike, Timelike};

use crate::filter::{Comparison, Expr, FilterError, Lambda, error};
use crate::model::ServiceModel;
use crate::values::{self, Value};

/// What evaluation reads from: the properties of one entity, and the
/// related entities behind a navigation (for `any`/`all`).
pub(crate) trait Scope {
    /// The value of a property; an unknown name is an error.
    fn property(&self, name: &str) -> Result<Value, FilterError>;
    /// The entities a collection navigation leads to.
    fn related(&self, navigation: &str) -> Result<Vec<Box<dyn Scope + '_>>, FilterError>;
}

/// Evaluation against one route's model (for enum members' order).
pub(crate) struct Evaluation<'m> {
    pub model: &'m ServiceModel,
}

struct Frame<'a> {
    variable: &'a str,
    scope: &'a dyn Scope,
}

impl Evaluation<'_> {
    /// Whether `expr` holds for the entity in `scope` (null counts as no).
    pub(crate) fn matches(&self, expr: &Expr, scope: &dyn Scope) -> Result<bool, FilterError> {
        Ok(self.eval(expr, scope, &[])? == Value::Bool(true))
    }

    fn eval(&self, expr: &Expr, scope: &dyn Scope, frames: &[Frame<'_>]) -> Result<Value, FilterError> {
        Ok(match expr {
            Expr::Literal(value) => value.clone(),
            Expr::Member(path) => self.member(path, scope, frames)?,
            Expr::And(a, b) => match (truth(self.eval(a, scope, frames)?)?, truth(self.eval(b, scope, frames)?)?) {
                (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            },
            Expr::Or(a, b) => match (truth(self.eval(a, scope, frames)?)?, truth(self.eval(b, scope, frames)?)?) {
                (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            },
            Expr::Not(a) => match truth(self.eval(a, scope, frames)?)? {
                Some(b) => Value::Bool(!b),
                None => Value::Null,
            },
            Expr::Compare(operator, a, b) => {
                let (left, right) = (self.eval(a, scope, frames)?, self.eval(b, scope, frames)?);
                Value::Bool(self.compare(*operator, &left, &right)?)
            }
            Expr::In(left, items) => {
                let left = self.eval(left, scope, frames)?;
                let mut found = false;
                for item in items {
                    let item = self.eval(item, scope, frames)?;
                    found |= self.compare(Comparison::Eq, &left, &item)?;
                }
                Value::Bool(found)
            }
            Expr::Call(name, arguments) => {
                let mut values = Vec::with_capacity(arguments.len());
                for argument in arguments {
                    values.push(self.eval(argument, scope, frames)?);
                }
                call(name, &values)?
            }
            Expr::Lambda { path, operator, variable, body } => {
                let (owner, navigation) = owner_of(path, scope, frames)?;
                let related = owner.related(navigation)?;
                let mut outcome = *operator == Lambda::All;
                for item in &related {
                    let mut inner: Vec<Frame<'_>> =
                        frames.iter().map(|f| Frame { variable: f.variable, scope: f.scope }).collect();
                    inner.push(Frame { variable, scope: item.as_ref() });
                    let holds = truth(self.eval(body, scope, &inner)?)?.unwrap_or(false);
                    if holds == (*operator == Lambda::Any) {
                        outcome = holds;
                        break;
                    }
                }
                Value::Bool(outcome)
            }
        })
    }

    fn member(&self, path: &[String], scope: &dyn Scope, frames: &[Frame<'_>]) -> Result<Value, FilterError> {
        if let [single] = path
            && frames.iter().any(|f| f.variable == single)
        {
            return error(format!("'{single}' is a lambda variable, not a value"));
        }
        let (owner, name) = owner_of(path, scope, frames)?;
        owner.property(name)
    }

    fn compare(&self, operator: Comparison, left: &Value, right: &Value) -> Result<bool, FilterError> {
        if left.is_null() || right.is_null() {
            let both = left.is_null() && right.is_null();
            return Ok(match operator {
                Comparison::Eq => both,
                Comparison::Ne => !both,
                _ => false,
            });
        }
        let model = self.model;
        let failed = |e: values::Incompatible| FilterError(e.0);
        Ok(match operator {
            Comparison::Eq => values::equal(left, right, model).map_err(failed)?,
            Comparison::Ne => !values::equal(left, right, model).map_err(failed)?,
            Comparison::Gt => values::order(left, right, model).map_err(failed)?.is_gt(),
            Comparison::Ge => values::order(left, right, model).map_err(failed)?.is_ge(),
            Comparison::Lt => values::order(left, right, model).map_err(failed)?.is_lt(),
            Comparison::Le => values::order(left, right, model).map_err(failed)?.is_le(),
        })
    }
}

/// Where a path starts: a lambda variable's entity or the filtered one.
fn owner_of<'a, 'p>(
    path: &'p [String],
    scope: &'a dyn Scope,
    frames: &[Frame<'a>],
) -> Result<(&'a dyn Scope, &'p str), FilterError> {
    match path {
        [variable, name] => match frames.iter().rev().find(|f| f.variable == variable) {
            Some(frame) => Ok((frame.scope, name)),
            None => error(format!("'{variable}/{name}': paths through navigation properties are not supported")),
        },
        [name] => Ok((scope, name)),
        _ => error(format!("'{}': paths through navigation properties are not supported", path.join("/"))),
    }
}

/// `Some(bool)`, or `None` for null; anything else is not a condition.
fn truth(value: Value) -> Result<Option<bool>, FilterError> {
    match value {
        Value::Bool(b) => Ok(Some(b)),
        Value::Null => Ok(None),
        other => error(format!("a condition was expected, found {}", other.type_label())),
    }
}

/// The built-in functions, null in, null out.
fn call(name: &str, arguments: &[Value]) -> Result<Value, FilterError> {
    if arguments.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let text = |i: usize| -> Result<&str, FilterError> {
        match arguments.get(i) {
            Some(Value::String(s)) => Ok(s),
            Some(Value::Enum { member, .. }) => Ok(member),
            Some(other) => error(format!("'{name}' takes text, not {}", other.type_label())),
            None => error(format!("'{name}' needs more arguments")),
        }
    };
    let arity = |n: usize| -> Result<(), FilterError> {
        if arguments.len() == n { Ok(()) } else { error(format!("'{name}' takes {n} argument(s)")) }
    };
    let integer = |i: usize| -> Result<usize, FilterError> {
        match arguments.get(i) {
            Some(Value::Number(n)) => n.parse().map_err(|_| FilterError(format!("'{name}': {n} is not a position"))),
            Some(Value::Integer(n)) => usize::try_from(*n).map_err(|_| FilterError(format!("'{name}': negative"))),
            _ => error(format!("'{name}' needs an integer position")),
        }
    };
    Ok(match name {
        "contains" => (arity(2)?, Value::Bool(text(0)?.contains(text(1)?))).1,
        "startswith" => (arity(2)?, Value::Bool(text(0)?.starts_with(text(1)?))).1,
        "endswith" => (arity(2)?, Value::Bool(text(0)?.ends_with(text(1)?))).1,
        "tolower" => (arity(1)?, Value::String(text(0)?.to_lowercase())).1,
        "toupper" => (arity(1)?, Value::String(text(0)?.to_uppercase())).1,
        "trim" => (arity(1)?, Value::String(text(0)?.trim().to_owned())).1,
        "length" => (arity(1)?, Value::Integer(text(0)?.chars().count() as i64)).1,
        "concat" => (arity(2)?, Value::String(format!("{}{}", text(0)?, text(1)?))).1,
        "indexof" => {
            arity(2)?;
            let (haystack, needle) = (text(0)?, text(1)?);
            let position = haystack.find(needle).map(|byte| haystack[..byte].chars().count() as i64);
            Value::Integer(position.unwrap_or(-1))
        }
        "substring" => {
            let start = integer(1)?;
            let chars = text(0)?.chars().skip(start);
            match arguments.len() {
                2 => Value::String(chars.collect()),
                3 => Value::String(chars.take(integer(2)?).collect()),
                _ => return error("'substring' takes 2 or 3 arguments"),
            }
        }
        "year" | "month" | "day" | "hour" | "minute" | "second" => {
            arity(1)?;
            let part = match (&arguments[0], name) {
                (Value::Date(d), "year") => d.year(),
                (Value::Date(d), "month") => d.month() as i32,
                (Value::Date(d), "day") => d.day() as i32,
                (Value::DateTimeOffset(t), "year") => t.year(),
                (Value::DateTimeOffset(t), "month") => t.month() as i32,
                (Value::DateTimeOffset(t), "day") => t.day() as i32,
                (Value::DateTimeOffset(t), "hour") => t.hour() as i32,
                (Value::DateTimeOffset(t), "minute") => t.minute() as i32,
                (Value::DateTimeOffset(t), "second") => t.second() as i32,
                (Value::TimeOfDay(t), "hour") => t.hour() as i32,
                (Value::TimeOfDay(t), "minute") => t.minute() as i32,
                (Value::TimeOfDay(t), "second") => t.second() as i32,
                (other, _) => return error(format!("'{name}' does not apply to {}", other.type_label())),
            };
            Value::Integer(i64::from(part))
        }
        _ => return error(format!("The function '{name}' is not supported by the fake.")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse;

    /// One entity with `amount = 5`, `name = 'Ab'` and `note = null`.
    struct Row;

    impl Scope for Row {
        fn property(&self, name: &str) -> Result<Value, FilterError> {
            match name {
                "amount" => Ok(Value::Integer(5)),
                "name" => Ok(Value::String("Ab".to_owned())),
                "note" => Ok(Value::Null),
                other => error(format!("no property {other}")),
            }
        }

        fn related(&self, _navigation: &str) -> Result<Vec<Box<dyn Scope + '_>>, FilterError> {
            Ok(vec![Box::new(Row), Box::new(Row)])
        }
    }

    fn holds(text: &str) -> bool {
        let model = ServiceModel::from_csdl("t", EMPTY).expect("model");
        let evaluation = Evaluation { model: &model };
        evaluation.matches(&parse(text).expect("parses"), &Row).expect("evaluates")
    }

    const EMPTY: &str = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm"/></edmx:DataServices></edmx:Edmx>"#;

    #[test]
    fn null_follows_three_valued_logic() {
        assert!(holds("note eq null") && !holds("note ne null"));
        assert!(!holds("note gt 1") && !holds("note lt 1"), "ordering with null is false");
        assert!(holds("note ne 1"), "null differs from a value");
        assert!(!holds("not (contains(note,'x'))"), "not of null stays null");
        assert!(holds("note eq null or amount eq 5") && !holds("contains(note,'x') or amount eq 6"));
    }

    #[test]
    fn numbers_strings_functions_and_lambdas() {
        assert!(holds("amount eq 5.00 and amount gt 4.5 and amount le 5"));
        assert!(holds("amount in (1, 5)") && !holds("amount in (1, 2)"));
        assert!(holds("tolower(name) eq 'ab' and toupper(name) eq 'AB' and length(name) eq 2"));
        assert!(holds("indexof(name,'b') eq 1 and substring(name,1) eq 'b' and concat(name,'c') eq 'Abc'"));
        assert!(holds("lines/any(x:x/amount eq 5) and lines/all(x:x/amount gt 1)"));
        assert!(!holds("lines/any(x:x/amount eq 6)"));
    }
}
