//! A client generated at build time: `build.rs` runs the OData v4 code
//! generator on `metadata/shop.xml`, and the API is included here. Nothing
//! generated is committed; the client follows the document on every build.
//!
//! ```no_run
//! use example_build_script::shop::{self, product};
//! use odata_v4_runtime::Client;
//!
//! # async fn example() -> Result<(), odata_v4_runtime::Error> {
//! // The service's own URL is the client's base URL (no service root was given).
//! let client = Client::builder("https://shop.example.com/odata/").build()?;
//! let api = shop::Api::new(&client);
//! let cheap = api.products().list().filter(product::price().lt(10)).collect().await?;
//! # let _ = cheap;
//! # Ok(())
//! # }
//! ```

/// The shop's API, generated from `metadata/shop.xml` by `build.rs`.
pub mod shop {
    include!(concat!(env!("OUT_DIR"), "/shop.rs"));
}
