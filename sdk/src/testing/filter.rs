//! `$filter` text parsed and evaluated in memory: comparisons, `and`/`or`/
//! `not`, `in (…)`, null checks, string functions, enum literals in both
//! spellings (`'Ship'` as Business Central takes them,
//! `Microsoft.NAV.customerBlocked'Ship'` as strict OData writes them), and
//! the lambda operators `any`/`all`.
//!
//! Precedence follows the OData ABNF where the typed builders can reach it:
//! `not` binds tightest, then comparisons, then `and`, then `or`.

use odata_v4_runtime::chrono::{Datelike, Timelike};

use super::model::ServiceModel;
use super::values::{self, Value};

/// Why a filter was refused; becomes a 400.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FilterError(pub String);

fn error<T>(message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError(message.into()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lambda {
    Any,
    All,
}

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Literal(Value),
    /// A property, possibly behind a lambda variable (`x1/quantity`).
    Member(Vec<String>),
    Call(String, Vec<Expr>),
    Compare(Comparison, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Vec<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Lambda {
        path: Vec<String>,
        operator: Lambda,
        variable: String,
        body: Box<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Comma,
    Slash,
    Colon,
    /// `=` inside key predicates (`name='CRONUS'`).
    Equals,
    Word(String),
    Literal(Value),
}

/// Splits filter (or key predicate) text into tokens.
fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '(' => (tokens.push(Token::Open), i += 1).1,
            ')' => (tokens.push(Token::Close), i += 1).1,
            ',' => (tokens.push(Token::Comma), i += 1).1,
            '/' => (tokens.push(Token::Slash), i += 1).1,
            ':' => (tokens.push(Token::Colon), i += 1).1,
            '=' => (tokens.push(Token::Equals), i += 1).1,
            '-' if chars[i..].starts_with(&['-', 'I', 'N', 'F']) => {
                tokens.push(Token::Literal(Value::Number("-INF".to_owned())));
                i += 4;
            }
            '\'' => {
                let (text, next) = quoted(&chars, i)?;
                tokens.push(Token::Literal(Value::String(text)));
                i = next;
            }
            _ if is_guid_at(&chars, i) => {
                let text: String = chars[i..i + 36].iter().collect();
                let id = values::parse_guid(&text).ok_or_else(|| FilterError(format!("invalid GUID {text}")))?;
                tokens.push(Token::Literal(Value::Guid(id)));
                i += 36;
            }
            _ if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | ':' | '-' | '+'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push(Token::Literal(literal_word(&word)?));
            }
            _ if c.is_alphabetic() || c == '_' || c == '$' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | '$')) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if chars.get(i) == Some(&'\'') {
                    let (text, next) = quoted(&chars, i)?;
                    i = next;
                    tokens.push(Token::Literal(typed_literal(&word, text)?));
                } else {
                    tokens.push(match word.as_str() {
                        "true" => Token::Literal(Value::Bool(true)),
                        "false" => Token::Literal(Value::Bool(false)),
                        "null" => Token::Literal(Value::Null),
                        "INF" | "NaN" => Token::Literal(Value::Number(word)),
                        _ => Token::Word(word),
                    });
                }
            }
            _ => return error(format!("Syntax error: character '{c}' at position {i} is not valid in a filter.")),
        }
    }
    Ok(tokens)
}

/// `'…'` with `''` for a quote; returns the text and the index after it.
fn quoted(chars: &[char], start: usize) -> Result<(String, usize), FilterError> {
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return error(format!("Syntax error: the string literal at position {start} is not closed.")),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((text, i + 1)),
            Some(c) => {
                text.push(*c);
                i += 1;
            }
        }
    }
}

