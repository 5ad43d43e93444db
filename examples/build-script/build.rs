//! Generates the shop's client from its `$metadata` at build time.

fn main() {
    // Writes `$OUT_DIR/shop.rs` and tells Cargo to run again when the
    // document changes; the generator's warnings become Cargo warnings.
    odata_v4_codegen::Generator::from_file("metadata/shop.xml")
        .build_script("shop.rs")
        .unwrap_or_else(|error| panic!("cannot generate the shop client: {error}"));
}
