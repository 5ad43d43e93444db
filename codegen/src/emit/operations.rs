//! Bound and unbound operations: a method per operation on its path (or on
//! the API root), and for an operation with `Core.OptionalParameter`s a
//! call type holding the arguments, with a setter per optional parameter,
//! that is awaited like any request.
//!
//! Parameters are typed from the metadata: a non-nullable one is taken as
//! its value (`impl Into<String>` for strings), a nullable one as
//! `impl Into<Option<T>>` (a value, or `None` for null; CSDL makes a
//! parameter nullable unless it says `Nullable="false"`), and an optional
//! one is left out of the call unless its setter is called.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::plan::{OperationPlan, ParameterPlan, RustType};
use super::tokens::{argument, doc, doc_text, ident, std_name, value_type};
use crate::ir::{OperationKind, Primitive};

/// What an operation is called on, for its call type's receiver field.
#[derive(Debug, Clone, Copy)]
pub enum Receiver {
    /// One entity (`rt::EntityPath<S>`).
    Entity,
    /// A collection (`rt::CollectionPath<S>`).
    Collection,
    /// The API root (`rt::Api`).
    Api,
}

/// Whether the parameter is held as an `Option` (null or left out).
fn held_as_option(p: &ParameterPlan) -> bool {
    p.optional || (p.nullable && !matches!(p.ty, RustType::Collection(_)))
}