fn is_guid_at(chars: &[char], at: usize) -> bool {
    let shape = [8, 4, 4, 4, 12];
    let mut i = at;
    for (n, len) in shape.iter().enumerate() {
        for _ in 0..*len {
            if !chars.get(i).is_some_and(char::is_ascii_hexdigit) {
                return false;
            }
            i += 1;
        }
        if n < 4 {
            if chars.get(i) != Some(&'-') {
                return false;
            }
            i += 1;
        }
    }
    !chars.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// A literal that starts with a digit or `-`: number, date, date-time or time.
fn literal_word(word: &str) -> Result<Value, FilterError> {
    let invalid = || FilterError(format!("Syntax error: '{word}' is not a valid literal."));
    if word.contains(['T', 't']) && word.contains(':') {
        return values::parse_date_time(word).map(Value::DateTimeOffset).ok_or_else(invalid);
    }
    if word.contains(':') {
        return values::parse_time(word).map(Value::TimeOfDay).ok_or_else(invalid);
    }
    let body = word.strip_prefix('-').unwrap_or(word);
    if body.len() >= 10 && body.as_bytes().get(4) == Some(&b'-') && !body.contains(['e', 'E']) {
        return values::parse_date(word).map(Value::Date).ok_or_else(invalid);
    }
    if word == "-INF" {
        return Ok(Value::Number(word.to_owned()));
    }
    let numeric = body
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || ((c == '-' || c == '+') && i > 0));
    if numeric && body.parse::<f64>().is_ok() { Ok(Value::Number(word.to_owned())) } else { Err(invalid()) }
}

/// `prefix'text'`: `duration'P1D'`, `binary'AQI='`, or a qualified enum member.
fn typed_literal(prefix: &str, text: String) -> Result<Value, FilterError> {
    Ok(match prefix {
        "duration" => Value::Duration(text),
        "binary" => Value::Binary(text),
        "datetime" | "guid" | "time" | "datetimeoffset" => {
            return error(format!("'{prefix}'…' literals are OData v3; OData v4 writes the value bare"));
        }
        _ if prefix.contains('.') => Value::Enum { type_name: Some(prefix.to_owned()), member: text },
        _ => return error(format!("Syntax error: unknown literal prefix '{prefix}'.")),
    })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// Lambda variables in scope, innermost last.
    variables: Vec<String>,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w == word)
    }

    fn expect(&mut self, expected: Token, what: &str) -> Result<(), FilterError> {
        match self.next() {
            Some(token) if token == expected => Ok(()),
            Some(other) => error(format!("Syntax error: expected {what}, found {other:?}.")),
            None => error(format!("Syntax error: expected {what} at the end of the filter.")),
        }
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        if self.peek_word("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, FilterError> {
        let left = self.primary()?;
        let operator = match self.peek() {
            Some(Token::Word(word)) => match word.as_str() {
                "eq" => Some(Comparison::Eq),
                "ne" => Some(Comparison::Ne),
                "gt" => Some(Comparison::Gt),
                "ge" => Some(Comparison::Ge),
                "lt" => Some(Comparison::Lt),
                "le" => Some(Comparison::Le),
                "in" => {
                    self.at += 1;
                    return Ok(Expr::In(Box::new(left), self.list()?));
                }
                "has" | "add" | "sub" | "mul" | "div" | "divby" | "mod" => {
                    return error(format!("The operator '{word}' is not supported by the fake."));
                }
                _ => None,
            },
            _ => None,
        };
        match operator {
            Some(operator) => {
                self.at += 1;
                Ok(Expr::Compare(operator, Box::new(left), Box::new(self.primary()?)))
            }
            None => Ok(left),
        }
    }

    /// `( item, item, … )`
    fn list(&mut self) -> Result<Vec<Expr>, FilterError> {
        self.expect(Token::Open, "'(' after 'in'")?;
        let mut items = vec![self.primary()?];
        while matches!(self.peek(), Some(Token::Comma)) {
            self.at += 1;
            items.push(self.primary()?);
        }
        self.expect(Token::Close, "')' closing the 'in' list")?;
        Ok(items)
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close, "')'")?;
                Ok(inner)
            }
            Some(Token::Literal(value)) => Ok(Expr::Literal(value)),
            Some(Token::Word(word)) if matches!(self.peek(), Some(Token::Open)) => {
                self.at += 1;
                let mut arguments = Vec::new();
                if !matches!(self.peek(), Some(Token::Close)) {
                    arguments.push(self.or()?);
                    while matches!(self.peek(), Some(Token::Comma)) {
                        self.at += 1;
                        arguments.push(self.or()?);
                    }
                }
                self.expect(Token::Close, "')' closing the function call")?;
                Ok(Expr::Call(word, arguments))
            }
            Some(Token::Word(word)) => self.member(word),
            Some(other) => error(format!("Syntax error: unexpected {other:?}.")),
            None => error("Syntax error: the filter ends too early."),
        }
    }

    /// `a`, `a/b`, or `path/any(x: body)`.
    fn member(&mut self, first: String) -> Result<Expr, FilterError> {
        let mut path = vec![first];
        while matches!(self.peek(), Some(Token::Slash)) {
            self.at += 1;
            match self.next() {
                Some(Token::Word(word))
                    if (word == "any" || word == "all") && matches!(self.peek(), Some(Token::Open)) =>
                {
                    self.at += 1;
                    let operator = if word == "any" { Lambda::Any } else { Lambda::All };
                    let Some(Token::Word(variable)) = self.next() else {
                        return error("Syntax error: a lambda needs a variable name.");
                    };
                    self.expect(Token::Colon, "':' after the lambda variable")?;
                    self.variables.push(variable.clone());
                    let body = self.or()?;
                    self.variables.pop();
                    self.expect(Token::Close, "')' closing the lambda")?;
                    return Ok(Expr::Lambda { path, operator, variable, body: Box::new(body) });
                }
                Some(Token::Word(word)) => path.push(word),
                _ => return error("Syntax error: expected a property name after '/'."),
            }
        }
        Ok(Expr::Member(path))
    }
}

