//! Rust identifiers from OData names: snake_case and UpperCamelCase via
//! heck, `_xHHHH_` escapes decoded first, keywords escaped, never starting
//! with a digit, and collisions resolved in a fixed order.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::ir::decode_xml_name;

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "gen",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct",
    "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const PLAIN_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// `postingDate` → `posting_date`; `Credit_x0020_Memo` → `credit_memo`.
pub fn snake(name: &str) -> String {
    let decoded = decode_xml_name(name);
    let mut ident = decoded.to_snake_case();
    ident.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    if ident.is_empty() {
        ident.push_str("value");
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert_str(0, "n_");
    }
    ident
}

/// `salesInvoice` → `SalesInvoice`; `Credit_x0020_Memo` → `CreditMemo`.
/// A name with no ASCII letter or digit (`_x0020_`, `ß`) becomes `Value`.
pub fn camel(name: &str) -> String {
    let decoded = decode_xml_name(name);
    let mut ident = decoded.to_upper_camel_case();
    ident.retain(|c| c.is_ascii_alphanumeric());
    if ident.is_empty() {
        ident.push_str("Value");
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert_str(0, "Value");
    }
    ident
}

/// The identifier as it must be written in Rust source (`r#type`, `self_`).
pub fn escaped(ident: &str) -> String {
    match escape(ident) {
        Escape::Raw => format!("r#{ident}"),
        Escape::Suffix => format!("{ident}_"),
        Escape::None => ident.to_owned(),
    }
}

/// How an identifier must be escaped.
pub enum Escape {
    /// A keyword written as a raw identifier (`r#type`).
    Raw,
    /// A keyword that cannot be raw, written with a trailing `_` (`self_`).
    Suffix,
    /// Not a keyword.
    None,
}

/// How `ident` must be escaped (without building the escaped text).
pub fn escape(ident: &str) -> Escape {
    if RAW_KEYWORDS.contains(&ident) {
        Escape::Raw
    } else if PLAIN_KEYWORDS.contains(&ident) {
        Escape::Suffix
    } else {
        Escape::None
    }
}

/// Hands out identifiers unique within one scope. Names are claimed in a
/// fixed order (the caller's), so the result is deterministic; a clash gets
/// the first free suffix.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Scope::default()
    }

    /// A scope where `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope { taken: reserved.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// Whether `ident` is taken.
    pub fn is_taken(&self, ident: &str) -> bool {
        self.taken.contains(ident)
    }

    /// Claims `wanted`, or `wanted{suffix}`, `wanted{suffix}2`, … if taken.
    pub fn claim(&mut self, wanted: &str, suffix: &str) -> String {
        if self.taken.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        let mut candidate = format!("{wanted}{suffix}");
        let mut n = 2;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{wanted}{suffix}{n}");
            n += 1;
        }
        candidate
    }

    /// Takes a name no matter what (for names that are fixed).
    pub fn reserve(&mut self, ident: &str) {
        self.taken.insert(ident.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_odata_names() {
        assert_eq!(snake("postingDate"), "posting_date");
        assert_eq!(snake("dimensionSetID"), "dimension_set_id");
        assert_eq!(snake("Credit_x0020_Memo"), "credit_memo");
        assert_eq!(snake("_x0020_"), "value");
        assert_eq!(snake("0"), "n_0");
        assert_eq!(camel("salesInvoice"), "SalesInvoice");
        assert_eq!(camel("Credit_x0020_Memo"), "CreditMemo");
        assert_eq!(camel("G_x002F_L_x0020_Account"), "GLAccount");
        assert_eq!(camel("Non_x002D_Inventory"), "NonInventory");
        assert_eq!(camel("1"), "Value1");
        assert_eq!(camel("_x0020_"), "Value");
        assert_eq!(camel("ß"), "SS");
        assert_eq!(snake("ß"), "value");
        assert_eq!(camel("straße"), "Strae");
    }

    #[test]
    fn escapes_keywords() {
        assert_eq!(escaped("type"), "r#type");
        assert_eq!(escaped("self"), "self_");
        assert_eq!(escaped("number"), "number");
    }

    #[test]
    fn collisions_get_deterministic_suffixes() {
        let mut scope = Scope::with_reserved(&["new"]);
        assert_eq!(scope.claim("new", "_value"), "new_value");
        assert_eq!(scope.claim("a", "_x"), "a");
        assert_eq!(scope.claim("a", "_x"), "a_x");
        assert_eq!(scope.claim("a", "_x"), "a_x2");
    }
}
