//! The second, independent OData v4 peer: SAP CAP (`@sap/cds` 9) serving
//! the bookshop model of `tests/cap/` (compositions, an ETag,
//! server-driven paging, an enumeration, bound and unbound operations, a
//! read-only entity set) at `/odata/v4/shop/`, on an in-memory SQLite
//! database seeded from `tests/cap/db/data/*.csv`.
//!
//! A [`CapServer`] is one `node tests/cap/server.js` process on 127.0.0.1,
//! on a port the OS chose, with the packages [`node_env`] installed. It
//! stops like the odatapy peer does (see [`ServerProcess`]): killed with its
//! process group when dropped or, for the [`shared_cap`] server, when the
//! test binary exits, and by itself when the test process is gone.

use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::server_process::{ServerProcess, log_file_name};
use crate::{PeerError, node_env, python_env};

/// The longest CAP may take from spawn to `READY` (about 2 s: loading the
/// model, deploying it to SQLite and reading the seed).
const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

/// The service root below the server's base URL.
pub const SERVICE_ROOT: &str = "odata/v4/shop";

/// A running CAP server. Dropping it kills the server.
#[derive(Debug)]
pub struct CapServer {
    process: ServerProcess,
}

impl CapServer {
    /// Installs the packages if needed, starts a server with fresh seed
    /// data and waits until it listens.
    pub fn start() -> Result<CapServer, PeerError> {
        let node_modules = node_env::ensure_installed()?;
        node_env::check_node(node_env::node_program())?;
        let log = python_env::target_dir()?.join("peer-logs").join(log_file_name("cap"));
        let mut command = Command::new(node_env::node_program());
        command
            .arg(node_env::project_dir().join("server.js"))
            .args(["--port", "0", "--exit-with-stdin"])
            .env("NODE_PATH", node_modules)
            // The development profile: mocked authentication, no production settings.
            .env_remove("NODE_ENV")
            .env_remove("CDS_ENV");
        let process = ServerProcess::start("CAP", command, &log, STARTUP_DEADLINE)?;
        Ok(CapServer { process })
    }

    /// The process id (on Unix also the process group id) of the server.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The port the server listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// The base URL the service root lives under: `http://127.0.0.1:<port>/`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port())
    }

    /// The service root: `http://127.0.0.1:<port>/odata/v4/shop/`.
    pub fn service_root(&self) -> String {
        format!("{}{SERVICE_ROOT}/", self.base_url())
    }

    /// The service's `$metadata` document, as CAP serves it.
    pub fn metadata_url(&self) -> String {
        format!("{}$metadata", self.service_root())
    }
}

static SHARED: OnceLock<Result<CapServer, PeerError>> = OnceLock::new();

/// The CAP server shared by the tests of this binary, started on first use
/// and killed at exit. Panics with the reason if it cannot be started
/// (every test that needs it fails with the same message).
pub fn shared_cap() -> &'static CapServer {
    let started = SHARED.get_or_init(|| {
        let server = CapServer::start()?;
        server.process.kill_at_exit();
        Ok(server)
    });
    match started {
        Ok(server) => server,
        Err(error) => panic!("{error}"),
    }
}
