//! Business Central's conventions for the OData v4 code generator
//! ([`odata_v4_codegen`]), supplied through its customization point: the
//! generator itself knows nothing of Business Central.
//!
//! - [`BusinessCentral`] is the [`Customization`] the Business Central SDK
//!   is generated with, and that crates for a Business Central extension's
//!   own API pages use: Business Central's wire profile, keys and system
//!   fields the server assigns, sets served only below a company, the
//!   `default_company` accessor, `sync::ChangeTracked` for entity types
//!   with a `lastModifiedDateTime`, and crates that depend on the SDK's
//!   glue.
//! - [`docs`] reads resource docs (Microsoft Learn's Business Central API
//!   pages and hand-written guides), matches each to an entity type by its
//!   content and turns them into the facts the generator uses.
//!
//! ```
//! use business_central_codegen::BusinessCentral;
//! use odata_v4_codegen::Generator;
//!
//! let metadata = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
//!   <edmx:DataServices><Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">
//!     <EntityType Name="item"><Key><PropertyRef Name="id"/></Key>
//!       <Property Name="id" Type="Edm.Guid" Nullable="false"/></EntityType>
//!     <EntityContainer Name="NAV"><EntitySet Name="items" EntityType="Microsoft.NAV.item"/></EntityContainer>
//!   </Schema></edmx:DataServices></edmx:Edmx>"#;
//! let generated = Generator::from_text("warehouse.xml", metadata)
//!     .service_root("api/contoso/warehouse/v1.0")
//!     .customization(&BusinessCentral)
//!     .module_file()?;
//! assert!(generated.contains("::business_central_sdk::PROFILE"));
//! # Ok::<(), odata_v4_codegen::Error>(())
//! ```

#![warn(missing_docs)]

pub mod docs;

use proc_macro2::TokenStream;
use quote::quote;

use odata_v4_codegen::customize::{CrateDependency, CrateDocs, Customization, ServiceAssigned};
use odata_v4_codegen::emit::plan::naming::path_methods;
use odata_v4_codegen::emit::plan::{ApiPlan, EntityPlan, RustType};
use odata_v4_codegen::emit::tokens::{entity_module, ident, std_name};
use odata_v4_codegen::ir::{EntitySet, EntityType, Model, Primitive, Property, TypeTarget};

// The docs reader names the model's modules as `crate::ir` (and its tests
// `crate::edmx`).
#[cfg(test)]
pub(crate) use odata_v4_codegen::edmx;
pub(crate) use odata_v4_codegen::ir;

/// The namespace Business Central publishes its APIs in.
pub const NAMESPACE: &str = "Microsoft.NAV";

/// Fields Business Central maintains itself on every table it exposes.
const SYSTEM_FIELDS: &[&str] = &[
    "lastModifiedDateTime",
    "systemCreatedAt",
    "systemCreatedBy",
    "systemModifiedAt",
    "systemModifiedBy",
    "systemVersion",
];

/// The property Business Central stamps on every write, which the SDK's
/// incremental sync reads changes by.
const LAST_MODIFIED: &str = "lastModifiedDateTime";

/// Whether a model is a Business Central API (its types live in the
/// `Microsoft.NAV` namespace, custom API pages included).
pub fn is_business_central(model: &Model) -> bool {
    model.schemas.iter().any(|s| s.namespace == NAMESPACE)
}

/// The service root of a Business Central API from the URL of its
/// `$metadata` (or of the API itself): the path from its `api` segment on,
/// which is what the SDK's environments are built below
/// (`…/v2.0/<tenant>/<env>/api/contoso/app/v1.0/$metadata` →
/// `api/contoso/app/v1.0`).
pub fn service_root_from_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    let segments: Vec<&str> = path.split('/').skip(1).filter(|s| !s.is_empty()).collect();
    let start = segments.iter().position(|s| *s == "api")?;
    let root: Vec<&str> = segments[start..].iter().copied().take_while(|s| *s != "$metadata").collect();
    (root.len() > 1).then(|| root.join("/"))
}

/// Business Central's conventions (see the crate documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct BusinessCentral;

impl Customization for BusinessCentral {
    fn name(&self) -> &str {
        "Business Central"
    }

    /// Business Central ignores `any`/`all` filters and answers every row
    /// (its documented limitation), so typed filters do not offer them.
    fn lambda_operators(&self) -> bool {
        false
    }

    /// Business Central refuses `or` across different fields (its known
    /// limitations), so typed filters allow `or` on one property only.
    fn cross_property_or(&self) -> bool {
        false
    }

