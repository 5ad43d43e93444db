//! The path types of an entity type's sets: one to a collection
//! (`CustomersPath`) and one to an entity of it (`CustomerPath`), each
//! holding the runtime's untyped path privately, with its own methods and
//! its own rustdoc page. Reading and writing delegate to the runtime;
//! navigation, key access, operations and streams are the entity's own.
//! The method names every path type has come from
//! `plan::naming::path_methods`, the ones the plan kept the entity's own
//! methods off.

use proc_macro2::TokenStream;
use quote::quote;

use super::entity::{alternate_key_predicate, key_arguments, shortened_key_predicate};
use super::operations::{Receiver, call_type, operation_method};
use super::plan::naming::path_methods as names;
use super::plan::{EntityPlan, NavPlan, SetPlan};
use super::tokens::{braced, concat, doc, doc_text, entity_module, ident, std_name};

/// The path types of every set of `entity`, `depth` modules below the API module.
pub fn render(entity: &EntityPlan, depth: usize) -> TokenStream {
    let mut out = concat(entity.sets.iter().map(|set| set_paths(entity, set, depth)));
    // Call types are generic over the set, so one serves every set's paths.
    out.extend(concat(entity.actions.iter().filter_map(|op| call_type(op, depth, Receiver::Entity))));
    out.extend(concat(entity.collection_actions.iter().filter_map(|op| call_type(op, depth, Receiver::Collection))));
    out
}

fn set_paths(entity: &EntityPlan, set: &SetPlan, depth: usize) -> TokenStream {
    let marker = ident(&set.marker);
    let entity_path = ident(&set.entity_path);
    // A singleton has no collection: only its entity path gets the impls.
    let paths_impl = match &set.collection_path {
        Some(collection) => {
            let collection = ident(collection);
            quote!(rt::__private::set_paths!(#marker, #collection, #entity_path);)
        }
        None => quote!(rt::__private::entity_path!(#marker, #entity_path);),
    };
    let single = entity_path_type(entity, set, depth);
    let collection = set.collection_path.as_ref().map(|name| collection_path_type(entity, set, name, depth));
    let mut out = concat(collection);
    out.extend(single);
    out.extend(paths_impl);
    out
}

/// How the docs write a set's collection URL and one entity's URL.
fn urls(set: &SetPlan) -> (String, String) {
    match (set.synthetic, set.singleton) {
        (true, _) => ("…".to_owned(), "…(…)".to_owned()),
        (_, true) => (set.name.clone(), set.name.clone()),
        _ => (set.name.clone(), format!("{}(…)", set.name)),
    }
}

fn collection_path_type(entity: &EntityPlan, set: &SetPlan, name: &str, depth: usize) -> TokenStream {
    let path = ident(name);
    let marker = ident(&set.marker);
    let entity_name = ident(&entity.struct_name);
    let entity_path = ident(&set.entity_path);
    let (collection_url, _) = urls(set);
    let [list, count, create, key, raw, url] =
        [names::LIST, names::COUNT, names::CREATE, names::KEY, names::RAW, names::URL].map(ident);
    let std_string = std_name("string", "String");
    let mut methods = quote! {
        /// Reads the collection: add `filter`, `order_by`, `select`,
        /// `expand`, `top`, then `collect()` it, `stream()` it, or read it
        /// page by page. `select_as::<Row>()` reads rows of a projection
        /// (the runtime's `projection!`) that hold only the properties they select.
        pub fn #list(&self) -> rt::ListQuery<#marker> {
            self.0.list()
        }

        /// The number of entities (`…/$count`).
        pub fn #count(&self) -> rt::Request<u64> {
            self.0.count()
        }
    };
    if set.capabilities.can_insert() {
        let payload = ident(&entity.create_name);
        methods.extend(quote! {
            /// Creates an entity (`POST`); the service answers with it,
            /// its key and ETag filled in. Related entities set in the
            /// payload are created with it (deep insert).
            pub fn #create(&self, entity: #payload) -> rt::Request<#entity_name> {
                self.0.create(entity)
            }
        });
    }
    if !entity.key.is_empty() {
        let key_struct = entity.key_struct.as_ref().map(|name| {
            let name = ident(name);
            quote!(#name)
        });
        let (params, value) = key_arguments(&entity.key, key_struct, depth);
        let line = doc_text(&format!(" One entity of the collection, by key: `…/{collection_url}(…)`."));
        methods.extend(quote! {
            #[doc = #line]
            pub fn #key(&self, #(#params),*) -> #entity_path {
                #entity_path(self.0.key_path(&#value))
            }
        });
    }
    for alternate in &entity.alternate_keys {
        let method = ident(&alternate.method);
        let (params, _) = key_arguments(&alternate.parts, None, depth);
        let predicate = alternate_key_predicate(&alternate.parts, depth);
        let keys: Vec<String> = alternate.parts.iter().map(|p| format!("`{}`", p.wire)).collect();
        let line = doc_text(&format!(
            " One entity by its alternate key {}: `…/{collection_url}({}=…)`.",
            keys.join(", "),
            alternate.parts.first().map_or("", |p| p.wire.as_str())
        ));
        methods.extend(quote! {
            #[doc = #line]
            pub fn #method(&self, #(#params),*) -> #entity_path {
                #entity_path(self.0.alternate_key_path(&#predicate))
            }
        });
    }
    if entity.derived {
        methods.extend(cast(&entity_name, false));
    }
    let set_marker = quote!(#marker);
    methods.extend(concat(
        entity.collection_actions.iter().map(|op| operation_method(op, depth, &quote!(self.0), Some(&set_marker))),
    ));
    methods.extend(quote! {
        /// The runtime's untyped path, for requests the typed API does not offer.
        pub fn #raw(&self) -> &rt::CollectionPath<#marker> {
            &self.0
        }

        /// The absolute URL of the collection.
        pub fn #url(&self) -> #std_string {
            self.0.url()
        }
    });
    let methods = braced(methods);
    let docs = doc(&[
        format!("The collection `{}`: `…/{collection_url}`, of `{}` entities.", set.name, entity.qualified),
        String::new(),
        format!("Read it with [`{}`]({name}::{}), address one entity by key.", names::LIST, names::LIST),
    ]);
    quote! {
        #docs
        #[derive(Debug, Clone)]
        pub struct #path(rt::CollectionPath<#marker>);

        impl #path #methods
    }
}

