//! Starting and stopping the local OData peer (`tests/peer/bc_peer.py`).
//!
//! A [`PeerServer`] is one Python process listening on 127.0.0.1 on a port
//! the OS chose. It is stopped when the value is dropped (also when the test
//! that owns it panics), by killing its whole process group.
//!
//! Tests in one binary normally share a server ([`shared`]): it is started
//! by the first test that asks for it and killed when the test binary exits
//! (an `atexit` hook kills its process group). Should the binary die without
//! running exit hooks, the server still stops on its own: it exits when its
//! standard input, a pipe only this process holds, reaches end of file (see
//! [`ServerProcess`]).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use business_central_sdk::Environment;
use business_central_sdk::runtime::{Client, ServiceProfile};

use crate::server_process::{ServerProcess, log_file_name};
use crate::{PeerError, python_env};

/// The longest a server may take from spawn to `READY` (loading BC's
/// 300 kB $metadata and the seed takes well under a second).
const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

/// The page size the peers serve collections in, so that listings of the
/// seeded general ledger entries (62 rows) span several pages.
pub const SERVER_PAGE_SIZE: u32 = 10;

/// What one peer instance serves.
#[derive(Debug, Clone)]
pub struct PeerConfig {
    /// Short name used in log file names and messages.
    pub name: &'static str,
    /// The `$metadata` document to serve.
    pub schema: PathBuf,
    /// URL path of the service root, as BC routes it (`/api/v2.0`).
    pub mount: &'static str,
    /// The seed file (format described in `bc_peer.py`).
    pub seed: PathBuf,
    /// Server-driven page size (`None`: no paging).
    pub page_size: Option<u32>,
    /// Whose behaviour the peer adds to odatapy.
    pub service: PeerService,
}

/// Whose behaviour the peer adds to odatapy (`bc_peer.py --service`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerService {
    /// Business Central's (`bc_processor.py`, `alternate_keys.py`).
    BusinessCentral,
    /// TripPin's, the OData reference service (`trippin.py`).
    TripPin,
}

impl PeerService {
    fn flag(self) -> &'static str {
        match self {
            PeerService::BusinessCentral => "business-central",
            PeerService::TripPin => "trippin",
        }
    }
}

impl PeerConfig {
    /// `api/v2.0`, from the project's committed schema.
    pub fn api_v2() -> PeerConfig {
        PeerConfig {
            name: "api-v2.0",
            schema: repository_path("sdk/schemas/api/v2.0/metadata.xml"),
            mount: "/api/v2.0",
            seed: repository_path("tests/peer/seed/v2.0.json"),
            page_size: Some(SERVER_PAGE_SIZE),
            service: PeerService::BusinessCentral,
        }
    }

    /// `api/microsoft/reportsFinance/beta`, from the project's committed schema.
    pub fn reports_finance_beta() -> PeerConfig {
        PeerConfig {
            name: "reports-finance-beta",
            schema: repository_path("sdk/schemas/api/microsoft/reportsFinance/beta/metadata.xml"),
            mount: "/api/microsoft/reportsFinance/beta",
            seed: repository_path("tests/peer/seed/reports-finance-beta.json"),
            page_size: Some(SERVER_PAGE_SIZE),
            service: PeerService::BusinessCentral,
        }
    }
}

impl PeerConfig {
    /// `odata/library`: a small standard OData v4 service of the project's
    /// own (`tests/peer/schemas/library.xml`), not Business Central.
    pub fn library() -> PeerConfig {
        PeerConfig {
            name: "library",
            schema: repository_path("tests/peer/schemas/library.xml"),
            mount: "/odata/library",
            seed: repository_path("tests/peer/seed/library.json"),
            page_size: Some(2),
            service: PeerService::BusinessCentral,
        }
    }

