//! What the fake knows about an API route, read from its `$metadata` with
//! the `odata-v4-csdl` crate (the same reader the generator uses): entity
//! sets and their capabilities, entity types with keys, alternate keys,
//! property types and navigation properties, enum members, bound actions,
//! and which types live inside a company.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use odata_v4_csdl::ir::annotations::Permission;
use odata_v4_csdl::ir::{self, Primitive, TypeTarget};

use crate::bc_rules;

/// The primitive types the fake tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edm {
    String,
    Boolean,
    Guid,
    Date,
    DateTimeOffset,
    TimeOfDay,
    Duration,
    Decimal,
    /// `Edm.Double` and `Edm.Single`.
    Double,
    /// `Edm.Byte`, `SByte`, `Int16`, `Int32`, `Int64`.
    Integer,
    Binary,
    Stream,
    /// Geography, geometry, `Edm.Untyped`: stored and returned, never compared.
    Other,
}

impl Edm {
    fn of(primitive: Primitive) -> Edm {
        match primitive {
            Primitive::String => Edm::String,
            Primitive::Boolean => Edm::Boolean,
            Primitive::Guid => Edm::Guid,
            Primitive::Date => Edm::Date,
            Primitive::DateTimeOffset => Edm::DateTimeOffset,
            Primitive::TimeOfDay => Edm::TimeOfDay,
            Primitive::Duration => Edm::Duration,
            Primitive::Decimal => Edm::Decimal,
            Primitive::Double | Primitive::Single => Edm::Double,
            Primitive::Byte | Primitive::SByte | Primitive::Int16 | Primitive::Int32 | Primitive::Int64 => Edm::Integer,
            Primitive::Binary => Edm::Binary,
            Primitive::Stream => Edm::Stream,
            _ => Edm::Other,
        }
    }
}

/// The type of a structural property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Primitive(Edm),
    /// An enum type, by qualified name.
    Enum(String),
    /// A complex type, by qualified name.
    Complex(String),
}

