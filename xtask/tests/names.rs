//! The Rust names the generator chooses, over real models: Business
//! Central v2.0 and TripPin (both carried in the repository) and Microsoft
//! Graph v1.0 (read beside the repository, `../shared/metadata/`).
//!
//! Every name a user types (modules, types, path methods, setters, filter
//! handles, operations) stays within a length, never repeats "by key"
//! (`_by_key_by_`), and BC's all-lowercase set names come out in words.

use std::path::{Path, PathBuf};

use business_central_codegen::BusinessCentral;
use heck::ToSnakeCase;
use odata_v4_codegen::customize::Customization;
use odata_v4_codegen::emit::{self, ApiInput, ApiPlan};
use odata_v4_codegen::facts::DocFacts;
use odata_v4_codegen::ir::Model;
use odata_v4_codegen::{Standard, edmx};

/// How much longer than the longest name in the metadata (in snake case) a
/// generated name may be: room for a type suffix (`Create`, `Path`) or a
/// by-key suffix naming two key properties (`_by_app_id_and_name`);
/// anything longer means the generator strung together words the metadata
/// did not.
const LONGER_BY_AT_MOST: usize = 20;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// The plan of the metadata at `path`, and the length of the longest name
/// in it (types, properties, navigations, sets, operations), in snake case.
fn plan(path: &Path, customization: &dyn Customization) -> (ApiPlan, usize) {
    let model = edmx::read_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let longest = longest_name(&model);
    let documentation = DocFacts::default();
    let plan = emit::plan(&ApiInput {
        route: "api/v1",
        model: &model,
        documentation: &documentation,
        source: &path.display().to_string(),
        customization,
    });
    (plan, longest)
}

fn longest_name(model: &Model) -> usize {
    let mut names: Vec<&str> = Vec::new();
    for (name, entity) in &model.entity_types {
        names.push(&name.name);
        names.extend(entity.properties.iter().map(|p| p.name.as_str()));
        names.extend(entity.navigation_properties.iter().map(|n| n.name.as_str()));
    }
    for (name, complex) in &model.complex_types {
        names.push(&name.name);
        names.extend(complex.properties.iter().map(|p| p.name.as_str()));
    }
    names.extend(model.operations.iter().map(|o| o.name.name.as_str()));
    names.extend(model.entity_sets().iter().map(|s| s.name.as_str()));
    names.into_iter().map(|name| name.to_snake_case().len()).max().unwrap_or(0)
}

/// Every name of the plan a user writes, with what it names.
fn names(plan: &ApiPlan) -> Vec<(String, String)> {
    let mut names = Vec::new();
    let mut add = |what: &str, name: &str| names.push((what.to_owned(), name.to_owned()));
    for entity in &plan.entities {
        let of = |what: &str| format!("{what} of {}", entity.qualified.name);
        add(&of("module"), &entity.module);
        for name in [&entity.struct_name, &entity.create_name, &entity.update_name] {
            add(&of("type"), name);
        }
        entity.key_struct.iter().for_each(|name| add(&of("key type"), name));
        for field in &entity.fields {
            for name in [&field.ident, &field.handle, &field.setter, &field.marker] {
                add(&of("field"), name);
            }
        }
        for navigation in &entity.navigations {
            add(&of("navigation"), &navigation.path_method);
            navigation.key_method.iter().for_each(|name| add(&of("navigation by key"), name));
            navigation.deep_insert_setter.iter().for_each(|name| add(&of("deep insert"), name));
        }
        for set in &entity.sets {
            set.collection_path.iter().for_each(|name| add(&of("collection path"), name));
            add(&of("entity path"), &set.entity_path);
            add(&of("set marker"), &set.marker);
        }
        entity.alternate_keys.iter().for_each(|key| add(&of("alternate key"), &key.method));
        for operation in entity.actions.iter().chain(&entity.collection_actions) {
            add(&of("operation"), &operation.method);
        }
        entity.streams.iter().for_each(|stream| add(&of("stream"), &stream.method));
    }
    for enumeration in &plan.enums {
        add("enum", &enumeration.name);
        enumeration.members.iter().for_each(|member| add(&format!("member of {}", enumeration.name), &member.variant));
    }
    for complex in &plan.complexes {
        add("complex type", &complex.name);
        complex.fields.iter().for_each(|field| add(&format!("field of {}", complex.name), &field.ident));
    }
    for set in &plan.root_sets {
        add("root set", &set.collection_method);
        set.key_method.iter().for_each(|name| add("root set by key", name));
        set.alternate_keys.iter().for_each(|(method, _)| add("root alternate key", method));
    }
    plan.singletons.iter().for_each(|singleton| add("singleton", &singleton.method));
    plan.imports.iter().for_each(|import| add("import", &import.method));
    names
}

fn assert_readable(model: &str, (plan, longest): &(ApiPlan, usize)) -> Vec<(String, String)> {
    let names = names(plan);
    assert!(names.len() > 100, "{model}: only {} names", names.len());
    let by_key: Vec<_> = names.iter().filter(|(_, name)| name.contains("by_key")).collect();
    assert!(by_key.is_empty(), "{model}: names saying \"by key\": {by_key:?}");
    let limit = longest + LONGER_BY_AT_MOST;
    let too_long: Vec<_> = names.iter().filter(|(_, name)| name.len() > limit).collect();
    assert!(too_long.is_empty(), "{model}: names over {limit} characters: {too_long:?}");
    names
}

fn has(names: &[(String, String)], name: &str) -> bool {
    names.iter().any(|(_, n)| n == name)
}

#[test]
fn business_central_names_are_words() {
    let plan = plan(&workspace().join("sdk/schemas/api/v2.0/metadata.xml"), &BusinessCentral);
    let names = assert_readable("BC v2.0", &plan);
    // Sets named in one lowercase run, split by the model's own words.
    for expected in [
        "api_category_routes",
        "ApiCategoryRoute",
        "external_business_event_definitions",
        "ExternalBusinessEventDefinition",
        "external_event_subscriptions",
        "ExternalEventSubscription",
        // Alternate keys are named by their key.
        "external_business_event_definition_by_app_id_and_name",
        "by_name",
    ] {
        assert!(has(&names, expected), "BC v2.0 has no `{expected}`");
    }
    for unsplit in ["apicategoryroutes", "externalbusinesseventdefinitions", "ApicategoryroutesSet"] {
        assert!(!has(&names, unsplit), "BC v2.0 still has `{unsplit}`");
    }
}

#[test]
fn trippin_names_are_words() {
    let plan = plan(&workspace().join("tests/peer/schemas/trippin.xml"), &Standard);
    let names = assert_readable("TripPin", &plan);
    for expected in ["people", "person", "Person", "PersonPath", "PeoplePath", "airport", "get_nearest_airport"] {
        assert!(has(&names, expected), "TripPin has no `{expected}`");
    }
}

#[test]
#[cfg_attr(not(has_shared_graph), ignore = "needs ../shared/metadata/graph-v1.0.xml beside the repository")]
fn graph_names_are_within_bounds() {
    let plan = plan(&workspace().join("../shared/metadata/graph-v1.0.xml"), &Standard);
    let names = assert_readable("Graph v1.0", &plan);
    for expected in ["users", "user", "UserPath", "me"] {
        assert!(has(&names, expected), "Graph has no `{expected}`");
    }
}
