//! The corrected twin of every program in `ui/fail`: each must compile (and
//! runs, building its request without sending it). They are compiled
//! together as one test crate, which is far cheaper than a binary each;
//! `compile_fail.rs` runs the failing ones through trybuild.

mod and_of_filters_on_two_entities {
    include!("ui/pass/and_of_filters_on_two_entities.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod create_on_read_only_set {
    include!("ui/pass/create_on_read_only_set.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod date_compared_with_text {
    include!("ui/pass/date_compared_with_text.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod decimal_compared_with_float {
    include!("ui/pass/decimal_compared_with_float.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod delete_on_read_only_set {
    include!("ui/pass/delete_on_read_only_set.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod expand_of_a_structural_property {
    include!("ui/pass/expand_of_a_structural_property.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod filter_on_property_of_another_entity {
    include!("ui/pass/filter_on_property_of_another_entity.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod guid_compared_with_number {
    include!("ui/pass/guid_compared_with_number.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod lambda_any_against_business_central {
    include!("ui/pass/lambda_any_against_business_central.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod null_check_on_non_nullable_property {
    include!("ui/pass/null_check_on_non_nullable_property.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod order_by_on_non_sortable_set {
    include!("ui/pass/order_by_on_non_sortable_set.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod or_across_fields_against_business_central {
    include!("ui/pass/or_across_fields_against_business_central.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod or_of_an_and_group_against_business_central {
    include!("ui/pass/or_of_an_and_group_against_business_central.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod ordering_comparison_on_guid {
    include!("ui/pass/ordering_comparison_on_guid.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod projection_nested_of_the_wrong_entity {
    include!("ui/pass/projection_nested_of_the_wrong_entity.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod projection_of_a_navigation_without_expand {
    include!("ui/pass/projection_of_a_navigation_without_expand.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod projection_of_a_property_of_another_entity {
    include!("ui/pass/projection_of_a_property_of_another_entity.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod projection_of_another_entity_set {
    include!("ui/pass/projection_of_another_entity_set.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod projection_of_the_same_property_twice {
    include!("ui/pass/projection_of_the_same_property_twice.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod projection_where_an_entity_is_required {
    include!("ui/pass/projection_where_an_entity_is_required.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod read_only_property_has_no_setter {
    include!("ui/pass/read_only_property_has_no_setter.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod read_only_property_in_create {
    include!("ui/pass/read_only_property_in_create.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod read_only_property_in_update {
    include!("ui/pass/read_only_property_in_update.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod select_after_select_as {
    include!("ui/pass/select_after_select_as.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod select_of_another_entity {
    include!("ui/pass/select_of_another_entity.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod string_function_on_number {
    include!("ui/pass/string_function_on_number.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod sync_of_a_set_without_last_modified {
    include!("ui/pass/sync_of_a_set_without_last_modified.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod update_from_a_projection_without_etag {
    include!("ui/pass/update_from_a_projection_without_etag.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod update_on_read_only_set {
    include!("ui/pass/update_on_read_only_set.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}

mod variant_of_another_enum {
    include!("ui/pass/variant_of_another_enum.rs");

    #[test]
    fn compiles_and_runs() {
        main();
    }
}