/// The result type of the operation and the decoder of its response.
fn output(op: &OperationPlan, depth: usize) -> (TokenStream, TokenStream) {
    match &op.returns {
        None => (quote!(()), quote!(rt::decode::no_content)),
        Some((RustType::Primitive(Primitive::Stream), _)) => (quote!(rt::bytes::Bytes), quote!(rt::decode::bytes)),
        Some((ty, _)) => {
            let value = value_type(ty, depth);
            let decoder = match ty {
                RustType::Entity { .. } | RustType::Complex { .. } => quote!(rt::__private::decode_value::<#value>),
                _ => quote!(rt::__private::decode_wrapped::<#value>),
            };
            (value, decoder)
        }
    }
}

/// The request, built on `receiver` from locals named like the parameters
/// (values, or `Option`s for those [`held_as_option`]).
fn request(op: &OperationPlan, depth: usize, receiver: &TokenStream) -> TokenStream {
    let qualified = &op.qualified;
    let (_, decoder) = output(op, depth);
    // A stream result is the response body itself, of any media type.
    let accept_any = matches!(op.returns, Some((RustType::Primitive(Primitive::Stream), _)))
        .then(|| quote!(.header("Accept", "*/*")));
    match op.kind {
        OperationKind::Action => {
            let body = if op.parameters.is_empty() {
                quote!(None)
            } else {
                let sets = op.parameters.iter().map(|p| {
                    let arg = ident(&p.ident);
                    let wire = &p.wire;
                    if p.optional {
                        quote!(if let Some(call_value) = &#arg { body.set(#wire, call_value); })
                    } else if held_as_option(p) {
                        quote!(match &#arg { Some(call_value) => body.set(#wire, call_value), None => body.set_null(#wire) };)
                    } else {
                        quote!(body.set(#wire, &#arg);)
                    }
                });
                quote!({ let mut body = rt::PayloadFields::new(); #(#sets)* Some(body.to_json()) })
            };
            if op.if_match {
                quote!(#receiver.action_if_match(call_etag, #qualified, #body, #decoder) #accept_any)
            } else {
                quote!(#receiver.action(#qualified, #body, #decoder) #accept_any)
            }
        }
        OperationKind::Function if !op.has_optional_parameters() => {
            // Function parameters travel in the URL, written like key values;
            // values a literal cannot hold go in parameter aliases: `p=@p` in
            // the parentheses, `@p=<JSON>` in the query.
            let parts = op.parameters.iter().map(|p| {
                let arg = ident(&p.ident);
                let wire = &p.wire;
                if p.alias {
                    quote!((#wire, &rt::__private::Alias(#wire) as &dyn rt::EntityKey))
                } else {
                    quote!((#wire, &#arg as &dyn rt::EntityKey))
                }
            });
            let aliases: Vec<TokenStream> = op
                .parameters
                .iter()
                .filter(|p| p.alias)
                .map(|p| {
                    let arg = ident(&p.ident);
                    let wire = &p.wire;
                    quote!((#wire, rt::Edm::to_json(&#arg)))
                })
                .collect();
            if aliases.is_empty() {
                quote!(#receiver.function(#qualified, &rt::__private::key_predicate(&[#(#parts),*]), #decoder) #accept_any)
            } else {
                quote! {
                    #receiver.function_with_aliases(
                        #qualified,
                        &rt::__private::key_predicate(&[#(#parts),*]),
                        &rt::__private::alias_query(&[#(#aliases),*]),
                        #decoder,
                    ) #accept_any
                }
            }
        }
        OperationKind::Function => {
            // As above, but an optional parameter left out is in neither the
            // parentheses nor the query.
            let std_vec = std_name("vec", "Vec");
            let std_string = std_name("string", "String");
            let any_alias = op.parameters.iter().any(|p| p.alias);
            let mut statements =
                quote!(let mut call_parameters: #std_vec<(&str, &dyn rt::EntityKey)> = #std_vec::new(););
            if any_alias {
                statements.extend(quote!(let mut call_aliases: #std_vec<(&str, #std_string)> = #std_vec::new();));
            }
            for p in &op.parameters {
                let arg = ident(&p.ident);
                let wire = &p.wire;
                let alias = format_ident!("call_alias_{}", p.ident.trim_start_matches("r#"));
                let add = if p.alias {
                    quote! {
                        call_parameters.push((#wire, &#alias as &dyn rt::EntityKey));
                        call_aliases.push((#wire, rt::Edm::to_json(call_value)));
                    }
                } else {
                    quote!(call_parameters.push((#wire, call_value as &dyn rt::EntityKey));)
                };
                let declare = p.alias.then(|| quote!(let #alias = rt::__private::Alias(#wire);));
                statements.extend(if p.optional {
                    quote!(#declare if let Some(call_value) = &#arg { #add })
                } else {
                    quote!(#declare let call_value = &#arg; #add)
                });
            }
            let aliases = if any_alias { quote!(&rt::__private::alias_query(&call_aliases)) } else { quote!("") };
            quote! {{
                #statements
                #receiver.function_with_aliases(
                    #qualified,
                    &rt::__private::key_predicate(&call_parameters),
                    #aliases,
                    #decoder,
                ) #accept_any
            }}
        }
    }
}

/// The method calling `op` on `receiver`: a path (`self.0`, for bound
/// operations, whose set `marker` the call type is generic over) or the
/// API root (`self.api`, for imports, without a marker).
pub fn operation_method(
    op: &OperationPlan,
    depth: usize,
    receiver: &TokenStream,
    marker: Option<&TokenStream>,
) -> TokenStream {
    let std_option = std_name("option", "Option");
    let into = std_name("convert", "Into");
    let method = ident(&op.method);
    let docs = doc(&op.docs);
    let required: Vec<&ParameterPlan> = op.parameters.iter().filter(|p| !p.optional).collect();
    // An action on an entity the service guards with ETags sends the ETag
    // of the version the caller read, as `update` and `delete` do.
    let current = op.if_match.then(|| quote!(current: &impl rt::IfMatch));
    let etag = op.if_match.then(|| quote!(let call_etag = rt::IfMatch::if_match(current);));
    let params = required.iter().map(|p| {
        let arg = ident(&p.ident);
        if held_as_option(p) {
            let value = value_type(&p.ty, depth);
            quote!(#arg: impl #into<#std_option<#value>>)
        } else {
            let ty = argument(&p.ty, depth, &arg).0;
            quote!(#arg: #ty)
        }
    });
    let converts = required.iter().map(|p| {
        let arg = ident(&p.ident);
        let value = value_type(&p.ty, depth);
        if held_as_option(p) {
            quote!(let #arg: #std_option<#value> = #arg.into();)
        } else {
            let convert = argument(&p.ty, depth, &arg).1;
            quote!(let #arg: #value = #convert;)
        }
    });
    match &op.call {
        None => {
            let (output, _) = output(op, depth);
            let request = request(op, depth, receiver);
            let params = current.into_iter().chain(params);
            quote! {
                #docs
                pub fn #method(&self, #(#params),*) -> rt::Request<#output> {
                    #etag
                    #(#converts)*
                    #request
                }
            }
        }
        Some(call) => {
            let call = ident(call);
            let call_type = match marker {
                Some(marker) => quote!(#call<#marker>),
                None => quote!(#call),
            };
            let fields = op.parameters.iter().map(|p| {
                let arg = ident(&p.ident);
                if p.optional { quote!(#arg: None) } else { quote!(#arg) }
            });
            let params = current.into_iter().chain(params);
            let etag_field = op.if_match.then(|| quote!(call_etag: rt::IfMatch::if_match(current).cloned(),));
            quote! {
                #docs
                pub fn #method(&self, #(#params),*) -> #call_type {
                    #(#converts)*
                    #call { call_receiver: #receiver.clone(), #etag_field #(#fields),* }
                }
            }
        }
    }
}

/// The call type of an operation with optional parameters (`None` for
/// one without): its arguments, a setter per optional parameter,
/// `request()` for a `$batch`, and `IntoFuture`.
pub fn call_type(op: &OperationPlan, depth: usize, receiver: Receiver) -> Option<TokenStream> {
    let call = ident(op.call.as_ref()?);
    let std_option = std_name("option", "Option");
    let std_result = std_name("result", "Result");
    let into_future_trait = std_name("future", "IntoFuture");
    let (output, _) = output(op, depth);
    let (generics, bound, receiver_type) = match receiver {
        Receiver::Entity => (quote!(<S>), quote!(<S: rt::EntitySet>), quote!(rt::EntityPath<S>)),
        Receiver::Collection => (quote!(<S>), quote!(<S: rt::EntitySet>), quote!(rt::CollectionPath<S>)),
        Receiver::Api => (quote!(), quote!(), quote!(rt::Api)),
    };
    let fields = op.parameters.iter().map(|p| {
        let arg = ident(&p.ident);
        let value = value_type(&p.ty, depth);
        if held_as_option(p) { quote!(#arg: #std_option<#value>) } else { quote!(#arg: #value) }
    });
    let setters = op.parameters.iter().filter(|p| p.optional).map(|p| {
        let arg = ident(&p.ident);
        let setter = ident(p.setter.as_deref().unwrap_or(&p.ident));
        let value = ident("value");
        let (ty, convert) = argument(&p.ty, depth, &value);
        let line = doc_text(&format!(" Sets the optional parameter `{}`; left out of the call otherwise.", p.wire));
        quote! {
            #[doc = #line]
            pub fn #setter(mut self, value: #ty) -> Self {
                self.#arg = Some(#convert);
                self
            }
        }
    });
    let names = op.parameters.iter().map(|p| ident(&p.ident));
    let request = request(op, depth, &quote!(call_receiver));
    let etag_field = op.if_match.then(|| quote!(call_etag: #std_option<rt::ETag>,));
    let etag_name = op.if_match.then(|| quote!(call_etag,));
    let etag_ref = op.if_match.then(|| quote!(let call_etag = call_etag.as_ref();));
    let summary = doc_text(&format!(
        " A call of `{}`: set its optional parameters, then `.await` it (or pass [`request`]({}::request) to a batch).",
        op.qualified,
        op.call.as_deref().unwrap_or_default()
    ));
    Some(quote! {
        #[doc = #summary]
        #[must_use = "a call does nothing until it is awaited"]
        #[derive(Debug, Clone)]
        pub struct #call #generics {
            call_receiver: #receiver_type,
            #etag_field
            #(#fields,)*
        }

        impl #bound #call #generics {
            #(#setters)*

            /// The request, as awaiting the call would send it.
            pub fn request(self) -> rt::Request<#output> {
                let Self { call_receiver, #etag_name #(#names),* } = self;
                #etag_ref
                #request
            }
        }

        impl #bound #into_future_trait for #call #generics {
            type Output = #std_result<#output, rt::Error>;
            type IntoFuture = <rt::Request<#output> as #into_future_trait>::IntoFuture;

            fn into_future(self) -> Self::IntoFuture {
                #into_future_trait::into_future(self.request())
            }
        }
    })
}
