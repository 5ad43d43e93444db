//! The names the generator keeps away from generated path methods cover
//! every public method of the runtime's path types: a generated method with
//! the same name would shadow the runtime's (they are reached through
//! `Deref`), as a navigation property called `From` once did to `from`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::str::FromStr;

use odata_v4_codegen::emit::plan::PATH_RESERVED;
use proc_macro2::{TokenStream, TokenTree};

/// Every `pub fn <name>` in `tokens`, in items and in macro bodies alike.
fn public_functions(tokens: TokenStream, found: &mut BTreeSet<String>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => public_functions(group.stream(), found),
            TokenTree::Ident(ident) if ident == "fn" => {
                let public = i > 0 && matches!(&trees[i - 1], TokenTree::Ident(p) if p == "pub");
                if let (true, Some(TokenTree::Ident(name))) = (public, trees.get(i + 1)) {
                    found.insert(name.to_string());
                }
            }
            _ => {}
        }
    }
}

#[test]
fn reserved_path_names_cover_the_runtime_path_methods() {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../runtime/src/path.rs");
    let text = std::fs::read_to_string(&source).expect("the runtime's path module reads");
    let tokens = TokenStream::from_str(&text).expect("the runtime's path module tokenizes");
    let mut methods = BTreeSet::new();
    public_functions(tokens, &mut methods);
    assert!(methods.len() > 15, "found too few methods to be right: {methods:?}");
    let reserved: BTreeSet<&str> = PATH_RESERVED.iter().copied().collect();
    let missing: Vec<&String> = methods.iter().filter(|m| !reserved.contains(m.as_str())).collect();
    assert!(missing.is_empty(), "add these runtime path methods to PATH_RESERVED: {missing:?}");
}

#[test]
fn std_trait_methods_the_wrappers_rely_on_are_reserved() {
    for name in ["from", "into", "clone", "fmt", "deref"] {
        assert!(PATH_RESERVED.contains(&name), "{name} is not reserved");
    }
}
