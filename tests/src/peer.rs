//! Starting and stopping the local OData peer (`tests/peer/bc_peer.py`).
//!
//! A [`PeerServer`] is one Python process listening on 127.0.0.1 on a port
//! the OS chose. It is stopped when the value is dropped (also when the test
//! that owns it panics), by killing its whole process group.
//!
//! Tests in one binary normally share a server ([`shared`]): it is started
//! by the first test that asks for it and killed when the test binary exits
//! (on Unix an `atexit` hook kills its process group). Should the binary die
//! without running exit hooks, the server still stops on its own: it exits
//! when its standard input, a pipe only this process holds, reaches end of
//! file (on Windows, that is how shared servers stop).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use business_central_sdk::Environment;
use business_central_sdk::runtime::{Client, ServiceProfile};

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
            schema: repository_path("schemas/api/v2.0/metadata.xml"),
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
            schema: repository_path("schemas/api/microsoft/reportsFinance/beta/metadata.xml"),
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
    child: Child,
    /// Held open for the server's lifetime; see the module docs.
    _lifeline: ChildStdin,
    port: u16,
    log: PathBuf,
    /// Set once the process has been waited for, so its id is not signalled again.
    reaped: bool,
}

impl PeerServer {
    /// Starts a server and waits until it has loaded its seed and listens.
    pub fn start(config: PeerConfig) -> Result<PeerServer, PeerError> {
        let python = python_env::ensure_environment()?;
        let log_dir = python_env::target_dir()?.join("peer-logs");
        std::fs::create_dir_all(&log_dir)
            .map_err(|e| PeerError::new(format!("cannot create {}: {e}", log_dir.display())))?;
        let log = log_dir.join(log_file_name(config.name));
        let log_file =
            File::create(&log).map_err(|e| PeerError::new(format!("cannot create {}: {e}", log.display())))?;

        let mut command = Command::new(&python);
        command
            .arg(repository_path("tests/peer/bc_peer.py"))
            .arg("--schema")
            .arg(&config.schema)
            .args(["--mount", config.mount, "--port", "0", "--exit-with-stdin", "--service", config.service.flag()])
            .arg("--seed")
            .arg(&config.seed)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file));
        process_group::isolate(&mut command);
        if let Some(size) = config.page_size {
            command.args(["--page-size", &size.to_string()]);
        }
        let mut child =
            command.spawn().map_err(|e| PeerError::new(format!("cannot start {}: {e}", python.display())))?;
        let (Some(lifeline), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(PeerError::new("the peer's stdin/stdout pipes were not created"));
        };
        let mut server = PeerServer { config, child, _lifeline: lifeline, port: 0, log, reaped: false };
        server.port = server.wait_until_ready(stdout)?;
        Ok(server)
    }

    /// Reads the `READY <port>` line, within [`STARTUP_DEADLINE`].
    fn wait_until_ready(&mut self, stdout: impl Read + Send + 'static) -> Result<u16, PeerError> {
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + STARTUP_DEADLINE;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match lines_rx.recv_timeout(remaining) {
                Ok(Ok(line)) => {
                    if let Some(port) = line.strip_prefix("READY ").and_then(|port| port.trim().parse().ok()) {
                        return Ok(port);
                    }
                }
                Ok(Err(e)) => return Err(self.failure(&format!("reading its stdout failed: {e}"))),
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                    self.reaped = true;
                    return Err(self.failure(&format!("it exited before becoming ready ({status})")));
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(self.failure(&format!("it was not ready within {STARTUP_DEADLINE:?}")));
                }
            }
        }
    }

    fn failure(&self, what: &str) -> PeerError {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        PeerError::new(format!(
            "the {} peer failed: {what}\nlog {}:\n{}",
            self.config.name,
            self.log.display(),
            tail.join("\n")
        ))
    }

    /// The process id (on Unix also the process group id) of the server.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The port the server listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The base URL under which `api/...` routes live: `http://127.0.0.1:<port>/`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// The service root: `http://127.0.0.1:<port>/api/v2.0/`.
    pub fn service_root(&self) -> String {
        format!("http://127.0.0.1:{}{}/", self.port, self.config.mount)
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

    /// Kills the server (on Unix its process group) and reaps it; idempotent.
    fn kill(&mut self) {
        if !self.reaped {
            process_group::kill(&mut self.child);
            let _ = self.child.wait();
            self.reaped = true;
        }
    }
}

impl Drop for PeerServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Unix: each server leads a process group of its own, so that it and
/// anything it spawns die together, also from the exit hook of a test binary.
// Process groups and exit hooks have no safe std API; each `unsafe` block
// below is one plain libc call with its SAFETY note.
#[cfg(unix)]
#[allow(unsafe_code)]
mod process_group {
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command};
    use std::sync::{Mutex, Once};

    /// Process groups to kill when the test binary exits.
    static SHARED_GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

    /// Starts the server as the leader of a new process group.
    pub(super) fn isolate(command: &mut Command) {
        command.process_group(0);
    }

    /// Kills the server's whole process group.
    pub(super) fn kill(child: &mut Child) {
        kill_group(child.id());
    }

    fn kill_group(pid: u32) {
        if let Ok(pgid) = libc::pid_t::try_from(pid) {
            // SAFETY: plain syscall; the group was created for this server.
            unsafe { libc::killpg(pgid, libc::SIGKILL) };
        }
    }

    /// Kills the group of the shared server `pid` when the test binary exits.
    pub(super) fn kill_at_exit(pid: u32) {
        static HOOK: Once = Once::new();
        SHARED_GROUPS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(pid);
        HOOK.call_once(|| {
            // SAFETY: registers a plain `extern "C"` function that never unwinds.
            unsafe { libc::atexit(kill_shared_servers) };
        });
    }

    extern "C" fn kill_shared_servers() {
        let groups = SHARED_GROUPS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for &pid in groups.iter() {
            kill_group(pid);
            if let Ok(pid) = libc::pid_t::try_from(pid) {
                // SAFETY: reaps our own child; a null status pointer is allowed.
                unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
            }
        }
    }
}

/// Elsewhere (Windows): no process groups. The peer spawns no processes of
/// its own, so killing the server is enough, and a shared server stops when
/// the test binary exits and the system closes the server's stdin pipe
/// (`--exit-with-stdin`).
#[cfg(not(unix))]
mod process_group {
    use std::process::{Child, Command};

    pub(super) fn isolate(_command: &mut Command) {}

    pub(super) fn kill(child: &mut Child) {
        let _ = child.kill();
    }

    pub(super) fn kill_at_exit(_pid: u32) {}
}

/// `<test binary>-<peer>-<n>.log`: stable across runs, so each run
/// overwrites the previous run's logs instead of piling up new ones.
fn log_file_name(peer: &str) -> String {
    static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let exe = std::env::current_exe().ok();
    let stem =
        exe.as_ref().and_then(|path| path.file_stem()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    // Drop cargo's `-<hash>` suffix.
    let binary = match stem.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => name.to_owned(),
        _ => stem,
    };
    format!("{binary}-{peer}-{n}.log")
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
        process_group::kill_at_exit(server.pid());
        Ok(server)
    });
    match started {
        Ok(server) => server,
        Err(error) => panic!("{error}"),
    }
}
