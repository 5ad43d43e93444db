//! How key values are written between the parentheses of a URL segment:
//! GUIDs bare, strings quoted with `'` doubled, other types through their
//! OData literal, composite and alternate keys as `name=value,…`.

use crate::entity::EntityKey;
use crate::literal::IntoLiteral;
use crate::profile::ServiceProfile;
use crate::query::encode_key_value;

/// `name=value,…` for alternate and composite keys.
pub fn key_predicate(parts: &[(&str, &dyn EntityKey)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in parts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(name);
        out.push('=');
        value.write_key(&mut out);
    }
    out
}

/// The key predicate of a related entity whose other key parts the
/// navigation implies (OData URL Conventions, "URLs for Related Entities
/// with Referential Constraints"): the value alone when one part is left,
/// as in `Orders(1)/Items(2)`, else `name=value,…`.
pub fn shortened_key_predicate(parts: &[(&str, &dyn EntityKey)]) -> String {
    match parts {
        [(_, value)] => {
            let mut out = String::new();
            value.write_key(&mut out);
            out
        }
        _ => key_predicate(parts),
    }
}

/// Writes a key part through its OData literal (dates, decimals, enums).
pub fn write_literal_key<T, L: IntoLiteral<T>>(value: L, out: &mut String) {
    let mut text = String::new();
    value.into_literal().render(&mut text, &ServiceProfile::strict_odata());
    out.push_str(&encode_key_value(&text));
}

macro_rules! literal_key {
    ($($ty:ty),*) => {$(
        impl EntityKey for $ty {
            fn write_key(&self, out: &mut String) {
                write_literal_key::<$ty, _>(self.clone(), out);
            }
        }
    )*};
}
literal_key!(
    chrono::NaiveDate,
    chrono::NaiveTime,
    rust_decimal::Decimal,
    bool,
    i8,
    f32,
    f64,
    crate::value::Duration,
    crate::value::Binary
);

/// A nullable function parameter: `null` when absent.
impl<T: EntityKey> EntityKey for Option<T> {
    fn write_key(&self, out: &mut String) {
        match self {
            Some(value) => value.write_key(out),
            None => out.push_str("null"),
        }
    }
}

impl EntityKey for chrono::DateTime<chrono::FixedOffset> {
    fn write_key(&self, out: &mut String) {
        write_literal_key::<chrono::DateTime<chrono::FixedOffset>, _>(*self, out);
    }
}

impl<T: crate::enums::EdmEnum> EntityKey for T {
    fn write_key(&self, out: &mut String) {
        write_literal_key::<T, _>(self.clone(), out);
    }
}

/// A GUID key: written bare, as OData requires (`customers(34f0…e7)`).
impl EntityKey for uuid::Uuid {
    fn write_key(&self, out: &mut String) {
        out.push_str(self.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()));
    }
}

/// A string key: quoted, `'` doubled, percent-encoded.
impl EntityKey for String {
    fn write_key(&self, out: &mut String) {
        let mut quoted = String::with_capacity(self.len() + 2);
        crate::literal::quote_into(&mut quoted, self);
        out.push_str(&encode_key_value(&quoted));
    }
}

macro_rules! integer_key {
    ($($ty:ty),*) => {$(
        impl EntityKey for $ty {
            fn write_key(&self, out: &mut String) {
                out.push_str(&self.to_string());
            }
        }
    )*};
}
integer_key!(i16, i32, i64, u8);
