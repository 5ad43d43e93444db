//! A test server as a child process: started in its own process group,
//! ready once it prints `READY <port>`, killed with its group when dropped
//! (also when the test that owns it panics) or, for shared servers, when
//! the test binary exits.
//!
//! Every server started through here also takes a lifeline: its standard
//! input is a pipe only this process holds, and the server exits when it
//! reaches end of file (`--exit-with-stdin`), so it stops even if the test
//! binary dies without running exit hooks.

// Process groups and exit hooks have no safe std API; each `unsafe` block
// below is one plain libc call with its SAFETY note.
#![allow(unsafe_code)]

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
#[cfg(unix)]
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use crate::PeerError;

/// A running server process. Dropping it kills the process group.
#[derive(Debug)]
pub struct ServerProcess {
    /// Short name used in messages.
    name: String,
    child: Child,
    /// Held open for the server's lifetime; see the module docs.
    _lifeline: ChildStdin,
    port: u16,
    log: PathBuf,
    /// Set once the process has been waited for, so its id is not signalled again.
    reaped: bool,
}

impl ServerProcess {
    /// Spawns `command` with its stdin and stdout piped and its stderr in
    /// `log`, and waits up to `deadline` for its `READY <port>` line. On
    /// failure the error quotes the end of the log.
    pub fn start(name: &str, mut command: Command, log: &Path, deadline: Duration) -> Result<ServerProcess, PeerError> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| PeerError::new(format!("cannot create {}: {e}", dir.display())))?;
        }
        let log_file =
            File::create(log).map_err(|e| PeerError::new(format!("cannot create {}: {e}", log.display())))?;
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::from(log_file));
        // Its own process group, so that it and anything it spawns die together.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let program = command.get_program().to_string_lossy().into_owned();
        let mut child = command
            .spawn()
            .map_err(|e| PeerError::new(format!("cannot start the {name} server (`{program}`): {e}")))?;
        let (Some(lifeline), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(PeerError::new(format!("the {name} server's stdin/stdout pipes were not created")));
        };
        let mut server = ServerProcess {
            name: name.to_owned(),
            child,
            _lifeline: lifeline,
            port: 0,
            log: log.to_path_buf(),
            reaped: false,
        };
        server.port = server.wait_until_ready(stdout, deadline)?;
        Ok(server)
    }

    /// Reads the `READY <port>` line within `deadline`.
    fn wait_until_ready(&mut self, stdout: impl Read + Send + 'static, deadline: Duration) -> Result<u16, PeerError> {
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let until = Instant::now() + deadline;
        loop {
            let remaining = until.saturating_duration_since(Instant::now());
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
                    return Err(self.failure(&format!("it was not ready within {deadline:?}")));
                }
            }
        }
    }

    fn failure(&self, what: &str) -> PeerError {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        PeerError::new(format!(
            "the {} server failed: {what}\nlog {}:\n{}",
            self.name,
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

    /// Where the server's stderr goes.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Kills the process group and reaps the server; idempotent.
    fn kill(&mut self) {
        if !self.reaped {
            #[cfg(unix)]
            kill_group(self.child.id());
            #[cfg(not(unix))]
            let _ = self.child.kill();
            let _ = self.child.wait();
            self.reaped = true;
        }
    }

    /// Kills this server when the test binary exits, for servers kept in a
    /// `static` (statics are never dropped).
    pub fn kill_at_exit(&self) {
        #[cfg(unix)]
        register_for_exit(self.pid());
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(unix)]
fn kill_group(pid: u32) {
    if let Ok(pgid) = libc::pid_t::try_from(pid) {
        // SAFETY: plain syscall; the group was created for this server.
        unsafe { libc::killpg(pgid, libc::SIGKILL) };
    }
}

/// `<test binary>-<server>-<n>.log`: stable across runs, so each run
/// overwrites the previous run's logs instead of piling up new ones.
pub fn log_file_name(server: &str) -> String {
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
    format!("{binary}-{server}-{n}.log")
}

/// Process groups to kill when the test binary exits.
#[cfg(unix)]
static SHARED_GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

#[cfg(unix)]
fn register_for_exit(pid: u32) {
    static HOOK: Once = Once::new();
    SHARED_GROUPS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(pid);
    HOOK.call_once(|| {
        // SAFETY: registers a plain `extern "C"` function that never unwinds.
        unsafe { libc::atexit(kill_shared_servers) };
    });
}

#[cfg(unix)]
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

/// Whether a process with this id exists (zombies included): how the tests
/// check that a dropped server is gone.
#[cfg(unix)]
#[allow(unsafe_code)] // No safe std API sends signal 0.
pub fn process_exists(pid: u32) -> bool {
    let pid = libc::pid_t::try_from(pid).expect("pid fits");
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// The tests that look processes up by id are ignored where this is.
#[cfg(not(unix))]
pub fn process_exists(_pid: u32) -> bool {
    panic!("looking a process up by id is not supported on this platform")
}