#[derive(Debug, Clone)]
pub(crate) struct PropertyModel {
    pub name: String,
    pub kind: Kind,
    pub collection: bool,
    pub max_length: Option<u64>,
    /// The service fills it in: a create may not set it.
    pub read_only_on_create: bool,
    /// The service maintains it: an update may not change it.
    pub read_only_on_update: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct NavigationModel {
    pub name: String,
    /// The target entity type, by qualified name.
    pub target: String,
    pub collection: bool,
    pub contains_target: bool,
    /// `(property of the source, property of the target)` pairs that link
    /// the two: `salesInvoice.id = salesInvoiceLine.documentId`.
    pub constraints: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub(crate) struct TypeModel {
    /// Qualified name, such as `Microsoft.NAV.customer`.
    pub name: String,
    pub properties: Vec<PropertyModel>,
    pub key: Vec<String>,
    /// Each alternate key as `(alias, property)` pairs.
    pub alternate_keys: Vec<Vec<(String, String)>>,
    pub navigations: Vec<NavigationModel>,
    /// Bound actions, by qualified name (`Microsoft.NAV.post`).
    pub actions: BTreeSet<String>,
    /// Rows of this type belong to a company (it is contained, directly
    /// or not, in the company type).
    pub company_scoped: bool,
}

impl TypeModel {
    pub(crate) fn property(&self, name: &str) -> Option<&PropertyModel> {
        self.properties.iter().find(|p| p.name == name)
    }

    pub(crate) fn navigation(&self, name: &str) -> Option<&NavigationModel> {
        self.navigations.iter().find(|n| n.name == name)
    }

    /// The unqualified name (`customer`).
    pub(crate) fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct SetModel {
    pub name: String,
    pub type_name: String,
    pub insertable: bool,
    pub updatable: bool,
    pub deletable: bool,
    pub sortable: bool,
    pub filterable: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct EnumModel {
    /// `(wire name, value)` in declaration order.
    pub members: Vec<(String, i64)>,
}

impl EnumModel {
    /// What Business Central writes for "not set": the member valued 0, or the first.
    pub(crate) fn blank(&self) -> Option<&str> {
        self.members.iter().find(|(_, v)| *v == 0).or(self.members.first()).map(|(n, _)| n.as_str())
    }

    pub(crate) fn value_of(&self, member: &str) -> Option<i64> {
        self.members.iter().find(|(n, _)| n == member).map(|(_, v)| *v)
    }
}

/// One API route as the fake serves it.
#[derive(Debug)]
pub(crate) struct ServiceModel {
    /// `api/v2.0`, without slashes around it.
    pub route: String,
    /// The `$metadata` document, served as it was given.
    pub metadata: String,
    pub sets: BTreeMap<String, SetModel>,
    pub types: BTreeMap<String, TypeModel>,
    pub enums: BTreeMap<String, EnumModel>,
    /// The entity set of companies (`companies`), when the route has one.
    pub company_set: Option<String>,
}

impl ServiceModel {
    /// Reads a `$metadata` document for `route`.
    pub(crate) fn from_csdl(route: &str, metadata: &str) -> Result<ServiceModel, String> {
        let model = odata_v4_csdl::edmx::read_str(route, metadata).map_err(|diagnostics| {
            let first = diagnostics.0.first().map(|d| d.to_string()).unwrap_or_default();
            format!("the $metadata for `{route}` could not be read: {first}")
        })?;
        let mut service = ServiceModel {
            route: route.trim_matches('/').to_owned(),
            metadata: metadata.to_owned(),
            sets: BTreeMap::new(),
            types: BTreeMap::new(),
            enums: BTreeMap::new(),
            company_set: None,
        };
        for set in model.entity_sets() {
            let capabilities = set.annotations.capabilities();
            service.sets.insert(
                set.name.clone(),
                SetModel {
                    name: set.name.clone(),
                    type_name: set.entity_type.to_string(),
                    insertable: capabilities.can_insert(),
                    updatable: capabilities.can_update(),
                    deletable: capabilities.can_delete(),
                    sortable: capabilities.can_sort(),
                    filterable: capabilities.can_filter(),
                },
            );
        }
        for (name, enum_type) in &model.enum_types {
            let members = enum_type.members.iter().map(|m| (m.name.clone(), m.value)).collect();
            service.enums.insert(name.to_string(), EnumModel { members });
        }
        for (name, entity) in &model.entity_types {
            let type_model = service.read_entity_type(name, entity, &model);
            service.types.insert(name.to_string(), type_model);
        }
        service.company_set = service.sets.values().find(|s| s.name == "companies").map(|s| s.name.clone());
        service.mark_company_scoped();
        Ok(service)
    }

    fn read_entity_type(&self, name: &ir::QualifiedName, entity: &ir::EntityType, model: &ir::Model) -> TypeModel {
        let key: Vec<String> = model.key_of(entity).unwrap_or_default().iter().map(|k| k.name.clone()).collect();
        let set = self.sets.values().find(|s| s.type_name == name.to_string());
        let insertable = set.is_none_or(|s| s.insertable);
        let updatable = set.is_none_or(|s| s.updatable);
        let properties = model
            .all_properties(entity)
            .into_iter()
            .map(|property| {
                let is_key = key.contains(&property.name);
                let mut modelled = self.property(property, model, is_key);
                let documented = bc_rules::documented_read_only(&name.name, &property.name);
                modelled.read_only_on_create |= documented || !insertable;
                modelled.read_only_on_update |= documented || !updatable || is_key;
                modelled
            })
            .collect();
        let navigations = model
            .all_navigation_properties(entity)
            .into_iter()
            .filter_map(|nav| {
                Some(NavigationModel {
                    name: nav.name.clone(),
                    target: nav.ty.entity()?.to_string(),
                    collection: nav.ty.collection,
                    contains_target: nav.contains_target,
                    constraints: nav
                        .referential_constraints
                        .iter()
                        .map(|c| (c.property.clone(), c.referenced_property.clone()))
                        .collect(),
                })
            })
            .collect();
        let alternate_keys = entity
            .annotations
            .alternate_keys()
            .into_iter()
            .map(|k| k.parts.into_iter().map(|p| (p.alias, p.property)).collect())
            .collect();
        let actions = model
            .actions()
            .filter(|a| a.is_bound && a.binding_type().and_then(ir::TypeRef::entity) == Some(name))
            .map(|a| a.name.to_string())
            .collect();
        TypeModel {
            name: name.to_string(),
            properties,
            key,
            alternate_keys,
            navigations,
            actions,
            company_scoped: false,
        }
    }

    /// A property, with Business Central's read-only rules applied:
    /// computed or read-permission properties, system fields,
    /// server-assigned keys and streams are the service's to fill in.
    fn property(&self, property: &ir::Property, model: &ir::Model, is_key: bool) -> PropertyModel {
        let (kind, max_length) = match &property.ty.target {
            TypeTarget::Primitive(p) => (Kind::Primitive(Edm::of(*p)), property.facets.max_length),
            TypeTarget::Enum(name) => (Kind::Enum(name.to_string()), None),
            TypeTarget::Complex(name) => (Kind::Complex(name.to_string()), None),
            TypeTarget::TypeDefinition(name) => {
                let underlying = model.type_definitions.get(name).map_or(Edm::Other, |d| Edm::of(d.underlying_type));
                (Kind::Primitive(underlying), property.facets.max_length)
            }
            _ => (Kind::Primitive(Edm::Other), None),
        };
        let max_length = match max_length {
            Some(ir::MaxLength::Length(n)) => Some(n),
            _ => None,
        };
        let annotations = &property.annotations;
        let never = annotations.computed()
            || annotations.permissions() == Some(Permission::Read)
            || bc_rules::is_system_field(&property.name)
            || (is_key && bc_rules::is_server_assigned_key(&property.name, kind == Kind::Primitive(Edm::Guid)))
            || kind == Kind::Primitive(Edm::Stream);
        PropertyModel {
            name: property.name.clone(),
            kind,
            collection: property.ty.collection,
            max_length,
            read_only_on_create: never,
            read_only_on_update: never || annotations.immutable(),
        }
    }

    /// Types reachable from the company type through containment live in a company.
    fn mark_company_scoped(&mut self) {
        let Some(company_type) = self.company_set.as_ref().map(|set| self.sets[set].type_name.clone()) else {
            return;
        };
        let mut scoped = BTreeSet::new();
        let mut pending = vec![company_type.clone()];
        while let Some(name) = pending.pop() {
            let Some(ty) = self.types.get(&name) else { continue };
            for nav in ty.navigations.iter().filter(|n| n.contains_target) {
                if nav.target != company_type && scoped.insert(nav.target.clone()) {
                    pending.push(nav.target.clone());
                }
            }
        }
        for name in scoped {
            if let Some(ty) = self.types.get_mut(&name) {
                ty.company_scoped = true;
            }
        }
    }

    pub(crate) fn set(&self, name: &str) -> Option<&SetModel> {
        self.sets.get(name)
    }

    pub(crate) fn entity_type(&self, name: &str) -> Option<&TypeModel> {
        self.types.get(name)
    }

    /// The entity set whose entities have type `type_name`, if any.
    pub(crate) fn set_of_type(&self, type_name: &str) -> Option<&SetModel> {
        self.sets.values().find(|s| s.type_name == type_name)
    }

    /// The qualified type of the company entity set.
    pub(crate) fn company_type(&self) -> Option<&str> {
        self.company_set.as_ref().map(|set| self.sets[set].type_name.as_str())
    }
}

/// The SDK's routes, read once per process from the `$metadata` they were
/// generated from (`business_central_sdk::schemas`).
pub(crate) mod builtin {
    use std::sync::OnceLock;

    use business_central_sdk::schemas;

    use super::*;

    fn cached(
        cell: &'static OnceLock<Result<Arc<ServiceModel>, String>>,
        route: &str,
        metadata: &str,
    ) -> Result<Arc<ServiceModel>, String> {
        cell.get_or_init(|| ServiceModel::from_csdl(route, metadata).map(Arc::new)).clone()
    }

    /// `api/v2.0`.
    pub(crate) fn api_v2_0() -> Result<Arc<ServiceModel>, String> {
        static MODEL: OnceLock<Result<Arc<ServiceModel>, String>> = OnceLock::new();
        cached(&MODEL, "api/v2.0", schemas::API_V2_0)
    }

    /// `api/microsoft/reportsFinance/beta`.
    pub(crate) fn reports_finance_beta() -> Result<Arc<ServiceModel>, String> {
        static MODEL: OnceLock<Result<Arc<ServiceModel>, String>> = OnceLock::new();
        cached(&MODEL, "api/microsoft/reportsFinance/beta", schemas::API_MICROSOFT_REPORTS_FINANCE_BETA)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v2_model_knows_sets_keys_containment_and_actions() {
        let model = builtin::api_v2_0().expect("the committed schema reads");
        assert_eq!(model.sets.len(), 87);
        let company = model.entity_type(model.company_type().expect("companies")).expect("company type");
        assert_eq!(company.key, ["id"]);
        assert!(company.alternate_keys.iter().any(|k| k == &[("name".to_owned(), "name".to_owned())]));
        let customer = model.entity_type("Microsoft.NAV.customer").expect("customer");
        assert!(customer.company_scoped);
        assert!(customer.property("balanceDue").expect("balanceDue").read_only_on_create, "documented read-only");
        assert!(customer.property("id").expect("id").read_only_on_update);
        assert!(!customer.property("displayName").expect("displayName").read_only_on_update);
        let invoice = model.entity_type("Microsoft.NAV.salesInvoice").expect("invoice");
        assert!(invoice.actions.contains("Microsoft.NAV.post"));
        let lines = invoice.navigation("salesInvoiceLines").expect("lines");
        assert_eq!(lines.constraints, [("id".to_owned(), "documentId".to_owned())]);
        let entries = model.set("generalLedgerEntries").expect("entries");
        assert!(!entries.insertable && !entries.updatable && !entries.deletable);
        assert!(!model.entity_type("Microsoft.NAV.subscriptions").expect("subscriptions").company_scoped);
    }

    /// The table keys name types of `api/v2.0` and properties they have; a
    /// type with a `number` or `code` is in the table or said not to be.
    #[test]
    fn table_keys_fit_the_v2_model() {
        use crate::table_keys::{NOT_KEYED_BY_NUMBER_OR_CODE, TABLE_KEYS, table_key};
        let model = builtin::api_v2_0().expect("the committed schema reads");
        for (at, key) in TABLE_KEYS.iter().enumerate() {
            assert!(TABLE_KEYS[..at].iter().all(|k| k.entity_type != key.entity_type), "{} twice", key.entity_type);
            let ty = model.types.values().find(|t| t.short_name() == key.entity_type);
            let ty = ty.unwrap_or_else(|| panic!("no entity type {}", key.entity_type));
            for (property, _) in key.fields {
                assert!(ty.property(property).is_some(), "{} has no property {property}", key.entity_type);
            }
        }
        for set in model.sets.values() {
            let ty = model.entity_type(&set.type_name).expect("the set's type");
            let short = ty.short_name();
            if ty.property("number").is_some() || ty.property("code").is_some() {
                assert!(
                    table_key(short).is_some() || NOT_KEYED_BY_NUMBER_OR_CODE.contains(&short),
                    "{} ({short}) has a number or code: give its table key in table_keys.rs, or list it as not keyed by it",
                    set.name
                );
            }
        }
    }
}
