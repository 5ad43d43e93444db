//! One module per entity type: the entity struct, its create and update
//! payloads, property and navigation handles, entity-set markers with their
//! capabilities, and its path types (`paths`).

use proc_macro2::TokenStream;
use quote::quote;

use super::plan::naming::Scope;
use super::plan::{EntityPlan, FieldPlan, KeyPart, NavPlan};
use super::structured::{self, Structure};
use super::tokens::{
    argument, braced, concat, doc, doc_text, entity_module, field_type, ident, std_name, up, value_type,
};

/// The module of one entity type, `depth` modules below the API module.
pub fn render(entity: &EntityPlan, depth: usize) -> TokenStream {
    let structure = structured::render(&Structure {
        name: &entity.struct_name,
        type_name: entity.qualified.to_string(),
        docs: &entity.docs,
        fields: &entity.fields,
        navigations: &entity.navigations,
        etag_field: Some(&entity.etag_field),
        extra_field: &entity.extra_field,
        constructible: false,
        derive_default: false,
        depth,
    });
    let entity_impl = entity_trait(entity, depth);
    let key = key_struct(entity, depth);
    let sets = entity.sets.iter().map(|set| set_marker(entity, set, depth));
    let payloads = payloads(entity, depth);
    let handles = handles(entity);
    let fields_module = fields_module(entity, depth);
    let paths = super::paths::render(entity, depth);
    let name = ident(&entity.struct_name);
    let derived = entity.ancestors.iter().map(|ancestor| {
        let ancestor = value_type(ancestor, depth);
        quote!(impl rt::DerivedFrom<#ancestor> for #name {})
    });
    let mut file = concat([structure, entity_impl]);
    file.extend(derived);
    file.extend([key]);
    file.extend(sets);
    file.extend([payloads, handles, fields_module]);
    file.extend([paths]);
    file
}

fn entity_trait(entity: &EntityPlan, depth: usize) -> TokenStream {
    let std_option = std_name("option", "Option");
    let service = up(depth);
    let service = quote!(#service Service);
    let name = ident(&entity.struct_name);
    let type_name = entity.qualified.to_string();
    let etag = ident(&entity.etag_field);
    let selected = &entity.always_selected;
    quote! {
        impl rt::Entity for #name {
            type Service = #service;
            const TYPE_NAME: &'static str = #type_name;
            const ALWAYS_SELECTED: &'static [&'static str] = &[#(#selected),*];

            fn etag(&self) -> #std_option<&rt::ETag> {
                self.#etag.as_ref()
            }
        }
    }
}

