//! Struct definitions and their JSON (de)serialization, shared by entity
//! and complex types. Deserialization is a hand-rolled map visitor: one
//! match arm per property, unknown keys kept in `additional_properties`,
//! `@odata.etag` and media annotations picked out, and no buffering of the
//! whole object (which `#[serde(flatten)]` would need); it reads the OData
//! JSON of the service and serde's data model of any other format alike.
//! Writing is one list of the fields (`rt::__private::Object::visit`) that
//! the runtime turns into OData JSON or serde calls. Payload types get
//! their serde impls here too.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::plan::{FieldPlan, NavPlan, RustType};
use super::tokens::{braced, concat, doc, entity_module, field_type, ident, std_name};

pub struct Structure<'a> {
    pub name: &'a str,
    pub type_name: String,
    pub docs: &'a [String],
    pub fields: &'a [FieldPlan],
    pub navigations: &'a [NavPlan],
    pub etag_field: Option<&'a str>,
    pub extra_field: &'a str,
    /// Entities are `#[non_exhaustive]`; complex values are built by users.
    pub constructible: bool,
    /// Whether the struct derives `Default` (every field has one).
    pub derive_default: bool,
    /// How many modules below the API module the struct is declared.
    pub depth: usize,
}

/// How a field is held while its object is being read.
enum Slot {
    /// Not nullable: missing means the object is invalid.
    Required,
    /// Nullable (or a collection, which defaults to empty).
    Optional,
    Collection,
    Stream,
}

fn slot(field: &FieldPlan) -> Slot {
    match &field.ty {
        RustType::Primitive(crate::ir::Primitive::Stream) => Slot::Stream,
        RustType::Collection(_) => Slot::Collection,
        _ if field.nullable => Slot::Optional,
        _ => Slot::Required,
    }
}

