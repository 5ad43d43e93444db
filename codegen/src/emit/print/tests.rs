//! The fast layout against prettyplease's, shape by shape. Each test also
//! checks how much prettyplease had to write: the shapes generated code
//! repeats must take the fast path, or generation slows down unnoticed.

use super::{Formatting, file, file_counted};

/// The layout of `source` (written as `quote!` would give it: no trailing
/// commas), checked against prettyplease's; and how many bytes of it
/// prettyplease wrote.
fn fast(source: &str) -> (String, usize) {
    let tokens: proc_macro2::TokenStream = source.parse().expect("test source lexes");
    let expected = file(tokens.clone(), Formatting::Prettyplease).expect("test source parses");
    let (text, exact_bytes) = file_counted(tokens, Formatting::Fast).expect("test source parses");
    if text != expected {
        let line = text.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(0);
        let around = |t: &str| t.lines().skip(line.saturating_sub(2)).take(6).collect::<Vec<_>>().join("\n");
        panic!("the layouts differ at line {line}:\n{}\n--- prettyplease:\n{}", around(&text), around(&expected));
    }
    (text, exact_bytes)
}

#[test]
fn short_items_are_written_without_prettyplease() {
    let (text, exact) = fast(
        r#"
        #![doc = " A module."]
        #[allow(unused_imports)]
        use ::odata_v4_runtime as rt;
        #[doc = " Entity type `NAV.bin`."]
        #[derive(Debug, Clone, PartialEq)]
        pub struct Bin { #[doc = " Wire name `code`."] pub code: String, pub zone: Option<String> }
        pub mod fields {
            use super::rt;
            #[derive(Debug, Clone, Copy)]
            pub struct Code;
            impl rt::Property for Code { type Entity = super::Bin; type Value = String; const NAME: &'static str = "code"; }
            impl rt::SettableOnCreate for Code {}
        }
        pub const fn code() -> rt::Prop<fields::Code> { rt::Prop::new() }
        impl<'de> rt::serde::Deserialize<'de> for Bin {
            fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_map(BinVisitor)
            }
        }
        impl<S: rt::EntitySet> ::std::future::IntoFuture for Call<S> {
            type Output = Result<u8, rt::Error>;
            fn into_future(self) -> Self::IntoFuture { ::std::future::IntoFuture::into_future(self.request()) }
        }
        fn visit(self, mut map: A) -> Result<Bin, A::Error> {
            let mut v_code = None;
            while let Some(key) = map.next_key::<rt::__private::FieldName<'de>>()? {
                match key.as_str() {
                    "code" => v_code = rt::__private::next_required(&mut map)?,
                    "@odata.context" | "@context" => { map.next_value::<rt::serde::de::IgnoredAny>()?; }
                    "unit" => (),
                    _ => extra.insert(key.into_owned(), map.next_value()?),
                }
            }
            Ok(Self { fields })
        }
        rt::__private::set_paths!(BinEntities, BinEntitiesPath, BinPath);
        "#,
    );
    assert_eq!(exact, 0, "{text}");
    assert!(
        text.starts_with("//! A module.\n#[allow(unused_imports)]\nuse ::odata_v4_runtime as rt;\n/// Entity type")
    );
}

#[test]
fn long_lines_are_broken_as_prettyplease_breaks_them() {
    let (text, exact) = fast(
        r#"
        impl rt::Edm for AVeryLongEntityTypeNameThatTakesSpace {
            fn deserialize_edm<'de, D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <Self as rt::serde::Deserialize<'de>>::deserialize(deserializer)
            }
        }
        impl<'de> rt::serde::de::Visitor<'de> for CommunicationsApplicationInstanceIdentityVisitor {
            type Value = u8;
        }
        impl Visitor {
            fn visit(self, mut map: A) -> Result<Bin, A::Error> {
                match key.as_str() {
                    "dataSecurityAndGovernance" => v_data_security_and_governance = rt::__private::next_nullable(&mut map)?,
                    "retentionEventTypes" => value.related::<super::retention_event_type::RetentionEventTypeCreate>("retentionEventTypes"),
                }
                fields.navigation("secureScoreControlProfiles", &self.secure_score_control_profiles)?;
                v_content.etag = map.next_value::<Option<String>>()?.map(rt::ETag::new).unwrap_or_default();
                Ok(SomeEntityTypeName {
                    id: v_id,
                    minimum_supported_operating_system: v_minimum_supported_operating_system.ok_or_else(|| rt::__private::missing("minimumSupportedOperatingSystem"))?,
                    body_last_modified_date_time: v_body_last_modified_date_time.ok_or_else(|| rt::__private::missing("x"))?,
                    accounts_block_adding_non_microsoft_account_email: rt::__private::required(v_accounts_block_adding_non_microsoft_account_email, "accountsBlockAddingNonMicrosoftAccountEmail")?,
                    apps_allow_trusted_apps_sideloading: rt::__private::required(v_apps_allow_trusted_apps_sideloading, "appsAllowTrustedAppsSideloading")?
                })
            }
        }
        impl Payload {
            const ALWAYS_SELECTED: &'static [&'static str] = &["id", "bodyLastModifiedDateTime", "createdDateTime", "importance"];
            const EXPECTING: &'static str = "a microsoft.graph.teamsAdministration.telephoneNumberLongRunningOperation create payload";
        }
        "#,
    );
    assert_eq!(exact, 0, "{text}");
    assert!(text.contains("    fn deserialize_edm<'de, D: rt::serde::Deserializer<'de>>(\n        deserializer: D,\n    ) -> Result<Self, D::Error> {\n"));
    assert!(
        text.contains(
            "impl<'de> rt::serde::de::Visitor<'de>\nfor CommunicationsApplicationInstanceIdentityVisitor {\n"
        )
    );
    assert!(
        text.contains("\"dataSecurityAndGovernance\" => {\n                v_data_security_and_governance = "),
        "{text}"
    );
}