/// Parses `$filter` text.
pub(crate) fn parse(text: &str) -> Result<Expr, FilterError> {
    let mut parser = Parser { tokens: tokenize(text)?, at: 0, variables: Vec::new() };
    let expr = parser.or()?;
    if let Some(rest) = parser.peek() {
        return error(format!("Syntax error: unexpected {rest:?} after a complete expression."));
    }
    Ok(expr)
}

/// Parses the inside of a key predicate: `<literal>` or `name=<literal>,…`.
pub(crate) fn parse_key(text: &str) -> Result<Vec<(Option<String>, Value)>, FilterError> {
    let tokens = tokenize(text)?;
    let mut parts = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match (&tokens[i], tokens.get(i + 1), tokens.get(i + 2)) {
            (Token::Literal(value), _, _) => {
                parts.push((None, value.clone()));
                i += 1;
            }
            (Token::Word(name), Some(Token::Equals), Some(Token::Literal(value))) => {
                parts.push((Some(name.clone()), value.clone()));
                i += 3;
            }
            _ => return error(format!("'{text}' is not a valid key predicate")),
        }
        match tokens.get(i) {
            None => {}
            Some(Token::Comma) => i += 1,
            Some(_) => return error(format!("'{text}' is not a valid key predicate")),
        }
    }
    Ok(parts)
}

impl Expr {
    /// The top-level properties the expression reads (lambda bodies excluded).
    pub(crate) fn members(&self) -> Vec<&[String]> {
        let mut members = Vec::new();
        self.walk_outer(&mut members);
        members
    }

    fn walk_outer<'a>(&'a self, out: &mut Vec<&'a [String]>) {
        match self {
            Expr::Member(path) => out.push(path),
            Expr::Lambda { path, .. } => out.push(path),
            Expr::Literal(_) => {}
            Expr::In(left, items) => {
                left.walk_outer(out);
                items.iter().for_each(|a| a.walk_outer(out));
            }
            Expr::Call(_, arguments) => arguments.iter().for_each(|a| a.walk_outer(out)),
            Expr::Compare(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
                a.walk_outer(out);
                b.walk_outer(out);
            }
            Expr::Not(a) => a.walk_outer(out),
        }
    }

    fn walk(&self, visit: &mut impl FnMut(&Expr)) {
        visit(self);
        match self {
            Expr::Literal(_) | Expr::Member(_) => {}
            Expr::Call(_, arguments) => arguments.iter().for_each(|a| a.walk(visit)),
            Expr::In(left, items) => {
                left.walk(visit);
                items.iter().for_each(|a| a.walk(visit));
            }
            Expr::Compare(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
                a.walk(visit);
                b.walk(visit);
            }
            Expr::Not(a) => a.walk(visit),
            Expr::Lambda { body, .. } => body.walk(visit),
        }
    }

    /// For Business Central's rule that `or` may only join conditions on
    /// one field: the first `or` whose two sides read different fields.
    pub(crate) fn or_across_fields(&self) -> Option<(String, String)> {
        let mut found = None;
        self.walk(&mut |e| {
            if found.is_none()
                && let Expr::Or(a, b) = e
            {
                let fields = |x: &Expr| x.members().iter().map(|m| m.join("/")).collect::<Vec<_>>();
                let (left, right) = (fields(a), fields(b));
                if let Some(other) =
                    right.iter().find(|r| !left.contains(r)).or(left.iter().find(|l| !right.contains(l)))
                {
                    let first = left.first().or(right.first()).cloned().unwrap_or_default();
                    found = Some((first, other.clone()));
                }
            }
        });
        found
    }
}

