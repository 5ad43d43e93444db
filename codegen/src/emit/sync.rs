//! Business Central only: entity types with a `lastModifiedDateTime`
//! implement the SDK's `sync::ChangeTracked`, which is what its incremental
//! sync requires of the sets it reads. Kept apart from `entity.rs` because
//! it names the SDK crate, which only Business Central APIs depend on.

use proc_macro2::TokenStream;
use quote::quote;

use super::plan::{EntityPlan, RustType};
use super::tokens::{ident, std_name};
use crate::ir::Primitive;

/// The property Business Central stamps on every write.
const LAST_MODIFIED: &str = "lastModifiedDateTime";

/// `impl ::business_central_sdk::sync::ChangeTracked for …`, or nothing
/// for a type without a `lastModifiedDateTime` timestamp or with a
/// composite key (Business Central's incremental readers key rows on one
/// property).
pub fn change_tracked(entity: &EntityPlan) -> TokenStream {
    let timestamp = entity
        .fields
        .iter()
        .find(|f| f.wire == LAST_MODIFIED && f.ty == RustType::Primitive(Primitive::DateTimeOffset));
    let (Some(timestamp), [key]) = (timestamp, entity.key.as_slice()) else {
        return TokenStream::new();
    };
    let name = ident(&entity.struct_name);
    let marker = ident(&timestamp.marker);
    let field = ident(&timestamp.ident);
    let std_option = std_name("option", "Option");
    let std_string = std_name("string", "String");
    let value = if timestamp.nullable { quote!(self.#field) } else { quote!(#std_option::Some(self.#field)) };
    let key = ident(&key.ident);
    quote! {
        impl ::business_central_sdk::sync::ChangeTracked for #name {
            type LastModified = fields::#marker;

            fn last_modified(&self) -> #std_option<rt::chrono::DateTime<rt::chrono::FixedOffset>> {
                #value
            }

            fn key_text(&self) -> #std_string {
                let mut key = #std_string::new();
                rt::EntityKey::write_key(&self.#key, &mut key);
                key
            }
        }
    }
}
