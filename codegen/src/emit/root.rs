//! The API module's root (`mod.rs`): the service marker, the entry point
//! with the sets reachable from the API root, and the path wrappers the
//! entity modules add navigation methods to.

use proc_macro2::TokenStream;
use quote::quote;

use super::entity::{alternate_key_predicate, key_arguments};
use super::plan::{ApiPlan, Dialect};
use super::tokens::{doc, ident};

pub fn render(plan: &ApiPlan, modules: &[String]) -> TokenStream {
    let route = &plan.route;
    let lambda = (plan.dialect == Dialect::Standard).then(|| quote!(impl rt::LambdaOperators for Service {}));
    let module_decls = modules.iter().map(|m| {
        let m = ident(m);
        quote!(pub mod #m;)
    });
    let root_sets = plan.root_sets.iter().map(|root| {
        let collection = ident(&root.collection_method);
        let key_method = ident(&root.key_method);
        let module = ident(&root.target.module);
        let marker = ident(&root.target.set_marker);
        let set = &root.set;
        let key_struct = plan.entities.iter().find(|e| e.qualified == root.target.qualified).and_then(|e| e.key_struct.as_ref()).map(|name| {
            let name = ident(name);
            quote!(#module::#name)
        });
        let (params, key_value) = key_arguments(&root.key, key_struct, 0);
        let collection_doc = format!(" The entity set `{set}` (`{route}/{set}`).");
        let key_doc = format!(" One entity of `{set}` by key (`{route}/{set}(…)`).");
        let alternates = root.alternate_keys.iter().map(|(method, key)| {
            let method = ident(method);
            let (params, _) = key_arguments(&key.parts, None, 0);
            let predicate = alternate_key_predicate(&key.parts);
            let names: Vec<String> = key.parts.iter().map(|p| format!("`{}`", p.wire)).collect();
            let line = format!(" One entity of `{set}` by its alternate key {} (`{set}({}=…)`).", names.join(", "), key.parts[0].wire);
            quote! {
                #[doc = #line]
                pub fn #method(&self, #(#params),*) -> EntityPath<#module::#marker> {
                    EntityPath::from(self.#collection().alternate_key_path(&#predicate))
                }
            }
        });
        quote! {
            #[doc = #collection_doc]
            pub fn #collection(&self) -> CollectionPath<#module::#marker> {
                CollectionPath(rt::CollectionPath::new(self.api.clone(), #set))
            }

            #[doc = #key_doc]
            pub fn #key_method(&self, #(#params),*) -> EntityPath<#module::#marker> {
                self.#collection().key(#key_value)
            }

            #(#alternates)*
        }
    });
    let default_company = plan.company_set.map(|index| {
        let root = &plan.root_sets[index];
        let module = ident(&root.target.module);
        let marker = ident(&root.target.set_marker);
        let collection = ident(&root.collection_method);
        quote! {
            /// The company the client was configured with
            /// (`default_company_id` or `default_company_name`).
            pub fn default_company(&self) -> ::std::result::Result<EntityPath<#module::#marker>, rt::Error> {
                match self.api.client().default_company() {
                    Some(rt::CompanyRef::Id(id)) => Ok(self.#collection().key(*id)),
                    Some(rt::CompanyRef::Name(name)) => {
                        let predicate = rt::key_predicate(&[("name", name as &dyn rt::EntityKey)]);
                        Ok(EntityPath::from(self.#collection().alternate_key_path(&predicate)))
                    }
                    None => Err(rt::Error::InvalidRequest(
                        "no default company is configured: use ClientBuilder::default_company_id or default_company_name".to_owned(),
                    )),
                }
            }
        }
    });
    let imports = plan.imports.iter().map(import_method);
    let api_doc = doc(&[
        format!("The `{route}` API."),
        String::new(),
        "Create it from a configured client; every path below mirrors the service's URLs.".to_owned(),
    ]);
    quote! {
        /// Marker for this API in the type system (what its `$filter` supports).
        #[derive(Debug, Clone, Copy)]
        pub enum Service {}

        impl rt::Service for Service {
            const ROUTE: &'static str = #route;
        }
        #lambda

        #api_doc
        #[derive(Debug, Clone)]
        pub struct Api {
            api: rt::Api,
        }

        impl Api {
            /// The API at its default route.
            pub fn new(client: &rt::Client) -> Api {
                Api { api: rt::Api::new(client, #route) }
            }

            /// The same API published at another route (for example a copy
            /// of a custom API under another version).
            pub fn with_route(client: &rt::Client, route: &str) -> Api {
                Api { api: rt::Api::new(client, route) }
            }

            /// The untyped API handle, for hand-built requests.
            pub fn raw(&self) -> &rt::Api {
                &self.api
            }

            /// A `$batch` of requests to this API.
            pub fn batch(&self) -> rt::Batch {
                rt::Batch::new(&self.api)
            }

            #default_company
            #(#root_sets)*
            #(#imports)*
        }

        /// One entity at a URL path; navigation, action and stream methods
        /// come from the entity's module, reading and writing from [`rt::EntityPath`].
        pub struct EntityPath<S>(rt::EntityPath<S>);

        /// A collection of entities at a URL path.
        pub struct CollectionPath<S>(rt::CollectionPath<S>);

        impl<S> ::std::ops::Deref for EntityPath<S> {
            type Target = rt::EntityPath<S>;
            fn deref(&self) -> &rt::EntityPath<S> {
                &self.0
            }
        }

        impl<S> ::std::ops::Deref for CollectionPath<S> {
            type Target = rt::CollectionPath<S>;
            fn deref(&self) -> &rt::CollectionPath<S> {
                &self.0
            }
        }

        impl<S> ::std::convert::From<rt::EntityPath<S>> for EntityPath<S> {
            fn from(path: rt::EntityPath<S>) -> Self {
                EntityPath(path)
            }
        }

        impl<S> ::std::convert::From<rt::CollectionPath<S>> for CollectionPath<S> {
            fn from(path: rt::CollectionPath<S>) -> Self {
                CollectionPath(path)
            }
        }

        impl<S> ::std::clone::Clone for EntityPath<S> {
            fn clone(&self) -> Self {
                EntityPath(self.0.clone())
            }
        }

        impl<S> ::std::clone::Clone for CollectionPath<S> {
            fn clone(&self) -> Self {
                CollectionPath(self.0.clone())
            }
        }

        impl<S> ::std::fmt::Debug for EntityPath<S> {
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(formatter)
            }
        }

        impl<S> ::std::fmt::Debug for CollectionPath<S> {
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(formatter)
            }
        }

        impl<S: rt::EntitySet> CollectionPath<S> {
            /// One entity of this collection, by key: `…(key)`. GUID keys are
            /// written bare, string keys quoted with `'` doubled.
            pub fn key(&self, key: impl ::std::convert::Into<S::Key>) -> EntityPath<S> {
                EntityPath(self.0.key_path(&key.into()))
            }
        }

        pub mod enums;
        pub mod complex;
        #(#module_decls)*
    }
}

fn import_method(op: &super::plan::OperationPlan) -> TokenStream {
    let method = ident(&op.method);
    let name = &op.qualified;
    let docs = doc(&op.docs);
    let (output, decoder) = match &op.returns {
        None => (quote!(()), quote!(rt::decode::no_content)),
        Some((ty, _)) => {
            let value = super::tokens::value_type(ty, 0);
            (value.clone(), quote!(rt::decode_wrapped::<#value>))
        }
    };
    let params = op.parameters.iter().map(|p| {
        let arg = ident(&p.ident);
        let ty = super::tokens::value_type(&p.ty, 0);
        quote!(#arg: #ty)
    });
    let sets = op.parameters.iter().map(|p| {
        let arg = ident(&p.ident);
        let wire = &p.wire;
        quote!(body.set(#wire, &#arg);)
    });
    let parts = op.parameters.iter().map(|p| {
        let arg = ident(&p.ident);
        let wire = &p.wire;
        quote!((#wire, &#arg as &dyn rt::EntityKey))
    });
    match op.kind {
        crate::ir::OperationKind::Action => quote! {
            #docs
            pub fn #method(&self, #(#params),*) -> rt::Request<#output> {
                #[allow(unused_mut)]
                let mut body = rt::PayloadFields::new();
                #(#sets)*
                let target = rt::Target::Relative { path: #name.to_owned(), query: ::std::string::String::new() };
                rt::Request::new(self.api.clone(), rt::Method::Post, target, rt::OperationKind::Action, #decoder)
                    .with_body("application/json", body.to_json())
            }
        },
        crate::ir::OperationKind::Function => quote! {
            #docs
            pub fn #method(&self, #(#params),*) -> rt::Request<#output> {
                let path = ::std::format!("{}({})", #name, rt::key_predicate(&[#(#parts),*]));
                let target = rt::Target::Relative { path, query: ::std::string::String::new() };
                rt::Request::new(self.api.clone(), rt::Method::Get, target, rt::OperationKind::Read, #decoder)
            }
        },
    }
}
