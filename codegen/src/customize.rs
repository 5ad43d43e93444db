//! How a family of services changes what is generated, without the
//! generator knowing the family.
//!
//! The generator produces a client for a standard OData v4 service. A
//! service family with conventions of its own (an ERP whose keys the server
//! assigns, whose crates depend on a glue crate, whose entities implement
//! that crate's traits) supplies them through a [`Customization`]: a few
//! planning decisions (which properties the service maintains, which root
//! sets it serves, whether it supports lambda filters) and a few rendering
//! hooks (the wire profile, extra methods on the API entry point, extra
//! items beside each entity type, the crate a client is written into).
//! [`Standard`] is the customization of a service that follows OData and
//! nothing else.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::plan::{ApiPlan, EntityPlan};
use crate::ir::{EntitySet, EntityType, Property};

/// A property the service fills in itself, beyond what its annotations say
/// (`Core.Computed`, `Core.Permissions`): it is left out of create and
/// update payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceAssigned {
    /// A field the service maintains on every write (timestamps, versions);
    /// `doc` is the sentence generated into the field's documentation.
    Field {
        /// Documentation line, such as "Read-only: the service maintains it."
        doc: String,
    },
    /// A key the service assigns when an entity is created.
    Key,
}

/// A crate a generated client depends on besides the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateDependency {
    /// The package name (`business-central-sdk`).
    pub package: String,
    /// The version requirement written for a published dependency.
    pub version: String,
    /// Its directory in a checkout of the repository that holds it, for
    /// path dependencies (`sdk`).
    pub checkout_directory: String,
    /// More keys of the dependency table, written as they are
    /// (`default-features = false`).
    pub extra: Option<String>,
    /// The name the crate's root re-exports it under, with a doc line.
    pub reexport: Option<(String, String)>,
}

/// The parts of a generated crate's `lib.rs` that depend on the service
/// family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateDocs {
    /// What the crate is, after "generated from `…`".
    pub description: String,
    /// Lines of the doctest that build the `client` (`let client = …;`),
    /// each without the leading `//! `. `{crate}` stands for the crate's
    /// identifier, `{base_url}` for the base URL a client is built with.
    pub client_setup: Vec<String>,
}

/// What a family of services changes in generated code. Every method has a
/// default that suits a standard OData v4 service.
pub trait Customization: Sync {
    /// A short name for messages (`strict OData`, or the family's name).
    fn name(&self) -> &str;

    /// Whether the service evaluates `any`/`all` lambda filters (some
    /// ignore them and answer every row, which typed filters should not
    /// offer).
    fn lambda_operators(&self) -> bool {
        true
    }

    /// Whether the service takes `or` between conditions on different
    /// properties (some refuse it, and typed filters then allow `or` only
    /// between conditions on one property).
    fn cross_property_or(&self) -> bool {
        true
    }

    /// Whether `property` of `owner` is filled in by the service regardless
    /// of annotations. `is_key` says whether it is (part of) the key.
    fn service_assigned(&self, owner: &EntityType, property: &Property, is_key: bool) -> Option<ServiceAssigned> {
        let _ = (owner, property, is_key);
        None
    }

    /// Whether a top-level entity set is served at the API root. `contained`
    /// says whether its entity type is the target of a containment
    /// navigation of another type (some services declare a top-level set
    /// for contained types but serve them only below their container).
    fn serves_root_set(&self, set: &EntitySet, contained: bool) -> bool {
        let _ = (set, contained);
        true
    }

    /// The expression generated code uses for the service's wire profile
    /// (an `odata_v4_runtime::ServiceProfile`); `rt` names the runtime.
    fn profile(&self) -> TokenStream {
        quote!(rt::ServiceProfile::strict_odata())
    }

    /// Extra methods of the API entry point (`impl Api { … }`), such as an
    /// accessor for a default company.
    fn api_methods(&self, plan: &ApiPlan) -> TokenStream {
        let _ = plan;
        TokenStream::new()
    }

    /// Extra items of an entity type's module, such as implementations of
    /// the family's own traits. Rendered in the module's file, with `rt`
    /// naming the runtime.
    fn entity_items(&self, entity: &EntityPlan) -> TokenStream {
        let _ = entity;
        TokenStream::new()
    }

    /// Crates a generated client depends on besides the runtime.
    fn crate_dependencies(&self) -> Vec<CrateDependency> {
        Vec::new()
    }

    /// The family-specific parts of a generated crate's documentation.
    fn crate_docs(&self) -> CrateDocs {
        CrateDocs {
            description: "on the OData v4 runtime (strict OData profile).".to_owned(),
            client_setup: vec![
                "use {crate}::runtime::Client;".to_owned(),
                "// The base URL the service root lives under.".to_owned(),
                "let client = Client::builder(\"{base_url}\").build()?;".to_owned(),
            ],
        }
    }
}

/// A service that follows OData v4 and nothing else.
#[derive(Debug, Clone, Copy, Default)]
pub struct Standard;

impl Customization for Standard {
    fn name(&self) -> &str {
        "strict OData"
    }
}
