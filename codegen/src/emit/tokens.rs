//! Token helpers shared by the renderers.

use std::cell::RefCell;

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::quote;

use super::plan::RustType;
use super::plan::naming::{Escape, escape};
use crate::ir::Primitive;

/// An identifier, raw when it is a keyword (`r#type`).
pub fn ident(name: &str) -> Ident {
    // Called for every identifier of every file: no text is built for the
    // common case of a name that is not a keyword.
    match escape(name) {
        Escape::Raw => Ident::new_raw(name, Span::call_site()),
        Escape::Suffix => Ident::new(&format!("{name}_"), Span::call_site()),
        Escape::None => Ident::new(name, Span::call_site()),
    }
}

/// What the names written in a file depend on: the file being rendered.
#[derive(Debug, Clone, Default)]
pub struct FileContext {
    /// The namespace module the file belongs to (`None` when the service's
    /// types are not split by namespace, and for the API module itself).
    pub namespace: Option<String>,
    /// The type and module names the file declares. A std prelude name the
    /// file declares itself (a complex type `Option`) must be written in full.
    pub declared: Vec<String>,
}

thread_local! {
    // Set for the duration of one file's rendering, which happens on one
    // worker thread; read by the path helpers below.
    static FILE: RefCell<FileContext> = RefCell::default();
}

/// Renders one file with `context` in effect.
pub fn in_file<T>(context: FileContext, render: impl FnOnce() -> T) -> T {
    FILE.with(|file| *file.borrow_mut() = context);
    let rendered = render();
    FILE.with(|file| *file.borrow_mut() = FileContext::default());
    rendered
}

/// The std prelude names generated code uses, with their modules.
const PRELUDE: [(&str, &str); 8] = [
    ("option", "Option"),
    ("string", "String"),
    ("vec", "Vec"),
    ("boxed", "Box"),
    ("result", "Result"),
    ("convert", "Into"),
    ("iter", "IntoIterator"),
    ("clone", "Clone"),
];

