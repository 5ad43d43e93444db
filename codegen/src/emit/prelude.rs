//! Renderers write std types in full (`::std::option::Option`) so that a
//! generated type named `Option` or `String` can never capture them. Where
//! a file declares no such name, the prelude name reads better and means
//! the same; this pass rewrites the parsed file accordingly.

use syn::visit_mut::{self, VisitMut};

/// `(module, prelude name)` for every `::std::<module>::<Name>` the renderers write.
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

/// Rewrites `::std::<module>::<Name>` to `<Name>` for every prelude name the
/// file does not declare itself.
pub fn shorten(file: &mut syn::File) {
    let mut declared = Declared::default();
    declared.visit_file_mut(file);
    let allowed = PRELUDE.iter().copied().filter(|(_, name)| !declared.names.iter().any(|d| d == name)).collect();
    Shorten { allowed }.visit_file_mut(file);
}

/// Names the file declares (items, and renamed imports).
#[derive(Default)]
struct Declared {
    names: Vec<String>,
}

impl VisitMut for Declared {
    fn visit_item_mut(&mut self, item: &mut syn::Item) {
        let ident = match item {
            syn::Item::Struct(s) => Some(&s.ident),
            syn::Item::Enum(e) => Some(&e.ident),
            syn::Item::Type(t) => Some(&t.ident),
            syn::Item::Trait(t) => Some(&t.ident),
            syn::Item::Mod(m) => Some(&m.ident),
            _ => None,
        };
        if let Some(ident) = ident {
            self.names.push(ident.to_string());
        }
        visit_mut::visit_item_mut(self, item);
    }

    fn visit_use_rename_mut(&mut self, rename: &mut syn::UseRename) {
        self.names.push(rename.rename.to_string());
    }
}

struct Shorten {
    allowed: Vec<(&'static str, &'static str)>,
}

impl VisitMut for Shorten {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        // Types (`::std::vec::Vec<T>`) and expressions (`::std::vec::Vec::new()`).
        if path.leading_colon.is_some() && path.segments.len() >= 3 && path.segments[0].ident == "std" {
            let module = &path.segments[1].ident;
            let name = &path.segments[2].ident;
            if self.allowed.iter().any(|(m, n)| module == m && name == n) {
                path.leading_colon = None;
                path.segments = std::mem::take(&mut path.segments).into_iter().skip(2).collect();
            }
        }
        visit_mut::visit_path_mut(self, path);
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    fn shortened(tokens: proc_macro2::TokenStream) -> String {
        let mut file: syn::File = syn::parse2(tokens).expect("valid Rust");
        super::shorten(&mut file);
        prettyplease::unparse(&file)
    }

    #[test]
    fn shortens_only_undeclared_names() {
        let text = shortened(
            quote! { struct A { a: ::std::option::Option<::std::string::String> } fn f() { let v = ::std::vec::Vec::<u8>::new(); } },
        );
        assert!(text.contains("a: Option<String>"), "{text}");
        assert!(text.contains("let v = Vec::<u8>::new();"), "{text}");
        let text =
            shortened(quote! { struct String; fn f() -> ::std::string::String { ::std::string::String::new() } });
        assert!(text.contains("-> ::std::string::String"), "{text}");
        assert!(text.contains("::std::string::String::new()"), "{text}");
    }
}
