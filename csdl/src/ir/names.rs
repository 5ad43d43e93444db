//! Qualified names and the `_xHHHH_` encoding that CSDL uses for characters
//! that are not allowed in identifiers (`Credit_x0020_Memo` is "Credit Memo").

use std::borrow::Cow;
use std::fmt;

/// `Namespace.Name`, always with the full namespace (aliases are resolved).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualifiedName {
    pub namespace: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName { namespace: namespace.into(), name: name.into() }
    }

    /// Splits at the last dot; `None` when there is no namespace part.
    pub fn parse(text: &str) -> Option<Self> {
        let (namespace, name) = text.rsplit_once('.')?;
        if namespace.is_empty() || name.is_empty() {
            return None;
        }
        Some(QualifiedName::new(namespace, name))
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.namespace, self.name)
    }
}

/// Decodes every `_xHHHH_` (four hex digits, a UTF-16 code unit) in a CSDL
/// name. Surrogate pairs written as two escapes are joined; a lone or
/// malformed escape is left as written, so decoding never fails.
pub fn decode_xml_name(name: &str) -> Cow<'_, str> {
    if !name.contains("_x") {
        return Cow::Borrowed(name);
    }
    let bytes = name.as_bytes();
    let mut units: Vec<u16> = Vec::with_capacity(name.len());
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(unit) = escape_at(bytes, i) {
            units.push(unit);
            i += 7;
            continue;
        }
        flush_units(&mut units, &mut out);
        let ch = name[i..].chars().next().expect("index is on a char boundary");
        out.push(ch);
        i += ch.len_utf8();
    }
    flush_units(&mut units, &mut out);
    Cow::Owned(out)
}

fn escape_at(bytes: &[u8], i: usize) -> Option<u16> {
    let candidate = bytes.get(i..i + 7)?;
    if &candidate[..2] != b"_x" || candidate[6] != b'_' {
        return None;
    }
    let hex = std::str::from_utf8(&candidate[2..6]).ok()?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(hex, 16).ok()
}

/// Turns collected UTF-16 units into characters; units that do not form a
/// valid character are written back in their escaped form.
fn flush_units(units: &mut Vec<u16>, out: &mut String) {
    for decoded in char::decode_utf16(units.drain(..)) {
        match decoded {
            Ok(ch) => out.push(ch),
            Err(e) => out.push_str(&format!("_x{:04X}_", e.unpaired_surrogate())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bc_names() {
        assert_eq!(decode_xml_name("Credit_x0020_Memo"), "Credit Memo");
        assert_eq!(decode_xml_name("_x0020_"), " ");
        assert_eq!(decode_xml_name("Non_x002D_Inventory"), "Non-Inventory");
        assert_eq!(decode_xml_name("G_x002F_L_x0020_Account"), "G/L Account");
        assert_eq!(decode_xml_name("Plain"), "Plain");
    }

    #[test]
    fn leaves_malformed_escapes_alone() {
        assert_eq!(decode_xml_name("_x00zz_"), "_x00zz_");
        assert_eq!(decode_xml_name("a_x00"), "a_x00");
        assert_eq!(decode_xml_name("_xD800_"), "_xD800_");
        assert_eq!(decode_xml_name("_xD83D__xDE00_"), "😀");
    }

    #[test]
    fn qualified_names_split_at_the_last_dot() {
        let name = QualifiedName::parse("Org.OData.Core.V1.Computed").unwrap();
        assert_eq!(name.namespace, "Org.OData.Core.V1");
        assert_eq!(name.name, "Computed");
        assert!(QualifiedName::parse("NoDot").is_none());
        assert!(QualifiedName::parse(".x").is_none());
    }
}