#[test]
fn what_the_fast_path_does_not_know_goes_to_prettyplease_item_by_item() {
    let (text, exact) = fast(
        r#"
        impl Thing {
            pub fn short(&self) -> u8 { 1 }
            pub fn choose(&self) -> u8 { let x = if self.a { 1 } else { 2 }; x }
            pub fn block(&self) -> u8 { rt::f(&{ let value: u8 = 1; value }) }
        }
        pub struct Wide { pub a_field_with_a_long_name: Option<Box<super::super::a_module::AVeryLongTypeNameIndeed>> }
        "#,
    );
    assert!(exact > 0);
    // The short method stayed on the fast path.
    assert!(exact < text.len() - "    pub fn short(&self) -> u8 {\n        1\n    }\n".len());
}

#[test]
fn doc_text_is_written_as_prettyplease_writes_it() {
    let (_, exact) = fast(
        r#"
        #[doc = " Quotes \" and backslashes \\ and \u{e9}t\u{e9}, trailing spaces   "]
        #[doc = r" A raw doc, as `///` inside `quote!` gives."]
        #[doc = ""]
        pub struct Documented;
        "#,
    );
    assert_eq!(exact, 0);
    // Text prettyplease writes as a block comment is left to it.
    let (_, exact) = fast(
        r#"
        #[doc = " two\n lines"]
        pub struct Multi;
        #[doc = "/ starts with a slash"]
        pub struct Slash;
        "#,
    );
    assert!(exact > 0);
}

#[test]
fn tokens_that_are_not_rust_are_an_error_not_a_panic() {
    let tokens: proc_macro2::TokenStream = "pub struct ; fn ()".parse().expect("lexes");
    assert!(file(tokens, Formatting::Fast).is_err());
}

#[test]
fn the_broken_shapes_of_wide_types_take_the_fast_path() {
    // Each shape as Microsoft Graph's widest types have it, and around the
    // widths where prettyplease starts to break it.
    let source = String::from(
        r#"
        pub struct TelephoneNumberLongRunningOperationEntitiesPath(rt::CollectionPath<TelephoneNumberLongRunningOperationEntities>);
        impl X {
            fn read<'de, A: rt::serde::de::MapAccess<'de>>(name: &str, value: rt::__private::PayloadValue<'_, A>) -> Result<bool, A::Error> {
                match name {
                    "assignmentPolicies" => value.related::<super::access_package_assignment_policy::AccessPackageAssignmentPolicyCreate>("assignmentPolicies"),
                    _ => Ok(false),
                }
            }
            pub fn new(id: impl Into<String>, subject_lifecycle: super::enums::AccessPackageSubjectLifecycle) -> Self {
                let mut fields = rt::PayloadFields::new();
                AccessPackageSubjectCreate { fields }
            }
            fn visit(self, mut map: A) -> Result<Bin, A::Error> {
                Ok(Windows10GeneralConfiguration {
                    id: rt::__private::required(v_id, "id")?,
                    accounts_block_adding_non_microsoft_account_email: rt::__private::required(v_accounts_block_adding_non_microsoft_account_email, "accountsBlockAddingNonMicrosoftAccountEmail")?,
                    enterprise_cloud_print_mopria_discovery_resource_identifier: v_enterprise_cloud_print_mopria_discovery_resource_identifier,
                })
            }
            pub fn set<P>(mut self, property: rt::Prop<P>, value: impl Into<P::Inner>) -> Self where P: rt::SettableOnCreate + rt::Property<Entity = AccessPackageAssignmentRequestWorkflowExtension>, P::Inner: rt::Edm {
                self
            }
        }
        "#,
    );
    let (text, exact) = fast(&source);
    assert_eq!(exact, 0, "{text}");
    assert!(text.contains("pub struct TelephoneNumberLongRunningOperationEntitiesPath(\n    rt::CollectionPath<"));
    assert!(text.contains("            + rt::Property<Entity = AccessPackageAssignmentRequestWorkflowExtension>,\n"));
    assert!(text.contains("AccessPackageSubjectCreate {\n            fields,\n        }\n"));
    let mut source = String::from("impl Y {\n");
    for n in 30..62 {
        let name = "A".repeat(n);
        source.push_str(&format!(
            "fn from_str{n}(text: &str) -> Self {{ match text {{ \"{name}\" | \"b\" => Ok(Self::TargetAgentIdentitySponsorOrOwner), }} }}\n\
             fn last{n}<P>(self) -> Self where P::Inner: rt::Edm, P: rt::SettableOnCreate + rt::Property<Entity = {name}> + Send {{ self }}\n\
             fn not_last{n}<P>(self) -> Self where P: rt::SettableOnCreate + rt::Property<Entity = {name}> + Send, P::Inner: rt::Edm {{ self }}\n\
             fn literal{n}() -> Self {{ {} {{ fields }} }}\n",
            &name[..n - 20]
        ));
    }
    source.push_str("}\n");
    // Widths across the edges of each rule: `fast` compares every layout
    // with prettyplease's; at an edge an item may go to prettyplease.
    let (text, exact) = fast(&source);
    assert!(exact < text.len() / 4, "prettyplease wrote {exact} of {} bytes", text.len());
}