/// A std item by its prelude name (`Option`), as a reader expects it; in
/// full (`::std::option::Option`) when the file declares an item of that
/// name, which would otherwise capture it.
pub fn std_name(module: &str, name: &str) -> TokenStream {
    let shadowed = FILE.with(|file| file.borrow().declared.iter().any(|d| d == name));
    let short = Ident::new(name, Span::call_site());
    if PRELUDE.contains(&(module, name)) && !shadowed {
        quote!(#short)
    } else {
        let module = Ident::new(module, Span::call_site());
        shared(quote!(::std::#module::#short))
    }
}

/// Token streams one after another, moved rather than copied. Interpolating
/// a stream into `quote!` copies every token of it (identifiers are
/// allocated anew), which over a million generated lines costs more than
/// the rendering itself; whole files are assembled this way instead.
pub fn concat(parts: impl IntoIterator<Item = TokenStream>) -> TokenStream {
    let mut out = TokenStream::new();
    out.extend(parts);
    out
}

/// `inner` as a single token, an invisible group, which the layout
/// splices back in place (see `print::tokens`). `quote!` copies every token
/// of a stream it interpolates (identifiers are allocated anew) but shares
/// a group's tokens, so the pieces interpolated most (types, paths, docs)
/// are handed out this way.
pub fn shared(inner: TokenStream) -> TokenStream {
    TokenStream::from(TokenTree::Group(Group::new(Delimiter::None, inner)))
}

/// `{ inner }` as one token, `inner` moved in: `quote!` shares a group's
/// tokens when interpolating it instead of copying them.
pub fn braced(inner: TokenStream) -> Group {
    Group::new(Delimiter::Brace, inner)
}

/// `#[doc = "..."]` attributes, one per line.
pub fn doc(lines: &[String]) -> TokenStream {
    let lines =
        lines.iter().map(|line| if line.is_empty() { doc_text("") } else { doc_text(&format!(" {}", doc_safe(line))) });
    shared(quote! { #( #[doc = #lines] )* })
}

/// The literal of a `#[doc]` attribute: a raw string (`r"…"`, `r#"…"#`),
/// as the compiler writes a `///` comment. Interpolating a `String` into
/// `quote!` escapes it character by character, and the layout of the file
/// reads the escapes back; over Microsoft Graph's documentation that round
/// trip was a tenth of generation. A carriage return, which a raw string
/// cannot hold alone, takes the escaped form.
pub fn doc_text(text: &str) -> Literal {
    if text.contains('\r') {
        return Literal::string(text);
    }
    // Enough `#`s that no `"` in the text is followed by as many.
    let mut hashes = 0;
    for (i, _) in text.match_indices('"') {
        hashes = hashes.max(text[i + 1..].bytes().take_while(|&b| b == b'#').count() + 1);
    }
    let fence = "#".repeat(hashes);
    let raw = format!("r{fence}\"{text}\"{fence}");
    raw.parse().unwrap_or_else(|_| Literal::string(text))
}

/// Text a `///` comment can hold: the formatter writes `#[doc]` attributes
/// as such comments, where a bare carriage return does not compile and
/// bidirectional controls are refused (`text_direction_codepoint_in_comment`,
/// the "Trojan Source" guard). Metadata descriptions may hold either: a CR
/// becomes a line break, a control is written out (`U+202E`).
pub fn doc_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c == '\r' || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push('\n'),
            c if unsafe_char(c) => out.push_str(&format!("U+{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `super::super::` …, `depth` times: the way from a generated module back
/// to its API module.
pub fn up(depth: usize) -> TokenStream {
    let supers = (0..depth).map(|_| quote!(super::));
    shared(quote! { #(#supers)* })
}

/// `super::…::[namespace::]`: the way from a module `depth` levels below the
/// API module to the module of a namespace (the API module itself when the
/// service's types are not split by namespace).
pub fn namespace_path(namespace: Option<&str>, depth: usize) -> TokenStream {
    // Within its own namespace module a type is reached without naming it.
    let here = FILE.with(|file| file.borrow().namespace.is_some() && file.borrow().namespace.as_deref() == namespace);
    match namespace {
        Some(_) if here && depth > 0 => up(depth - 1),
        Some(namespace) => {
            let up = up(depth);
            let namespace = ident(namespace);
            shared(quote!(#up #namespace::))
        }
        None => up(depth),
    }
}

/// The module of an entity type, seen from `depth` levels below the API module.
pub fn entity_module(namespace: Option<&str>, module: &str, depth: usize) -> TokenStream {
    let path = namespace_path(namespace, depth);
    let module = ident(module);
    shared(quote!(#path #module))
}

/// The Rust type of a value (without `Option`).
pub fn value_type(ty: &RustType, depth: usize) -> TokenStream {
    shared(match ty {
        RustType::Primitive(p) => primitive(*p),
        RustType::Enum { namespace, name } => {
            let path = namespace_path(namespace.as_deref(), depth);
            let name = ident(name);
            quote!(#path enums::#name)
        }
        RustType::Complex { namespace, name } => {
            let path = namespace_path(namespace.as_deref(), depth);
            let name = ident(name);
            quote!(#path complex::#name)
        }
        RustType::Entity { namespace, module, name } => {
            let module = entity_module(namespace.as_deref(), module, depth);
            let name = ident(name);
            quote!(#module::#name)
        }
        RustType::Collection(inner) => {
            let inner = value_type(inner, depth);
            let vec = std_name("vec", "Vec");
            quote!(#vec<#inner>)
        }
    })
}

/// The type of a field: `Option<T>` when nullable (streams and collections
/// are never `Option`: a stream is its links, a collection may be empty),
/// with `T` in a `Box` when `boxed`.
pub fn field_type(ty: &RustType, nullable: bool, boxed: bool, depth: usize) -> TokenStream {
    let mut value = value_type(ty, depth);
    if boxed {
        let boxed = std_name("boxed", "Box");
        value = shared(quote!(#boxed<#value>));
    }
    if nullable && !ty.is_stream() && !matches!(ty, RustType::Collection(_)) {
        let option = std_name("option", "Option");
        shared(quote!(#option<#value>))
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
        Primitive::String => std_name("string", "String"),
        Primitive::TimeOfDay => quote!(rt::chrono::NaiveTime),
        Primitive::AnnotationPath | Primitive::PropertyPath | Primitive::NavigationPropertyPath => {
            std_name("string", "String")
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
            let into = std_name("convert", "Into");
            (quote!(impl #into<#value>), quote!(#name.into()))
        }
        RustType::Collection(inner) => {
            let inner = value_type(inner, depth);
            let into_iterator = std_name("iter", "IntoIterator");
            (quote!(impl #into_iterator<Item = #inner>), quote!(#name.into_iter().collect::<#value>()))
        }
        _ => (value, quote!(#name)),
    }
}

#[cfg(test)]
mod tests {
    use super::doc_text;

    #[test]
    fn doc_literals_read_back_as_the_text_they_were_made_from() {
        for text in [
            "",
            " plain",
            " with \"quotes\" inside",
            " ends with a quote\"",
            " \"# a quote then a hash, \"## then two",
            " back\\slash and \\n, kept as written",
            " a tab\tand a NUL \0 and ünïcödé \u{2603}",
            " a carriage\rreturn",
            " \r\n",
        ] {
            let literal = doc_text(text);
            let read: syn::LitStr = syn::parse_str(&literal.to_string()).expect("a string literal");
            assert_eq!(read.value(), text, "{literal}");
            assert_eq!(literal.to_string().starts_with('r'), !text.contains('\r'), "{literal}");
        }
    }
}