fn entity_path_type(entity: &EntityPlan, set: &SetPlan, depth: usize) -> TokenStream {
    let path = ident(&set.entity_path);
    let marker = ident(&set.marker);
    let entity_name = ident(&entity.struct_name);
    let (_, one_url) = urls(set);
    let [get, update, update_unconditionally, delete, delete_unconditionally, raw, url] = [
        names::GET,
        names::UPDATE,
        names::UPDATE_UNCONDITIONALLY,
        names::DELETE,
        names::DELETE_UNCONDITIONALLY,
        names::RAW,
        names::URL,
    ]
    .map(ident);
    let std_string = std_name("string", "String");
    let mut methods = quote! {
        /// Reads the entity; add `select` or `expand` on the query, then `.await` it.
        /// `select_as::<Row>()` reads a projection (the runtime's `projection!`) instead.
        pub fn #get(&self) -> rt::GetQuery<#marker> {
            self.0.get()
        }
    };
    if set.capabilities.can_update() {
        let payload = ident(&entity.update_name);
        methods.extend(quote! {
            /// Changes the entity (`PATCH` with `If-Match: <current ETag>`).
            /// If someone changed it since `current` was read, the service
            /// refuses and the result is `Error::StaleEtag`.
            pub fn #update(&self, current: &impl rt::IfMatch, changes: #payload) -> rt::Request<#entity_name> {
                self.0.update(current, changes)
            }

            /// Changes the entity whatever its current version (`If-Match: *`).
            /// This can overwrite someone else's change; prefer `update`.
            pub fn #update_unconditionally(&self, changes: #payload) -> rt::Request<#entity_name> {
                self.0.update_unconditionally(changes)
            }
        });
    }
    if set.capabilities.can_delete() {
        methods.extend(quote! {
            /// Deletes the entity (`DELETE` with `If-Match: <current ETag>`).
            pub fn #delete(&self, current: &impl rt::IfMatch) -> rt::Request<()> {
                self.0.delete(current)
            }

            /// Deletes the entity whatever its current version (`If-Match: *`).
            pub fn #delete_unconditionally(&self) -> rt::Request<()> {
                self.0.delete_unconditionally()
            }
        });
    }
    methods.extend(concat(entity.navigations.iter().map(|nav| navigation(nav, &one_url, depth))));
    let set_marker = quote!(#marker);
    methods.extend(concat(
        entity.actions.iter().map(|op| operation_method(op, depth, &quote!(self.0), Some(&set_marker))),
    ));
    for stream in &entity.streams {
        let method = ident(&stream.method);
        let wire = &stream.wire;
        let line = doc_text(&format!(
            " The content of the stream property `{wire}` (download and upload): `…/{one_url}/{wire}`."
        ));
        methods.extend(quote! {
            #[doc = #line]
            pub fn #method(&self) -> rt::MediaPath {
                self.0.media(#wire)
            }
        });
    }
    if let Some(media) = &entity.media_method {
        let method = ident(media);
        methods.extend(quote! {
            /// The entity's media content (`…/$value`).
            pub fn #method(&self) -> rt::MediaPath {
                self.0.media("$value")
            }
        });
    }
    if entity.derived {
        methods.extend(cast(&entity_name, true));
    }
    methods.extend(quote! {
        /// The runtime's untyped path, for requests the typed API does not offer.
        pub fn #raw(&self) -> &rt::EntityPath<#marker> {
            &self.0
        }

        /// The absolute URL of the entity.
        pub fn #url(&self) -> #std_string {
            self.0.url()
        }
    });
    let methods = braced(methods);
    let what = if set.singleton {
        format!("The singleton `{}`: `…/{one_url}`, a `{}`.", set.name, entity.qualified)
    } else {
        format!("One `{}` of `{}`: `…/{one_url}`.", entity.qualified, set.name)
    };
    let docs =
        doc(&[what, String::new(), format!("Read it with [`{}`]({}::{}).", names::GET, set.entity_path, names::GET)]);
    quote! {
        #docs
        #[derive(Debug, Clone)]
        pub struct #path(rt::EntityPath<#marker>);

        impl #path #methods
    }
}

