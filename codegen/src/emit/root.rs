//! The API module's root (`mod.rs`): the service marker, the entry point
//! with the sets reachable from the API root, and the path wrappers the
//! entity modules add navigation methods to.

use proc_macro2::TokenStream;
use quote::quote;

use super::entity::{key_arguments, operation_method};
use super::plan::ApiPlan;
use super::tokens::{doc, entity_module, ident, std_name};
use crate::customize::Customization;

/// The API module; `modules` are the modules it declares (entity modules,
/// or namespace modules when the service's types span several namespaces).
pub fn render(plan: &ApiPlan, modules: &[String], customization: &dyn Customization) -> TokenStream {
    let std_clone = std_name("clone", "Clone");
    let std_into = std_name("convert", "Into");
    let route = &plan.route;
    // URLs in the docs, relative to the client's base URL.
    let at = if route.is_empty() { String::new() } else { format!("{route}/") };
    let lambda = plan.lambda_operators.then(|| quote!(impl rt::LambdaOperators for Service {}));
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
        let set = &root.set;
        let key_struct = plan
            .entities
            .iter()
            .find(|e| e.qualified == root.target.qualified)
            .and_then(|e| e.key_struct.as_ref())
            .map(|name| {
                let name = ident(name);
                quote!(#module::#name)
            });
        let (params, key_value) = key_arguments(&root.key, key_struct, 0);
        let collection_doc = format!(" The entity set `{set}` (`{at}{set}`).");
        let key_doc = format!(" One entity of `{set}` by key (`{at}{set}(…)`).");
        let by_key = root.key_method.as_ref().map(|key_method| {
            let key_method = ident(key_method);
            quote! {
                #[doc = #key_doc]
                pub fn #key_method(&self, #(#params),*) -> EntityPath<#module::#marker> {
                    self.#collection().key(#key_value)
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
            let line =
                format!(" One entity of `{set}` by its alternate key {} (`{set}({first}=…)`).", names.join(", "));
            quote! {
                #[doc = #line]
                pub fn #method(&self, #(#params),*) -> EntityPath<#module::#marker> {
                    self.#collection().#collection_method(#(#args),*)
                }
            }
        });
        quote! {
            #[doc = #collection_doc]
            pub fn #collection(&self) -> CollectionPath<#module::#marker> {
                CollectionPath(rt::CollectionPath::new(self.api.clone(), #set))
            }

            #by_key
            #(#alternates)*
        }
    });
    let singletons = plan.singletons.iter().map(|singleton| {
        let method = ident(&singleton.method);
        let module = entity_module(singleton.target.namespace.as_deref(), &singleton.target.module, 0);
        let marker = ident(&singleton.target.set_marker);
        let name = &singleton.name;
        let line = format!(" The singleton `{name}` (`{at}{name}`).");
        quote! {
            #[doc = #line]
            pub fn #method(&self) -> EntityPath<#module::#marker> {
                EntityPath(rt::EntityPath::new(self.api.clone(), #name))
            }
        }
    });
    let casts = plan.has_derived_entities().then(|| {
        quote! {
            impl<S: rt::EntitySet> CollectionPath<S> {
                /// Only the entities of a derived type `T` (a type-cast segment,
                /// `…/Namespace.Type`), with `T`'s properties for filters.
                pub fn cast<T: rt::EntitySet>(&self) -> CollectionPath<T>
                where
                    T::Entity: rt::DerivedFrom<S::Entity>,
                {
                    CollectionPath(self.0.cast())
                }
            }

            impl<S: rt::EntitySet> EntityPath<S> {
                /// This entity as its derived type `T` (a type-cast segment,
                /// `…(key)/Namespace.Type`); reading it fails if it is not one.
                pub fn cast<T: rt::EntitySet>(&self) -> EntityPath<T>
                where
                    T::Entity: rt::DerivedFrom<S::Entity>,
                {
                    EntityPath(self.0.cast())
                }
            }
        }
    });
    let extra_methods = customization.api_methods(plan);
    let imports = plan.imports.iter().map(|op| operation_method(op, 0, &quote!(self.api)));
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

        impl<S> #std_clone for EntityPath<S> {
            fn clone(&self) -> Self {
                EntityPath(self.0.clone())
            }
        }

        impl<S> #std_clone for CollectionPath<S> {
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
            pub fn key(&self, key: impl #std_into<S::Key>) -> EntityPath<S> {
                EntityPath(self.0.key_path(&key.into()))
            }
        }
        #casts

        #type_modules
        #(#module_decls)*
    }
}