pub fn render(s: &Structure<'_>) -> TokenStream {
    let std_box = std_name("boxed", "Box");
    let std_option = std_name("option", "Option");
    let std_vec = std_name("vec", "Vec");
    let name = ident(s.name);
    let docs = doc(s.docs);
    let extra = ident(s.extra_field);
    let field_defs = s.fields.iter().map(|f| {
        let field = ident(&f.ident);
        let ty = field_type(&f.ty, f.nullable, f.boxed, s.depth);
        let docs = doc(&f.docs);
        quote! { #docs pub #field: #ty, }
    });
    let nav_defs = s.navigations.iter().map(|n| {
        let field = ident(&n.ident);
        let module = entity_module(n.target.namespace.as_deref(), &n.target.module, s.depth);
        let entity = ident(&n.target.entity);
        let target = quote!(#module::#entity);
        let ty =
            if n.collection { quote!(#std_option<#std_vec<#target>>) } else { quote!(#std_option<#std_box<#target>>) };
        let mut lines = n.docs.clone();
        lines.push(String::new());
        lines.push("Filled only when the navigation was expanded (`$expand`).".to_owned());
        let docs = doc(&lines);
        quote! { #docs pub #field: #ty, }
    });
    let etag_def = s.etag_field.map(|e| {
        let e = ident(e);
        quote! {
            /// The entity's version (`@odata.etag`), sent back in `If-Match` on updates and deletes.
            pub #e: #std_option<rt::ETag>,
        }
    });
    let attributes = if s.constructible && s.derive_default {
        quote!(#[derive(Debug, Clone, PartialEq, Default)])
    } else if s.constructible {
        quote!(#[derive(Debug, Clone, PartialEq)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)] #[non_exhaustive])
    };
    let extra_def = quote! {
        /// Properties the service sent that this type does not declare
        /// (for example fields added by extensions), kept as received.
        pub #extra: rt::AdditionalProperties,
    };
    let body = braced(concat(field_defs.chain(nav_defs).chain(etag_def).chain([extra_def])));
    concat([quote!(#docs #attributes pub struct #name #body), visitor(s), writer(s)])
}

fn local(name: &str) -> proc_macro2::Ident {
    format_ident!("v_{}", name.trim_start_matches("r#"))
}

fn visitor(s: &Structure<'_>) -> TokenStream {
    let std_option = std_name("option", "Option");
    let std_result = std_name("result", "Result");
    let std_string = std_name("string", "String");
    let std_vec = std_name("vec", "Vec");
    let name = ident(s.name);
    let visitor_name = format_ident!("{}Visitor", s.name);
    let expecting = format!("a {} object", s.type_name);
    let extra = ident(s.extra_field);
    let mut declarations = Vec::new();
    let mut arms = Vec::new();
    let mut inits = Vec::new();
    for f in s.fields {
        let var = local(&f.ident);
        let field = ident(&f.ident);
        let wire = f.wire.as_str();
        match slot(f) {
            Slot::Required => {
                declarations.push(quote!(let mut #var = None;));
                arms.push(quote!(#wire => #var = rt::__private::next_required(&mut map)?,));
                inits.push(quote!(#field: rt::__private::required(#var, #wire)?,));
            }
            Slot::Optional => {
                declarations.push(quote!(let mut #var = None;));
                arms.push(quote!(#wire => #var = rt::__private::next_nullable(&mut map)?,));
                inits.push(quote!(#field: #var,));
            }
            Slot::Collection => {
                declarations.push(quote!(let mut #var = #std_vec::new();));
                arms.push(quote!(#wire => #var = rt::__private::next_collection(&mut map)?,));
                inits.push(quote!(#field: #var,));
            }
            Slot::Stream => {
                declarations.push(quote!(let mut #var = rt::StreamLink::default();));
                for (annotation, target) in [
                    ("mediaReadLink", "read_link"),
                    ("mediaEditLink", "edit_link"),
                    ("mediaContentType", "content_type"),
                ] {
                    let long = format!("{wire}@odata.{annotation}");
                    let short = format!("{wire}@{annotation}");
                    let target = format_ident!("{}", target);
                    arms.push(quote!(#long | #short => #var.#target = map.next_value()?,));
                }
                let long = format!("{wire}@odata.mediaEtag");
                let short = format!("{wire}@mediaEtag");
                arms.push(quote!(#long | #short => #var.etag = map.next_value::<#std_option<#std_string>>()?.map(rt::ETag::new),));
                inits.push(quote!(#field: #var,));
            }
        }
    }
    for n in s.navigations {
        let var = local(&n.ident);
        let field = ident(&n.ident);
        let wire = n.wire.as_str();
        declarations.push(quote!(let mut #var = None;));
        arms.push(quote!(#wire => #var = rt::__private::next_nullable(&mut map)?,));
        inits.push(quote!(#field: #var,));
    }
    if let Some(etag) = s.etag_field {
        let var = local(etag);
        let field = ident(etag);
        declarations.push(quote!(let mut #var = None;));
        arms.push(quote!("@odata.etag" | "@etag" => #var = rt::__private::next_nullable(&mut map)?,));
        inits.push(quote!(#field: #var,));
    }
    arms.push(quote! {
        // Describes the response, not the entity: the same entity read
        // alone or in a list must compare equal.
        "@odata.context" | "@context" => {
            map.next_value::<rt::serde::de::IgnoredAny>()?;
        }
        _ => extra.insert(key.into_owned(), map.next_value()?),
    });
    inits.push(quote!(#extra: extra,));
    let arms = braced(concat(arms));
    let inits = braced(concat(inits));
    let mut body = concat(declarations);
    body.extend(quote! {
        let mut extra = rt::AdditionalProperties::new();
        while let Some(key) = map.next_key::<rt::__private::FieldName<'de>>()? {
            match key.as_str() #arms
        }
        Ok(#name #inits)
    });
    let body = braced(body);
    quote! {
        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> #std_result<Self, D::Error> {
                deserializer.deserialize_map(#visitor_name)
            }
        }

        struct #visitor_name;

        impl<'de> rt::serde::de::Visitor<'de> for #visitor_name {
            type Value = #name;

            fn expecting(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                formatter.write_str(#expecting)
            }

            fn visit_map<A: rt::serde::de::MapAccess<'de>>(self, mut map: A) -> #std_result<#name, A::Error> #body
        }
    }
}

fn writer(s: &Structure<'_>) -> TokenStream {
    let std_result = std_name("result", "Result");
    let std_string = std_name("string", "String");
    let name = ident(s.name);
    let rust_name = s.name;
    let extra = ident(s.extra_field);
    let etag = s.etag_field.map(|e| {
        let e = ident(e);
        quote!(fields.etag(&self.#e)?;)
    });
    let properties = s.fields.iter().map(|f| {
        let field = ident(&f.ident);
        let wire = f.wire.as_str();
        if f.ty.is_stream() {
            quote!(fields.stream(#wire, &self.#field)?;)
        } else {
            quote!(fields.property(#wire, &self.#field)?;)
        }
    });
    let navigations = s.navigations.iter().map(|n| {
        let field = ident(&n.ident);
        let wire = n.wire.as_str();
        quote!(fields.navigation(#wire, &self.#field)?;)
    });
    let mut body = concat(etag);
    body.extend(properties);
    body.extend(navigations);
    body.extend(quote!(fields.extra(&self.#extra)));
    let body = braced(body);
    quote! {
        impl rt::Edm for #name {
            fn deserialize_edm<'de, D: rt::serde::Deserializer<'de>>(deserializer: D) -> #std_result<Self, D::Error> {
                <Self as rt::serde::Deserialize<'de>>::deserialize(deserializer)
            }

            fn write_json(&self, out: &mut #std_string) {
                rt::__private::write_object(self, out);
            }

            fn serialize_edm<S: rt::serde::Serializer>(&self, serializer: S) -> #std_result<S::Ok, S::Error> {
                rt::__private::serialize_object(self, serializer)
            }
        }

        /// In serde's data model: a struct of the properties by wire name (see the crate's README).
        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> #std_result<S::Ok, S::Error> {
                rt::__private::serialize_object(self, serializer)
            }
        }

        impl rt::__private::Object for #name {
            const NAME: &'static str = #rust_name;

            fn visit<'a, F: rt::__private::Fields<'a>>(&'a self, fields: &mut F) -> #std_result<(), F::Error> #body
        }
    }
}

/// What a payload type may hold, for its serde impls.
pub struct PayloadSerde<'a> {
    /// The payload type.
    pub name: &'a proc_macro2::Ident,
    /// `a Shop.book create payload`.
    pub expecting: String,
    /// Wire names the payload must hold.
    pub required: Vec<&'a str>,
    /// Each settable property: its wire name and its marker type in `fields`.
    pub properties: Vec<(&'a str, &'a str)>,
    /// Each deep-insert navigation: its wire name and the related payload type.
    pub related: Vec<(&'a str, TokenStream)>,
}

/// `Serialize` (the fields that were set), `Deserialize` (only what the
/// payload may hold) and the schema the runtime reads it with.
pub fn payload_serde(p: &PayloadSerde<'_>) -> TokenStream {
    let std_result = std_name("result", "Result");
    let name = p.name;
    let expecting = &p.expecting;
    let required = &p.required;
    let required = (!required.is_empty()).then(|| quote!(const REQUIRED: &'static [&'static str] = &[#(#required),*];));
    let properties = p.properties.iter().map(|(wire, marker)| {
        let marker = ident(marker);
        quote!(#wire => value.read::<fields::#marker>(),)
    });
    let related = p.related.iter().map(|(wire, payload)| quote!(#wire => value.related::<#payload>(#wire),));
    // A payload that can hold nothing reads no value.
    let value = if p.properties.is_empty() && p.related.is_empty() { quote!(_value) } else { quote!(value) };
    quote! {
        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> #std_result<S::Ok, S::Error> {
                rt::serde::Serialize::serialize(&self.fields, serializer)
            }
        }

        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> #std_result<Self, D::Error> {
                rt::__private::deserialize_payload::<Self, D>(deserializer).map(|fields| Self { fields })
            }
        }

        impl rt::__private::PayloadSchema for #name {
            const EXPECTING: &'static str = #expecting;
            #required

            fn read<'de, A: rt::serde::de::MapAccess<'de>>(name: &str, #value: rt::__private::PayloadValue<'_, A>) -> #std_result<bool, A::Error> {
                match name {
                    #(#properties)*
                    #(#related)*
                    _ => Ok(false),
                }
            }
        }
    }
}
