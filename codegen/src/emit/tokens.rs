//! Token helpers shared by the renderers.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::names::escaped;
use super::plan::RustType;
use crate::ir::Primitive;

/// An identifier, raw when it is a keyword (`r#type`).
pub fn ident(name: &str) -> Ident {
    let escaped = escaped(name);
    match escaped.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(&escaped, Span::call_site()),
    }
}

/// `#[doc = "..."]` attributes, one per line.
pub fn doc(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|line| if line.is_empty() { String::new() } else { format!(" {line}") });
    quote! { #( #[doc = #lines] )* }
}

/// `super::super::` …, `depth` times: the way from a generated module back
/// to its API module.
pub fn up(depth: usize) -> TokenStream {
    let supers = (0..depth).map(|_| quote!(super::));
    quote! { #(#supers)* }
}

/// The Rust type of a value (without `Option`).
pub fn value_type(ty: &RustType, depth: usize) -> TokenStream {
    let up = up(depth);
    match ty {
        RustType::Primitive(p) => primitive(*p),
        RustType::Enum { name } => {
            let name = ident(name);
            quote!(#up enums::#name)
        }
        RustType::Complex { name } => {
            let name = ident(name);
            quote!(#up complex::#name)
        }
        RustType::Entity { module, name } => {
            let module = ident(module);
            let name = ident(name);
            quote!(#up #module::#name)
        }
        RustType::Collection(inner) => {
            let inner = value_type(inner, depth);
            quote!(::std::vec::Vec<#inner>)
        }
    }
}

/// The type of a field: `Option<T>` when nullable (streams and collections
/// are never `Option`: a stream is its links, a collection may be empty).
pub fn field_type(ty: &RustType, nullable: bool, depth: usize) -> TokenStream {
    let value = value_type(ty, depth);
    if nullable && !ty.is_stream() && !matches!(ty, RustType::Collection(_)) {
        quote!(::std::option::Option<#value>)
    } else {
        value
    }
}

fn primitive(p: Primitive) -> TokenStream {
    match p {
        Primitive::Binary => quote!(rt::Binary),
        Primitive::Boolean => quote!(bool),
        Primitive::Byte => quote!(u8),
        Primitive::Date => quote!(rt::chrono::NaiveDate),
        Primitive::DateTimeOffset => quote!(rt::chrono::DateTime<rt::chrono::FixedOffset>),
        Primitive::Decimal => quote!(rt::rust_decimal::Decimal),
        Primitive::Double => quote!(f64),
        Primitive::Duration => quote!(rt::Duration),
        Primitive::Guid => quote!(rt::uuid::Uuid),
        Primitive::Int16 => quote!(i16),
        Primitive::Int32 => quote!(i32),
        Primitive::Int64 => quote!(i64),
        Primitive::SByte => quote!(i8),
        Primitive::Single => quote!(f32),
        Primitive::Stream => quote!(rt::StreamLink),
        Primitive::String => quote!(::std::string::String),
        Primitive::TimeOfDay => quote!(rt::chrono::NaiveTime),
        Primitive::AnnotationPath | Primitive::PropertyPath | Primitive::NavigationPropertyPath => {
            quote!(::std::string::String)
        }
        Primitive::Geography(_)
        | Primitive::Geometry(_)
        | Primitive::Untyped
        | Primitive::PrimitiveType
        | Primitive::AnyPropertyPath
        | Primitive::ModelElementPath => quote!(rt::Json),
    }
}

/// How a setter or key accessor takes a value of this type: `impl Into<T>`
/// where that is convenient, `T` otherwise. Returns the parameter type and
/// the expression that turns the parameter into a `T`.
pub fn argument(ty: &RustType, depth: usize, name: &Ident) -> (TokenStream, TokenStream) {
    let value = value_type(ty, depth);
    match ty {
        RustType::Primitive(Primitive::String | Primitive::Decimal | Primitive::DateTimeOffset) => {
            (quote!(impl ::std::convert::Into<#value>), quote!(#name.into()))
        }
        RustType::Collection(inner) => {
            let inner = value_type(inner, depth);
            (quote!(impl ::std::iter::IntoIterator<Item = #inner>), quote!(#name.into_iter().collect::<#value>()))
        }
        _ => (value, quote!(#name)),
    }
}