#[test]
fn navigation_chains_break_as_prettyplease_breaks_them_and_take_the_fast_path() {
    // The bodies of navigation methods, with names of every width across
    // the edges: the chain whole, `self` `.0` and links on their own
    // lines, the turbofish broken, and its arguments broken too.
    let mut source = String::from("impl Y {\n");
    // (From 69 on, the signature's `) -> Path {` is too long: another shape.)
    for n in 1..69 {
        let name = "a".repeat(n);
        let wire = "w".repeat(n + 12);
        source.push_str(&format!(
            "pub fn one{n}(&self) -> super::{name}::P {{ super::{name}::P::from(self.0.single::<super::{name}::E>(\"{wire}\")) }}\n\
             pub fn key{n}(&self, id: impl Into<String>) -> super::{name}::P {{ super::{name}::P::from(self.0.collection::<super::{name}::E>(\"{wire}\").key_path(&id.into())) }}\n"
        ));
    }
    source.push_str("}\n");
    let (text, exact) = fast(&source);
    assert!(text.contains("            self\n                .0\n                .single::<\n"), "{text}");
    assert!(text.contains("                >(\n"), "{text}");
    // At an edge (a line that fits only without its trailing comma) an
    // item may go to prettyplease; the rest may not.
    assert!(exact < text.len() / 50, "prettyplease wrote {exact} of {} bytes", text.len());
}

#[test]
fn wide_generic_types_and_return_paths_break_as_prettyplease_breaks_them() {
    // Struct fields, `fn() -> Type<…>` and `) -> path {` with names of
    // every width across the edges of each rule.
    let mut source = String::new();
    for n in 1..70 {
        let name = "a".repeat(n);
        source.push_str(&format!(
            "pub struct S{n} {{ pub f: Option<Vec<super::{name}::T>>, pub g: Option<Box<super::x::{name}>>, pub h: Option<super::complex::{name}> }}\n\
             pub const fn c{n}() -> rt::Prop<fields::{name}> {{ rt::Prop::new() }}\n\
             impl Y{n} {{ pub fn p{n}(&self, id: impl Into<String>) -> super::{name}::{name}Path {{ self.0.url() }} }}\n\
             impl Z{n} {{ pub fn q{n}(mut self, related: impl IntoIterator<Item = super::{name}::{name}Create>) -> Self {{ self }} }}\n\
             impl W{n} {{ pub fn r{n}(mut self, related: impl IntoIterator<Item = super::{name}::{name}Create>, id: u8) -> Self {{ self }} }}\n"
        ));
    }
    let (text, exact) = fast(&source);
    assert!(text.contains("    pub f: Option<\n        Vec<\n"), "{text}");
    assert!(text.contains("() -> rt::Prop<\n    fields::"), "{text}");
    assert!(text.contains("        related: impl IntoIterator<\n            Item = super::"), "{text}");
    assert!(exact < text.len() / 20, "prettyplease wrote {exact} of {} bytes", text.len());
}

#[test]
fn a_variant_too_long_for_its_line_goes_to_prettyplease() {
    let long = "A".repeat(100);
    let (text, exact) = fast(&format!("pub enum E {{ {long}(u8), B }}"));
    assert!(exact > 0, "{text}");
}