/// The Rust type of the key: the key property's type, or a generated struct.
fn key_type(entity: &EntityPlan, depth: usize) -> TokenStream {
    match (&entity.key_struct, entity.key.as_slice()) {
        (Some(name), _) => {
            let name = ident(name);
            quote!(#name)
        }
        (None, [single]) => value_type(&single.ty, depth),
        // A type without a key is never addressed by key: no value of it exists.
        (None, _) => quote!(rt::NoKey),
    }
}

fn key_struct(entity: &EntityPlan, depth: usize) -> TokenStream {
    let std_string = std_name("string", "String");
    let Some(name) = &entity.key_struct else { return TokenStream::new() };
    let name = ident(name);
    let doc_line = doc_text(&format!(
        "The key of `{}`: {}.",
        entity.qualified,
        entity.key.iter().map(|k| format!("`{}`", k.wire)).collect::<Vec<_>>().join(", ")
    ));
    let fields = entity.key.iter().map(|k| {
        let field = ident(&k.ident);
        let ty = value_type(&k.ty, depth);
        let line = doc_text(&format!(" `{}`", k.wire));
        quote!(#[doc = #line] pub #field: #ty,)
    });
    let parts = entity.key.iter().map(|k| {
        let field = ident(&k.ident);
        let wire = &k.wire;
        quote!((#wire, &self.#field as &dyn rt::EntityKey))
    });
    quote! {
        #[doc = #doc_line]
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#fields)*
        }

        impl rt::EntityKey for #name {
            fn write_key(&self, out: &mut #std_string) {
                out.push_str(&rt::__private::key_predicate(&[#(#parts),*]));
            }
        }
    }
}

fn set_marker(entity: &EntityPlan, set: &super::plan::SetPlan, depth: usize) -> TokenStream {
    let marker = ident(&set.marker);
    let name = ident(&entity.struct_name);
    let create = ident(&entity.create_name);
    let update = ident(&entity.update_name);
    let key = key_type(entity, depth);
    let wire = &set.name;
    let docs = doc(&set.docs);
    let caps = &set.capabilities;
    let insert = caps.can_insert().then(|| quote!(impl rt::Insertable for #marker { type Create = #create; }));
    let update = caps.can_update().then(|| quote!(impl rt::Updatable for #marker { type Update = #update; }));
    let delete = caps.can_delete().then(|| quote!(impl rt::Deletable for #marker {}));
    let sort = caps.can_sort().then(|| quote!(impl rt::Sortable for #marker {}));
    let filter = caps.can_filter().then(|| quote!(impl rt::Filterable for #marker {}));
    quote! {
        #docs
        #[derive(Debug, Clone, Copy)]
        pub enum #marker {}

        impl rt::EntitySet for #marker {
            type Entity = #name;
            type Key = #key;
            const NAME: &'static str = #wire;
        }
        #insert
        #update
        #delete
        #sort
        #filter
    }
}

fn setter(entity: &EntityPlan, field: &FieldPlan, depth: usize) -> TokenStream {
    let method = ident(&field.setter);
    let wire = &field.wire;
    let value = quote::format_ident!("value");
    let (param, convert) = argument(&field.ty, depth, &value);
    let docs =
        doc(&[format!("Sets `{wire}` (see [`{}::{}`]).", entity.struct_name, field.ident.trim_start_matches("r#"))]);
    quote! {
        #docs
        pub fn #method(mut self, value: #param) -> Self {
            self.fields.set(#wire, &#convert);
            self
        }
    }
}

fn payloads(entity: &EntityPlan, depth: usize) -> TokenStream {
    let name = ident(&entity.struct_name);
    let mut out = TokenStream::new();
    if entity.insertable() {
        let create = ident(&entity.create_name);
        let required: Vec<&FieldPlan> = entity.fields.iter().filter(|f| f.required_on_create).collect();
        // `fields` is the constructor's own local.
        let mut arguments = Scope::with_reserved(&["fields"]);
        let arguments: Vec<proc_macro2::Ident> =
            required.iter().map(|f| ident(&arguments.claim(f.ident.trim_start_matches("r#"), "_value"))).collect();
        let params = required.iter().zip(&arguments).map(|(f, arg)| {
            let (ty, _) = argument(&f.ty, depth, arg);
            quote!(#arg: #ty)
        });
        let sets = required.iter().zip(&arguments).map(|(f, arg)| {
            let wire = &f.wire;
            let (_, convert) = argument(&f.ty, depth, arg);
            quote!(fields.set(#wire, &#convert);)
        });
        let setters = entity
            .fields
            .iter()
            .filter(|f| f.settable_on_create && !f.required_on_create)
            .map(|f| setter(entity, f, depth));
        let deep = entity.navigations.iter().filter_map(|n| deep_insert(n, depth));
        let mut methods = quote! {
            /// A payload with the values the service requires.
            #[allow(clippy::new_without_default)]
            pub fn new(#(#params),*) -> Self {
                #[allow(unused_mut)]
                let mut fields = rt::PayloadFields::new();
                #(#sets)*
                #create { fields }
            }
        };
        methods.extend(setters);
        methods.extend(deep);
        let methods = braced(methods);
        let mut lines = vec![
            format!("The body for creating a `{}`.", entity.qualified),
            String::new(),
            "Values the service requires are constructor arguments; the others are setters. Properties that are never set are not sent, so the service applies its defaults.".to_owned(),
        ];
        if entity.navigations.iter().any(|n| n.deep_insert_setter.is_some()) {
            lines.push("Related entities can be created in the same request (deep insert).".to_owned());
        }
        let docs = doc(&lines);
        let common = payload_common(&create, &name, quote!(rt::SettableOnCreate), "may be set when creating");
        let serde = payload_serde(entity, &create, "create", |f| f.settable_on_create, depth);
        out.extend(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq)]
            pub struct #create {
                fields: rt::PayloadFields,
            }

            impl #create #methods
            #common
            #serde
        });
    }
    if entity.updatable() {
        let update = ident(&entity.update_name);
        let setters = entity.fields.iter().filter(|f| f.settable_on_update).map(|f| setter(entity, f, depth));
        let mut methods = quote! {
            /// No changes yet.
            pub fn new() -> Self {
                Self::default()
            }
        };
        methods.extend(setters);
        let methods = braced(methods);
        let docs = doc(&[
            format!("The changes for updating a `{}` (sent as `PATCH`).", entity.qualified),
            String::new(),
            "Only what is set is sent: a property that is not set stays unchanged, `set_null` clears a nullable one."
                .to_owned(),
        ]);
        let common = payload_common(&update, &name, quote!(rt::SettableOnUpdate), "may be changed by an update");
        let serde = payload_serde(entity, &update, "update", |f| f.settable_on_update, depth);
        out.extend(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Default)]
            pub struct #update {
                fields: rt::PayloadFields,
            }

            impl #update #methods
            #common
            #serde
        });
    }
    out
}

/// The serde impls of a payload: the properties `settable` picks, the
/// constructor's arguments required and, for a create, deep inserts.
fn payload_serde(
    entity: &EntityPlan,
    payload: &proc_macro2::Ident,
    kind: &str,
    settable: fn(&FieldPlan) -> bool,
    depth: usize,
) -> TokenStream {
    let create = kind == "create";
    let related = entity.navigations.iter().filter(|n| create && n.deep_insert_setter.is_some()).map(|n| {
        let module = entity_module(n.target.namespace.as_deref(), &n.target.module, depth);
        let target = quote::format_ident!("{}Create", n.target.entity);
        (n.wire.as_str(), quote!(#module::#target))
    });
    structured::payload_serde(&structured::PayloadSerde {
        name: payload,
        expecting: format!("a {} {kind} payload", entity.qualified),
        required: entity.fields.iter().filter(|f| create && f.required_on_create).map(|f| f.wire.as_str()).collect(),
        properties: entity
            .fields
            .iter()
            .filter(|f| settable(f))
            .map(|f| (f.wire.as_str(), f.marker.as_str()))
            .collect(),
        related: related.collect(),
    })
}

/// What create and update payloads share: setting any allowed property by
/// its handle (the marker trait decides which are allowed), setting `null`,
/// reading back what was set, and the `Payload` impl.
fn payload_common(
    payload: &proc_macro2::Ident,
    entity: &proc_macro2::Ident,
    settable: TokenStream,
    allowed: &str,
) -> TokenStream {
    let std_into = std_name("convert", "Into");
    let std_string = std_name("string", "String");
    let set_doc = doc_text(&format!(" Sets any property that {allowed}, by its handle."));
    let null_doc = doc_text(&format!(" Sets a nullable property that {allowed} to `null`."));
    quote! {
        impl #payload {
            #[doc = #set_doc]
            pub fn set<P>(mut self, property: rt::Prop<P>, value: impl #std_into<P::Inner>) -> Self
            where
                P: #settable + rt::Property<Entity = #entity>,
                P::Inner: rt::Edm,
            {
                self.fields.set(property.name(), &value.into());
                self
            }

            #[doc = #null_doc]
            pub fn set_null<P>(mut self, property: rt::Prop<P>) -> Self
            where
                P: #settable + rt::Property<Entity = #entity>,
                P::Value: rt::IsNullable,
            {
                self.fields.set_null(property.name());
                self
            }

            /// The properties set so far (what will be sent).
            pub fn fields(&self) -> &rt::PayloadFields {
                &self.fields
            }
        }

        impl rt::Payload for #payload {
            type Entity = #entity;
            fn to_json(&self) -> #std_string {
                self.fields.to_json()
            }
        }
    }
}

fn deep_insert(nav: &NavPlan, depth: usize) -> Option<TokenStream> {
    let std_into_iterator = std_name("iter", "IntoIterator");
    let std_vec = std_name("vec", "Vec");
    let setter = ident(nav.deep_insert_setter.as_ref()?);
    let module = entity_module(nav.target.namespace.as_deref(), &nav.target.module, depth);
    let create = quote::format_ident!("{}Create", nav.target.entity);
    let wire = &nav.wire;
    let line = doc_text(&format!(" Creates these `{}` together with this entity (deep insert).", nav.wire));
    Some(quote! {
        #[doc = #line]
        pub fn #setter(mut self, related: impl #std_into_iterator<Item = #module::#create>) -> Self {
            let related: #std_vec<_> = related.into_iter().collect();
            self.fields.set_json(#wire, rt::__private::json_array(&related));
            self
        }
    })
}

fn handles(entity: &EntityPlan) -> TokenStream {
    let properties = entity.fields.iter().map(|f| {
        let handle = ident(&f.handle);
        let marker = ident(&f.marker);
        let docs = doc(&[format!(
            "The `{}` property, for filters, `select` and ordering (see [`{}::{}`]).",
            f.wire,
            entity.struct_name,
            f.ident.trim_start_matches("r#")
        )]);
        quote! {
            #docs
            pub const fn #handle() -> rt::Prop<fields::#marker> {
                rt::Prop::new()
            }
        }
    });
    let navigations = entity.navigations.iter().map(|n| {
        let handle = ident(&n.handle);
        let marker = ident(&n.marker);
        let docs = doc(&[format!("The `{}` navigation property, for `expand`.", n.wire)]);
        quote! {
            #docs
            pub const fn #handle() -> rt::Nav<fields::#marker> {
                rt::Nav::new()
            }
        }
    });
    concat(properties.chain(navigations))
}

fn fields_module(entity: &EntityPlan, depth: usize) -> TokenStream {
    let name = ident(&entity.struct_name);
    let properties = entity.fields.iter().map(|f| {
        let marker = ident(&f.marker);
        let wire = &f.wire;
        let value = field_type(&f.ty, f.nullable, f.boxed, depth + 1);
        let inner = value_type(&f.ty, depth + 1);
        let line = doc_text(&format!(" The `{wire}` property of `{}`.", entity.qualified));
        let create = f.settable_on_create.then(|| quote!(impl rt::SettableOnCreate for #marker {}));
        let update = f.settable_on_update.then(|| quote!(impl rt::SettableOnUpdate for #marker {}));
        quote! {
            #[doc = #line]
            #[derive(Debug, Clone, Copy)]
            pub struct #marker;

            impl rt::Property for #marker {
                type Entity = super::#name;
                type Value = #value;
                type Inner = #inner;
                const NAME: &'static str = #wire;
            }
            impl rt::PropertyOf<super::#name> for #marker {}
            #create
            #update
        }
    });
    let navigations = entity.navigations.iter().map(|n| {
        let marker = ident(&n.marker);
        let wire = &n.wire;
        let module = entity_module(n.target.namespace.as_deref(), &n.target.module, depth + 1);
        let target = ident(&n.target.set_marker);
        let cardinality = if n.collection { quote!(rt::Many) } else { quote!(rt::One) };
        let line = doc_text(&format!(" The `{wire}` navigation property of `{}`.", entity.qualified));
        quote! {
            #[doc = #line]
            #[derive(Debug, Clone, Copy)]
            pub struct #marker;

            impl rt::Navigation for #marker {
                type Source = super::#name;
                type Target = #module::#target;
                type Cardinality = #cardinality;
                const NAME: &'static str = #wire;
            }
            impl rt::__private::ProjectedField for #marker {
                type Value = rt::__private::NotAProperty;
                const NAME: &'static str = #wire;
            }
        }
    });
    let line =
        doc_text(&format!(" Marker types for the properties and navigation properties of `{}`.", entity.qualified));
    // A type without properties (some keyless singleton types) has no markers.
    let runtime = (!entity.fields.is_empty() || !entity.navigations.is_empty()).then(|| {
        quote!(
            use super::rt;
        )
    });
    let mut markers = runtime.unwrap_or_default();
    markers.extend(properties);
    markers.extend(navigations);
    let markers = braced(markers);
    quote! {
        #[doc = #line]
        pub mod fields #markers
    }
}

/// Parameters of a by-key accessor and the key value they build.
pub fn key_arguments(
    parts: &[KeyPart],
    key_struct: Option<TokenStream>,
    depth: usize,
) -> (Vec<TokenStream>, TokenStream) {
    let std_string = std_name("string", "String");
    let params = parts
        .iter()
        .map(|k| {
            let arg = ident(&k.ident);
            let (ty, _) = argument(&k.ty, depth, &arg);
            quote!(#arg: #ty)
        })
        .collect();
    let converted: Vec<TokenStream> = parts
        .iter()
        .map(|k| {
            let arg = ident(&k.ident);
            argument(&k.ty, depth, &arg).1
        })
        .collect();
    let value = match (key_struct, parts) {
        (Some(name), _) => {
            let fields = parts.iter().zip(&converted).map(|(k, c)| {
                let field = ident(&k.ident);
                // Field shorthand when the argument already has the field's name and type.
                if field == c.to_string() { quote!(#field) } else { quote!(#field: #c) }
            });
            quote!(#name { #(#fields),* })
        }
        (None, [_]) => converted.into_iter().next().unwrap_or_default(),
        (None, _) => quote!(#std_string::new()),
    };
    (params, value)
}

/// `name=value,…` for an alternate key accessor.
pub fn alternate_key_predicate(parts: &[KeyPart], depth: usize) -> TokenStream {
    predicate(parts, depth, quote!(key_predicate))
}

/// The key predicate of a related entity without the parts its navigation
/// implies: the value alone for one part, else `name=value,…`.
pub fn shortened_key_predicate(parts: &[KeyPart], depth: usize) -> TokenStream {
    predicate(parts, depth, quote!(shortened_key_predicate))
}

fn predicate(parts: &[KeyPart], depth: usize, runtime_fn: TokenStream) -> TokenStream {
    let items = parts.iter().map(|k| {
        let arg = ident(&k.ident);
        let wire = &k.wire;
        let convert = argument(&k.ty, depth, &arg).1;
        let ty = value_type(&k.ty, depth);
        quote!((#wire, &{ let value: #ty = #convert; value } as &dyn rt::EntityKey))
    });
    quote!(rt::__private::#runtime_fn(&[#(#items),*]))
}
