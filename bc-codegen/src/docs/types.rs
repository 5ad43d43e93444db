//! Documented type names ("integer", "string, maximum size 20",
//! "NAV.UnitOfMeasure") and whether they agree with a schema type.

use crate::ir::{Model, Primitive, TypeRef, TypeTarget};

/// The kinds of type docs write. Docs are loose (`numeric` for decimals,
/// `datetime` for DateTimeOffset), so each kind accepts a set of Edm types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocType {
    Integer,
    Decimal,
    Date,
    DateTime,
    Guid,
    Boolean,
    /// Text: BC's enums are written as strings too, so these accept enums.
    String,
    Enum,
    Complex,
    Time,
    Binary,
    Duration,
}

impl DocType {
    /// Reads a documented type; `None` for words the reader does not know,
    /// which then neither confirm nor contradict the schema.
    pub fn parse(text: &str) -> Option<DocType> {
        let lower = text.trim().to_ascii_lowercase();
        let head = lower.split([',', '(', ' ']).next().unwrap_or("").trim_matches('`');
        let head = head.strip_prefix("edm.").unwrap_or(head);
        if head.starts_with("nav.") || head.starts_with("microsoft.nav.") {
            return Some(DocType::Complex);
        }
        Some(match head {
            "integer" | "int" | "int16" | "int32" | "int64" | "long" | "byte" | "sbyte" => DocType::Integer,
            "decimal" | "numeric" | "number" | "double" | "single" | "float" | "currency" => DocType::Decimal,
            "date" => DocType::Date,
            "datetime" | "datetimeoffset" | "date-time" | "timestamp" => DocType::DateTime,
            "guid" | "uuid" => DocType::Guid,
            "boolean" | "bool" => DocType::Boolean,
            "string" | "text" | "code" => DocType::String,
            "enum" | "option" => DocType::Enum,
            "complex" | "object" => DocType::Complex,
            "time" | "timeofday" => DocType::Time,
            "binary" | "stream" | "media" | "image" => DocType::Binary,
            "duration" => DocType::Duration,
            _ => return None,
        })
    }

    /// Whether a property of schema type `ty` can be what the doc describes.
    pub fn accepts(self, ty: &TypeRef, model: &Model) -> bool {
        let primitive = match &ty.target {
            TypeTarget::Primitive(p) => Some(*p),
            TypeTarget::TypeDefinition(name) => model.type_definitions.get(name).map(|d| d.underlying_type),
            TypeTarget::Enum(_) => return matches!(self, DocType::String | DocType::Enum),
            TypeTarget::Complex(_) | TypeTarget::AbstractComplex => return self == DocType::Complex,
            _ => None,
        };
        let Some(p) = primitive else {
            return false;
        };
        use Primitive as P;
        match self {
            DocType::Integer => matches!(p, P::Int16 | P::Int32 | P::Int64 | P::Byte | P::SByte),
            DocType::Decimal => matches!(p, P::Decimal | P::Double | P::Single),
            DocType::Date => p == P::Date,
            DocType::DateTime => p == P::DateTimeOffset,
            DocType::Guid => p == P::Guid,
            DocType::Boolean => p == P::Boolean,
            DocType::String => p == P::String,
            DocType::Enum | DocType::Complex => false,
            DocType::Time => p == P::TimeOfDay,
            DocType::Binary => matches!(p, P::Binary | P::Stream),
            DocType::Duration => p == P::Duration,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::QualifiedName;

    fn prim(p: Primitive) -> TypeRef {
        TypeRef { target: TypeTarget::Primitive(p), collection: false }
    }

    #[test]
    fn documented_types() {
        let model = Model::default();
        assert!(DocType::parse("integer").unwrap().accepts(&prim(Primitive::Int32), &model));
        assert!(DocType::parse("numeric").unwrap().accepts(&prim(Primitive::Decimal), &model));
        assert!(!DocType::parse("numeric").unwrap().accepts(&prim(Primitive::Int32), &model));
        assert!(DocType::parse("string, maximum size 20").unwrap().accepts(&prim(Primitive::String), &model));
        assert!(DocType::parse("datetime").unwrap().accepts(&prim(Primitive::DateTimeOffset), &model));
        assert!(DocType::parse("GUID").unwrap().accepts(&prim(Primitive::Guid), &model));
        let enum_ty = TypeRef { target: TypeTarget::Enum(QualifiedName::new("Microsoft.NAV", "x")), collection: false };
        assert!(DocType::parse("string").unwrap().accepts(&enum_ty, &model));
        let complex =
            TypeRef { target: TypeTarget::Complex(QualifiedName::new("Microsoft.NAV", "y")), collection: false };
        assert!(DocType::parse("NAV.UnitOfMeasure").unwrap().accepts(&complex, &model));
        assert!(DocType::parse("whatever").is_none());
    }
}