    /// `TripPinRESTierService`: TripPin, the OData v4 reference service
    /// model (`tests/peer/schemas/trippin.xml`, the canonical form of
    /// `../shared/metadata/trippin.xml` as `import-metadata` writes it), with
    /// TripPin's operations and containment (`tests/peer/trippin.py`).
    pub fn trippin() -> PeerConfig {
        PeerConfig {
            name: "trippin",
            schema: repository_path("tests/peer/schemas/trippin.xml"),
            mount: "/TripPinRESTierService",
            seed: repository_path("tests/peer/seed/trippin.json"),
            page_size: Some(2),
            service: PeerService::TripPin,
        }
    }
}

/// A path relative to the repository root (the parent of this package).
pub fn repository_path(relative: &str) -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    package.parent().unwrap_or(package).join(relative)
}

/// A running peer. Dropping it kills the server.
#[derive(Debug)]
pub struct PeerServer {
    config: PeerConfig,
    process: ServerProcess,
}

impl PeerServer {
    /// Starts a server and waits until it has loaded its seed and listens.
    pub fn start(config: PeerConfig) -> Result<PeerServer, PeerError> {
        let python = python_env::ensure_environment()?;
        let log = python_env::target_dir()?.join("peer-logs").join(log_file_name(config.name));
        let mut command = Command::new(&python);
        command
            .arg(repository_path("tests/peer/bc_peer.py"))
            .arg("--schema")
            .arg(&config.schema)
            .args(["--mount", config.mount, "--port", "0", "--exit-with-stdin", "--service", config.service.flag()])
            .arg("--seed")
            .arg(&config.seed)
            .env("PYTHONDONTWRITEBYTECODE", "1");
        if let Some(size) = config.page_size {
            command.args(["--page-size", &size.to_string()]);
        }
        let process = ServerProcess::start(&format!("{} peer", config.name), command, &log, STARTUP_DEADLINE)?;
        Ok(PeerServer { config, process })
    }

    /// The process id (on Unix also the process group id) of the server.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The port the server listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// The base URL under which `api/...` routes live: `http://127.0.0.1:<port>/`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port())
    }

    /// The service root: `http://127.0.0.1:<port>/api/v2.0/`.
    pub fn service_root(&self) -> String {
        format!("http://127.0.0.1:{}{}/", self.port(), self.config.mount)
    }

    /// A client for this peer: strict OData profile (qualified enum
    /// literals, native `in`), no credentials.
    pub fn client(&self) -> Client {
        self.client_builder().build().expect("a client for the local peer builds")
    }

    /// The builder [`PeerServer::client`] uses, to add settings.
    pub fn client_builder(&self) -> business_central_sdk::runtime::ClientBuilder {
        Client::builder(Environment::custom(self.base_url()))
            .profile(ServiceProfile::strict_odata())
            .timeout(Duration::from_secs(30))
    }
}

/// The peers shared by the tests of one binary, killed at exit.
static SHARED_V2: OnceLock<Result<PeerServer, PeerError>> = OnceLock::new();
static SHARED_REPORTS_FINANCE: OnceLock<Result<PeerServer, PeerError>> = OnceLock::new();

/// Which shared peer to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedPeer {
    /// `api/v2.0` with `seed/v2.0.json`.
    ApiV2,
    /// `api/microsoft/reportsFinance/beta` with `seed/reports-finance-beta.json`.
    ReportsFinanceBeta,
}

/// The shared server of this test binary, started on first use. Panics
/// with the reason if it cannot be started (every test that needs it fails
/// with the same message, without retrying the start).
pub fn shared(which: SharedPeer) -> &'static PeerServer {
    let (cell, config): (_, fn() -> PeerConfig) = match which {
        SharedPeer::ApiV2 => (&SHARED_V2, PeerConfig::api_v2),
        SharedPeer::ReportsFinanceBeta => (&SHARED_REPORTS_FINANCE, PeerConfig::reports_finance_beta),
    };
    let started = cell.get_or_init(|| {
        let server = PeerServer::start(config())?;
        server.process.kill_at_exit();
        Ok(server)
    });
    match started {
        Ok(server) => server,
        Err(error) => panic!("{error}"),
    }
}