/// What evaluation reads from: the properties of one entity, and the
/// related entities behind a navigation (for `any`/`all`).
pub(crate) trait Scope {
    /// The value of a property; an unknown name is an error.
    fn property(&self, name: &str) -> Result<Value, FilterError>;
    /// The entities a collection navigation leads to.
    fn related(&self, navigation: &str) -> Result<Vec<Box<dyn Scope + '_>>, FilterError>;
}

/// How evaluation treats the parts of the dialect it depends on.
pub(crate) struct Evaluation<'m> {
    pub model: &'m ServiceModel,
    /// Business Central without `$schemaversion=2.1`: `in` is ignored (true).
    pub ignore_in: bool,
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
                if self.ignore_in {
                    return Ok(Value::Bool(true));
                }
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

    #[test]
    fn parses_what_the_typed_builders_render() {
        for text in [
            "displayName eq 'O''Brien & Sons'",
            "postingDate ge 2025-02-01 and postingDate le 2025-02-28",
            "debitAmount gt 10000 or creditAmount gt 10000.5",
            "not (contains(displayName,'x')) and city ne 'Dublin'",
            "blocked eq Microsoft.NAV.customerBlocked'Ship'",
            "number in ('10000','30000')",
            "tolower(displayName) eq 'alpine'",
            "contains(toupper(displayName),'SKI')",
            "customerId eq 33c2a5d0-0000-4000-8000-000000000001",
            "lastModifiedDateTime gt 2025-01-02T08:00:00.5Z",
            "lines/any(x1:x1/quantity gt 5) and status eq 'open'",
            "email eq null or email ne null",
            "false",
        ] {
            parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        }
    }

    #[test]
    fn precedence_not_then_comparison_then_and_then_or() {
        let parsed = parse("a eq 1 or b eq 2 and not c eq 3").expect("parses");
        let Expr::Or(_, right) = parsed else { panic!("or binds loosest: {parsed:?}") };
        let Expr::And(_, not) = *right else { panic!("and binds tighter than or") };
        assert!(matches!(*not, Expr::Not(_)));
    }

    #[test]
    fn syntax_errors_are_reported() {
        for text in ["name eq", "name eq 'open", "(a eq 1", "a eq 1)", "a eq 1 b", "a ~ 1", "2025-13-01 eq a"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn key_predicates() {
        assert_eq!(parse_key("'CRONUS USA, Inc.'").unwrap(), [(None, Value::String("CRONUS USA, Inc.".into()))]);
        let composite = parse_key("customerId=00000000-0000-0000-0000-000000000001,customerNumber='10000'").unwrap();
        assert_eq!(composite.len(), 2);
        assert_eq!(composite[1].0.as_deref(), Some("customerNumber"));
    }

    #[test]
    fn or_across_fields_is_detected() {
        assert!(parse("a eq 1 or a eq 2").unwrap().or_across_fields().is_none());
        assert!(parse("a eq 1 or b eq 2").unwrap().or_across_fields().is_some());
        assert!(parse("(a eq 1 or a eq 2) and b eq 3").unwrap().or_across_fields().is_none());
    }
}
