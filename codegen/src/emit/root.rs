//! The API module's root (`mod.rs`): the service marker and the entry point
//! with the sets, singletons and operation imports reachable from the API
//! root, each returning the path type of its entity module.

use proc_macro2::TokenStream;
use quote::quote;

use super::entity::key_arguments;
use super::operations::{Receiver, call_type, operation_method};
use super::plan::ApiPlan;
use super::plan::naming::path_methods;
use super::tokens::{doc, doc_text, entity_module, ident};
use crate::customize::Customization;

/// The API module; `modules` are the modules it declares (entity modules,
/// or namespace modules when the service's types span several namespaces).
pub fn render(plan: &ApiPlan, modules: &[String], customization: &dyn Customization) -> TokenStream {
    let route = &plan.route;
    // URLs in the docs, relative to the client's base URL.
    let at = if route.is_empty() { String::new() } else { format!("{route}/") };
    let lambda = plan.lambda_operators.then(|| quote!(impl rt::LambdaOperators for Service {}));
    let or_operands = if plan.cross_property_or {
        quote!(
            impl<A, B> rt::OrOperands<A, B> for Service {}
        )
    } else {
        quote!(impl rt::OrWithinOneProperty for Service {})
    };
    // The wire dialect is decided here, at generation time, by the
    // customization: strict OData unless the service family has its own.
    let profile = customization.profile();
    // Enum and complex types live at the API root unless they are split by namespace.
    let type_modules = plan.namespaces.is_empty().then(|| {
        quote!(
            pub mod enums;
            pub mod complex;
        )
    });
    let module_decls = modules.iter().map(|m| {
        let m = ident(m);
        quote!(pub mod #m;)
    });
    let root_sets = plan.root_sets.iter().map(|root| {
        let collection = ident(&root.collection_method);
        let module = entity_module(root.target.namespace.as_deref(), &root.target.module, 0);
        let marker = ident(&root.target.set_marker);
        let entity_path = ident(&root.target.entity_path);
        let set = &root.set;
        let collection_doc = doc_text(&format!(" The entity set `{set}` (`{at}{set}`)."));
        let key_doc = doc_text(&format!(" One entity of `{set}` by key (`{at}{set}(…)`)."));
        let Some(collection_path) = &root.target.collection_path else { return TokenStream::new() };
        let collection_path = ident(collection_path);
        let by_key = root.key_method.as_ref().map(|key_method| {
            let key_method = ident(key_method);
            let (params, _) = key_arguments(&root.key, None, 0);
            let args = root.key.iter().map(|p| ident(&p.ident));
            let key = ident(path_methods::KEY);
            quote! {
                #[doc = #key_doc]
                pub fn #key_method(&self, #(#params),*) -> #module::#entity_path {
                    self.#collection().#key(#(#args),*)
                }
            }
        });
        let alternates = root.alternate_keys.iter().map(|(method, key)| {
            let method = ident(method);
            let collection_method = ident(&key.method);
            let (params, _) = key_arguments(&key.parts, None, 0);
            let args = key.parts.iter().map(|p| ident(&p.ident));
            let names: Vec<String> = key.parts.iter().map(|p| format!("`{}`", p.wire)).collect();
            let first = key.parts.first().map_or("", |p| p.wire.as_str());
            let line = doc_text(&format!(
                " One entity of `{set}` by its alternate key {} (`{set}({first}=…)`).",
                names.join(", ")
            ));
            quote! {
                #[doc = #line]
                pub fn #method(&self, #(#params),*) -> #module::#entity_path {
                    self.#collection().#collection_method(#(#args),*)
                }
            }
        });
        quote! {
            #[doc = #collection_doc]
            pub fn #collection(&self) -> #module::#collection_path {
                #module::#collection_path::from(rt::CollectionPath::<#module::#marker>::new(self.api.clone(), #set))
            }

            #by_key
            #(#alternates)*
        }
    });
    let singletons = plan.singletons.iter().map(|singleton| {
        let method = ident(&singleton.method);
        let module = entity_module(singleton.target.namespace.as_deref(), &singleton.target.module, 0);
        let marker = ident(&singleton.target.set_marker);
        let entity_path = ident(&singleton.target.entity_path);
        let name = &singleton.name;
        let line = doc_text(&format!(" The singleton `{name}` (`{at}{name}`)."));
        quote! {
            #[doc = #line]
            pub fn #method(&self) -> #module::#entity_path {
                #module::#entity_path::from(rt::EntityPath::<#module::#marker>::new(self.api.clone(), #name))
            }
        }
    });
    let extra_methods = customization.api_methods(plan);
    let imports = plan.imports.iter().map(|op| operation_method(op, 0, &quote!(self.api), None));
    let import_calls = plan.imports.iter().filter_map(|op| call_type(op, 0, Receiver::Api));
    let api_doc = doc(&[
        if route.is_empty() {
            "The service's API, at the client's base URL.".to_owned()
        } else {
            format!("The `{route}` API.")
        },
        String::new(),
        "Create it from a configured client; every path below mirrors the service's URLs.".to_owned(),
    ]);
    quote! {
        /// Marker for this API in the type system (what its `$filter` supports).
        #[derive(Debug, Clone, Copy)]
        pub enum Service {}

        impl rt::Service for Service {
            const ROUTE: &'static str = #route;
            const PROFILE: rt::ServiceProfile = #profile;
        }
        #lambda
        #or_operands

        #api_doc
        #[derive(Debug, Clone)]
        pub struct Api {
            api: rt::Api,
        }

        impl Api {
            /// The API at its default route, below the client's base URL.
            pub fn new(client: &rt::Client) -> Api {
                Self::with_route(client, #route)
            }

            /// The same API published at another route (for example a copy
            /// of a custom API under another version).
            pub fn with_route(client: &rt::Client, route: &str) -> Api {
                Api { api: rt::Api::new(client, route, <Service as rt::Service>::PROFILE) }
            }

            /// The untyped API handle, for hand-built requests.
            pub fn raw(&self) -> &rt::Api {
                &self.api
            }

            /// A `$batch` of requests to this API.
            pub fn batch(&self) -> rt::Batch {
                rt::Batch::new(&self.api)
            }

            #extra_methods
            #(#root_sets)*
            #(#singletons)*
            #(#imports)*
        }
        #(#import_calls)*

        #type_modules
        #(#module_decls)*
    }
}