    fn service_assigned(&self, _owner: &EntityType, property: &Property, is_key: bool) -> Option<ServiceAssigned> {
        if SYSTEM_FIELDS.contains(&property.name.as_str()) {
            return Some(ServiceAssigned::Field { doc: "Read-only: Business Central maintains it.".to_owned() });
        }
        // BC assigns its GUID ids and `…Id` keys (subscriptionId) itself; a
        // custom API page keyed by a code takes the key from the caller.
        let assigned = property.ty.target == TypeTarget::Primitive(Primitive::Guid)
            || property.name.ends_with("Id")
            || property.name == "id";
        (is_key && assigned).then_some(ServiceAssigned::Key)
    }

    /// Business Central declares a top-level set for every type it contains
    /// in companies, but serves them only below a company.
    fn serves_root_set(&self, _set: &EntitySet, contained: bool) -> bool {
        !contained
    }

    /// One definition of the wire profile for generated and hand-built APIs
    /// alike: the SDK's.
    fn profile(&self) -> TokenStream {
        quote!(::business_central_sdk::PROFILE)
    }

    fn api_methods(&self, plan: &ApiPlan) -> TokenStream {
        default_company(plan)
    }

    fn entity_items(&self, entity: &EntityPlan) -> TokenStream {
        change_tracked(entity)
    }

    fn crate_dependencies(&self) -> Vec<CrateDependency> {
        vec![CrateDependency {
            package: "business-central-sdk".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            checkout_directory: "sdk".to_owned(),
            // The glue only: the SDK's own generated APIs are behind `apis`.
            extra: Some("default-features = false".to_owned()),
            reexport: Some((
                "business_central".to_owned(),
                "Business Central's glue: environments, credentials, company selection.".to_owned(),
            )),
        }]
    }

    fn crate_docs(&self) -> CrateDocs {
        CrateDocs {
            description: "on the Business Central SDK's glue and the OData v4 runtime.".to_owned(),
            client_setup: vec![
                "use business_central_sdk::{Client, ClientCredentials, Environment};".to_owned(),
                "let client = Client::builder(Environment::online(\"contoso.onmicrosoft.com\", \"Production\"))"
                    .to_owned(),
                "    .credentials(ClientCredentials::new(\"<tenant id>\", \"<client id>\", \"<client secret>\"))"
                    .to_owned(),
                "    .build()?;".to_owned(),
            ],
        }
    }
}

/// `Api::default_company()`: the company a client was configured with,
/// addressed by id or through the `name` alternate key of `companies`.
fn default_company(plan: &ApiPlan) -> TokenStream {
    let Some(root) = plan.root_sets.iter().find(|s| s.set == "companies") else {
        return TokenStream::new();
    };
    let Some((_, by_name)) =
        root.alternate_keys.iter().find(|(_, key)| key.parts.len() == 1 && key.parts[0].wire == "name")
    else {
        return TokenStream::new();
    };
    let std_result = std_name("result", "Result");
    let module = entity_module(root.target.namespace.as_deref(), &root.target.module, 0);
    let entity_path = ident(&root.target.entity_path);
    let collection = ident(&root.collection_method);
    let by_name = ident(&by_name.method);
    let key = ident(path_methods::KEY);
    quote! {
        /// The company the client was configured with
        /// (`default_company_id` or `default_company_name`).
        pub fn default_company(&self) -> #std_result<#module::#entity_path, rt::Error> {
            match ::business_central_sdk::default_company(self.api.client()) {
                Some(::business_central_sdk::CompanyRef::Id(id)) => Ok(self.#collection().#key(*id)),
                Some(::business_central_sdk::CompanyRef::Name(name)) => Ok(self.#collection().#by_name(name.clone())),
                None => Err(rt::Error::InvalidRequest(
                    "no default company is configured: use ClientBuilderExt::default_company_id or default_company_name".to_owned(),
                )),
            }
        }
    }
}

/// `impl ::business_central_sdk::sync::ChangeTracked for …`, or nothing
/// for a type without a `lastModifiedDateTime` timestamp or with a
/// composite key (the incremental sync keys rows on one property).
fn change_tracked(entity: &EntityPlan) -> TokenStream {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_roots_come_from_the_api_segment_of_a_url() {
        let online = "https://api.businesscentral.dynamics.com/v2.0/contoso.onmicrosoft.com/Production/api/contoso/app/v1.0/$metadata";
        assert_eq!(service_root_from_url(online).as_deref(), Some("api/contoso/app/v1.0"));
        assert_eq!(service_root_from_url("http://bc:7048/BC/api/v2.0/?tenant=x").as_deref(), Some("api/v2.0"));
        assert_eq!(service_root_from_url("https://example.com/odata/$metadata"), None);
        assert_eq!(service_root_from_url("https://example.com/api"), None);
    }
}
