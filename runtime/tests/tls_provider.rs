//! Finding 4 of the hardening review: building a client installed ring as
//! the process-wide rustls crypto provider, so an application's own
//! `install_default()` failed afterwards (and silently ran on ring instead
//! of aws-lc-rs or a FIPS provider). A test binary of its own: the provider
//! is process state.

use odata_v4_runtime::Client;

#[test]
fn the_application_can_still_choose_the_process_wide_provider() {
    // Building the client builds its TLS configuration (provider, platform
    // verifier, ALPN).
    let client = Client::builder("https://services.example/").build();
    assert!(client.is_ok(), "{client:?}");

    assert!(rustls::crypto::CryptoProvider::get_default().is_none(), "the client installed a provider");
    // Deprecated since rustls 0.23.48 (no post-quantum key exchange), and
    // still the provider the default features build.
    #[allow(deprecated)]
    let installed = rustls::crypto::ring::default_provider().install_default();
    assert!(installed.is_ok(), "the application's own provider was refused");
    assert!(Client::builder("https://services.example/").build().is_ok(), "and clients are built with it");
}
