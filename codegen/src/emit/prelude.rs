//! Renderers write std types in full (`::std::option::Option`) so that a
//! generated type named `Option` or `String` can never capture them. Where
//! a file declares no such name, the prelude name reads better and means
//! the same; this pass rewrites the tokens accordingly.

use proc_macro2::{Group, Ident, TokenStream, TokenTree};

/// `(module path segments, prelude name)`.
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

const DECLARING: [&str; 6] = ["struct", "enum", "type", "trait", "mod", "as"];

/// Rewrites `::std::<module>::<Name>` to `<Name>` for every prelude name the
/// file does not declare itself.
pub fn shorten(tokens: TokenStream) -> TokenStream {
    let mut declared = Vec::new();
    collect_declared(tokens.clone(), &mut declared);
    let allowed: Vec<(&'static str, &'static str)> = PRELUDE.iter().copied().filter(|(_, name)| !declared.iter().any(|d| d == name)).collect();
    rewrite(tokens, &allowed)
}

fn collect_declared(tokens: TokenStream, out: &mut Vec<String>) {
    let mut previous_keyword = false;
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => {
                let text = ident.to_string();
                if previous_keyword {
                    out.push(text.clone());
                }
                previous_keyword = DECLARING.contains(&text.as_str());
            }
            TokenTree::Group(group) => {
                collect_declared(group.stream(), out);
                previous_keyword = false;
            }
            _ => previous_keyword = false,
        }
    }
}

fn rewrite(tokens: TokenStream, allowed: &[(&'static str, &'static str)]) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if let Some(name) = match_std_path(&trees[i..], allowed) {
            out.push(TokenTree::Ident(Ident::new(name, proc_macro2::Span::call_site())));
            i += 9;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(group) => {
                let mut rewritten = Group::new(group.delimiter(), rewrite(group.stream(), allowed));
                rewritten.set_span(group.span());
                out.push(TokenTree::Group(rewritten));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// Matches `:: std :: <module> :: <Name>` (nine tokens) at the start of `trees`.
fn match_std_path(trees: &[TokenTree], allowed: &[(&'static str, &'static str)]) -> Option<&'static str> {
    let [a, b, std, c, d, module, e, f, name, ..] = trees else { return None };
    let is_colon = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == ':');
    let ident_is = |t: &TokenTree, text: &str| matches!(t, TokenTree::Ident(i) if i == text);
    if !(is_colon(a) && is_colon(b) && ident_is(std, "std") && is_colon(c) && is_colon(d) && is_colon(e) && is_colon(f)) {
        return None;
    }
    allowed.iter().find(|(m, n)| ident_is(module, m) && ident_is(name, n)).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn shortens_only_undeclared_names() {
        let tokens = quote! { struct A { a: ::std::option::Option<::std::string::String> } };
        assert_eq!(super::shorten(tokens).to_string(), "struct A { a : Option < String > }");
        let tokens = quote! { struct String; fn f() -> ::std::string::String { ::std::string::String::new() } };
        assert!(super::shorten(tokens).to_string().contains(":: std :: string :: String"));
    }
}
