//! Enum types: one variant per member, named from the decoded member name,
//! plus a catch-all that keeps values this SDK does not know.

use proc_macro2::TokenStream;
use quote::quote;

use super::plan::{EnumForm, EnumPlan};
use super::tokens::{doc, doc_text, ident, std_name};

pub fn render(enumeration: &EnumPlan) -> TokenStream {
    let std_result = std_name("result", "Result");
    let std_string = std_name("string", "String");
    let name = ident(&enumeration.name);
    let unknown = ident(&enumeration.unknown_variant);
    let type_name = enumeration.qualified.to_string();
    let mut lines = enumeration.docs.clone();
    lines.push(String::new());
    lines.push(format!(
        "Serialized with the exact wire names; a value that is not listed here (added by an extension or a newer release) is kept in `{}` and written back unchanged.",
        enumeration.unknown_variant
    ));
    lines.push(String::new());
    lines.push(format!(
        "To act on a value that is not listed yet, compare [`{}::as_str`] rather than matching on `{}`'s contents, which are opaque: a match on the text would silently stop matching once a newer `$metadata` lists the value as a member.",
        enumeration.name, enumeration.unknown_variant
    ));
    if enumeration.is_flags {
        lines.push("The type allows combinations of members; a combination arrives as one comma-separated value and is kept as written.".to_owned());
    }
    let docs = doc(&lines);
    let variants = enumeration.members.iter().map(|m| {
        let variant = ident(&m.variant);
        let line = doc_text(&if enumeration.form != EnumForm::Member {
            match &m.description {
                Some(description) => format!(" `{}`: {description}", m.wire),
                None => format!(" `{}`.", m.wire),
            }
        } else if m.display.trim().is_empty() {
            format!(" The blank member (wire name `{}`, value {}).", m.wire, m.value)
        } else if m.display == m.wire {
            format!(" `{}` (value {}).", m.wire, m.value)
        } else {
            format!(" \"{}\" (wire name `{}`, value {}).", m.display, m.wire, m.value)
        });
        quote!(#[doc = #line] #variant,)
    });
    let wires: Vec<&str> = enumeration.members.iter().map(|m| m.wire.as_str()).collect();
    let to_wire = enumeration.members.iter().map(|m| {
        let variant = ident(&m.variant);
        let wire = &m.wire;
        quote!(Self::#variant => #wire,)
    });
    let from_wire = enumeration.members.iter().map(|m| {
        let variant = ident(&m.variant);
        let wire = &m.wire;
        quote!(#wire => Self::#variant,)
    });
    let display = enumeration.members.iter().map(|m| {
        let variant = ident(&m.variant);
        let text = &m.display;
        quote!(Self::#variant => #text,)
    });
    // Each spelling maps to the first member that claims it.
    let mut seen = std::collections::BTreeSet::new();
    let parse: Vec<TokenStream> = enumeration
        .members
        .iter()
        .filter_map(|m| {
            let variant = ident(&m.variant);
            let patterns: Vec<&str> = [m.wire.as_str(), m.display.as_str(), m.variant.as_str()]
                .into_iter()
                .filter(|p| seen.insert(p.to_string()))
                .collect();
            (!patterns.is_empty()).then(|| quote!(#(#patterns)|* => Ok(Self::#variant),))
        })
        .collect();
    let kind = match enumeration.form {
        EnumForm::Member => None,
        EnumForm::Text => Some(quote!(
            const KIND: rt::EnumKind = rt::EnumKind::Text;
        )),
        EnumForm::Integer => Some(quote!(
            const KIND: rt::EnumKind = rt::EnumKind::Integer;
        )),
    };
    let unknown_line = doc_text(
        " A value the generated code does not know, kept exactly as the service sent it; read it with `as_str()`.",
    );
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_line]
            #unknown(rt::UnknownValue),
        }

        impl #name {
            /// The exact name sent on the wire, for listed and unlisted
            /// values alike (`Credit_x0020_Memo`).
            pub fn as_str(&self) -> &str {
                rt::EdmEnum::wire_name(self)
            }

            /// The human-readable member name (`_x0020_` escapes decoded).
            pub fn display_name(&self) -> &str {
                match self {
                    #(#display)*
                    Self::#unknown(other) => rt::__private::unknown_value_str(other),
                }
            }
        }

        impl rt::EdmEnum for #name {
            const TYPE_NAME: &'static str = #type_name;
            const MEMBERS: &'static [&'static str] = &[#(#wires),*];
            #kind

            fn wire_name(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::#unknown(other) => rt::__private::unknown_value_str(other),
                }
            }

            fn from_wire(name: &str) -> Self {
                match name {
                    #(#from_wire)*
                    other => Self::#unknown(rt::__private::unknown_value(other)),
                }
            }
        }

        impl rt::Edm for #name {
            fn deserialize_edm<'de, D: rt::serde::Deserializer<'de>>(deserializer: D) -> #std_result<Self, D::Error> {
                rt::__private::deserialize_enum(deserializer)
            }

            fn write_json(&self, out: &mut #std_string) {
                rt::__private::write_enum_json(self, out);
            }

            fn serialize_edm<S: rt::serde::Serializer>(&self, serializer: S) -> #std_result<S::Ok, S::Error> {
                rt::serde::Serialize::serialize(self, serializer)
            }
        }

        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> #std_result<Self, D::Error> {
                rt::__private::deserialize_enum(deserializer)
            }
        }

        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> #std_result<S::Ok, S::Error> {
                rt::__private::serialize_enum(self, serializer)
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                formatter.write_str(self.display_name())
            }
        }

        /// Accepts the wire name, the human-readable name or the variant name.
        impl ::std::str::FromStr for #name {
            type Err = rt::UnknownMember;

            // Not `Self::Err`: a member named `Err` would make it ambiguous.
            fn from_str(text: &str) -> #std_result<Self, rt::UnknownMember> {
                match text {
                    #(#parse)*
                    other => Err(rt::UnknownMember { type_name: #type_name, text: other.to_owned() }),
                }
            }
        }
    }
}
