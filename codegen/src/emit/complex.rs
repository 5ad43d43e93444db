//! Complex types: plain structs users can build, with the same JSON
//! handling as entities.

use proc_macro2::TokenStream;

use super::plan::ComplexPlan;
use super::structured::{self, Structure};

pub fn render(complex: &ComplexPlan, depth: usize) -> TokenStream {
    structured::render(&Structure {
        name: &complex.name,
        type_name: complex.qualified.to_string(),
        docs: &complex.docs,
        fields: &complex.fields,
        navigations: &[],
        etag_field: None,
        extra_field: &complex.extra_field,
        constructible: true,
        derive_default: complex.has_default,
        depth,
    })
}
