//! `$filter` text parsed into an expression: comparisons, `and`/`or`/
//! `not`, `in (…)`, null checks, string functions, enum literals in both
//! spellings (`'Ship'` as Business Central takes them,
//! `Microsoft.NAV.customerBlocked'Ship'` as strict OData writes them), and
//! the lambda operators `any`/`all`. [`evaluate`](crate::evaluate) runs it.
//!
//! Precedence follows the OData ABNF where the typed builders can reach it:
//! `not` binds tightest, then comparisons, then `and`, then `or`.

use crate::values::{self, Value};

/// Why a filter was refused; becomes a 400.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FilterError(pub String);

pub(crate) fn error<T>(message: impl Into<String>) -> Result<T, FilterError> {
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
    /// one field: two of the fields read under the first `or` that reads
    /// more than one. `a eq 1 or a eq 2`, `contains(a,'x') or a eq null`
    /// and `(a eq 1 or a eq 2) and b eq 3` pass; `a eq 1 or b eq 2` and
    /// `(a eq 1 and b eq 2) or (a eq 3 and b eq 4)` do not.
    pub(crate) fn or_across_fields(&self) -> Option<(String, String)> {
        let mut found = None;
        self.walk(&mut |e| {
            if found.is_none() && matches!(e, Expr::Or(..)) {
                let mut fields: Vec<String> = Vec::new();
                for member in e.members() {
                    let field = member.join("/");
                    if !fields.contains(&field) {
                        fields.push(field);
                    }
                }
                if let [first, second, ..] = fields.as_slice() {
                    found = Some((first.clone(), second.clone()));
                }
            }
        });
        found
    }

    /// Whether the expression uses `any` or `all` anywhere.
    pub(crate) fn has_lambda(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e, Expr::Lambda { .. }));
        found
    }

    /// Replaces every `in (…)` condition with `true`, as Business Central
    /// evaluates them without `$schemaversion=2.1`; returns whether there
    /// was one.
    pub(crate) fn ignore_in(&mut self) -> bool {
        match self {
            Expr::In(..) => {
                *self = Expr::Literal(Value::Bool(true));
                true
            }
            Expr::Literal(_) | Expr::Member(_) => false,
            Expr::Call(_, arguments) => arguments.iter_mut().fold(false, |found, a| a.ignore_in() | found),
            Expr::Compare(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => a.ignore_in() | b.ignore_in(),
            Expr::Not(a) => a.ignore_in(),
            Expr::Lambda { body, .. } => body.ignore_in(),
        }
    }
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
        let across = |text: &str| parse(text).unwrap().or_across_fields();
        for one_field in [
            "a eq 1 or a eq 2",
            "(a eq 1 or a eq 2) and b eq 3",
            "contains(a,'x') or startswith(a,'y') or a eq null",
            "a in ('1','2') or a eq '3'",
            "(a eq 1 or a eq 2) and (b eq 1 or b eq 2)",
        ] {
            assert_eq!(across(one_field), None, "{one_field}");
        }
        assert_eq!(across("a eq 1 or b eq 2"), Some(("a".to_owned(), "b".to_owned())));
        assert!(across("(a eq 1 and b eq 2) or (a eq 3 and b eq 4)").is_some(), "each side reads both");
        assert!(across("a eq 1 or (a eq 2 and b eq 3)").is_some());
    }

    #[test]
    fn lambdas_are_found_and_in_can_be_ignored() {
        assert!(parse("lines/any(x:x/q gt 5) and a eq 1").unwrap().has_lambda());
        assert!(!parse("a in (1, 2)").unwrap().has_lambda());
        let mut with_in = parse("a in (1, 2) and not (b in (3))").unwrap();
        assert!(with_in.ignore_in());
        assert_eq!(with_in, parse("true and not (true)").unwrap());
        assert!(!parse("a eq 1").unwrap().ignore_in());
    }
}