/// A navigation method: the path to the related collection or entity, and
/// for a collection an accessor of one of its entities by key.
fn navigation(nav: &NavPlan, one_url: &str, depth: usize) -> TokenStream {
    let method = ident(&nav.path_method);
    let wire = &nav.wire;
    let module = entity_module(nav.target.namespace.as_deref(), &nav.target.module, depth);
    let target = ident(&nav.target.set_marker);
    let target_entity = ident(&nav.target.entity_path);
    let mut lines = nav.docs.clone();
    lines.push(String::new());
    lines.push(format!("URL: `…/{one_url}/{wire}`."));
    let docs = doc(&lines);
    let collection = nav.target.collection_path.as_ref().filter(|_| nav.collection);
    let Some(collection) = collection else {
        return quote! {
            #docs
            pub fn #method(&self) -> #module::#target_entity {
                #module::#target_entity::from(self.0.single::<#module::#target>(#wire))
            }
        };
    };
    let collection = ident(collection);
    let by_key = nav.key_method.as_ref().filter(|_| !nav.target_key.is_empty()).map(|key_method| {
        let key_method = ident(key_method);
        let key_struct = nav.target_key_struct.as_ref().map(|name| {
            let name = ident(name);
            quote!(#module::#name)
        });
        let (params, value) = key_arguments(&nav.target_key, key_struct, depth);
        if nav.implied_key.is_empty() {
            let line = doc_text(&format!(" One entity of `{wire}`, by key: `…/{one_url}/{wire}(…)`."));
            return quote! {
                #[doc = #line]
                pub fn #key_method(&self, #(#params),*) -> #module::#target_entity {
                    #module::#target_entity::from(self.0.collection::<#module::#target>(#wire).key_path(&#value))
                }
            };
        }
        let predicate = shortened_key_predicate(&nav.target_key, depth);
        let implied: Vec<String> = nav.implied_key.iter().map(|k| format!("`{k}`")).collect();
        let lines = [
            format!("One entity of `{wire}`, by the rest of its key: `…/{one_url}/{wire}(…)`."),
            String::new(),
            format!(
                "The key part{} {} come{} from this entity (the navigation's referential constraint), so the URL leaves {} out.",
                if implied.len() == 1 { "" } else { "s" },
                implied.join(", "),
                if implied.len() == 1 { "s" } else { "" },
                if implied.len() == 1 { "it" } else { "them" },
            ),
        ];
        let docs = doc(&lines);
        quote! {
            #docs
            pub fn #key_method(&self, #(#params),*) -> #module::#target_entity {
                #module::#target_entity::from(self.0.collection::<#module::#target>(#wire).alternate_key_path(&#predicate))
            }
        }
    });
    quote! {
        #docs
        pub fn #method(&self) -> #module::#collection {
            #module::#collection::from(self.0.collection::<#module::#target>(#wire))
        }
        #by_key
    }
}

/// `cast::<T>()`: the same path narrowed to a derived type `T` (a type-cast
/// segment), with `T`'s own path type.
fn cast(entity: &proc_macro2::Ident, single: bool) -> TokenStream {
    let method = ident(names::CAST);
    if single {
        quote! {
            /// This entity as the derived type `T` (a type-cast segment,
            /// `…(key)/Namespace.Type`); reading it fails if it is not one.
            pub fn #method<T: rt::SetPaths>(&self) -> T::Single
            where
                T::Entity: rt::DerivedFrom<#entity>,
            {
                T::Single::from(self.0.cast::<T>())
            }
        }
    } else {
        quote! {
            /// Only the entities of a derived type `T` (a type-cast
            /// segment, `…/Namespace.Type`), with `T`'s properties for filters.
            pub fn #method<T: rt::SetPaths>(&self) -> T::Collection
            where
                T::Entity: rt::DerivedFrom<#entity>,
            {
                T::Collection::from(self.0.cast::<T>())
            }
        }
    }
}
