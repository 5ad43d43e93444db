//! The harness itself: servers stop when their owner goes away, whether it
//! returns, panics or exits, and a missing Python says what to install.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use business_central_sdk::api::microsoft::reports_finance::beta;
use sdk_tests::fixtures::CRONUS_ID;
use sdk_tests::peer::repository_path;
use sdk_tests::server_process::process_exists;
use sdk_tests::{PeerConfig, PeerServer, python_env};

async fn serves_requests(server: &PeerServer) -> bool {
    let client = server.client();
    beta::Api::new(&client).company(CRONUS_ID).get().await.is_ok()
}

#[tokio::test]
#[cfg_attr(not(unix), ignore = "looks the server up by process id with kill(pid, 0): Unix only")]
async fn dropping_a_server_kills_it() {
    let first = PeerServer::start(PeerConfig::reports_finance_beta()).expect("first server");
    let second = PeerServer::start(PeerConfig::reports_finance_beta()).expect("second server");
    assert_ne!(first.port(), second.port(), "each server gets its own free port");
    assert!(serves_requests(&first).await && serves_requests(&second).await);

    let (first_pid, second_pid) = (first.pid(), second.pid());
    drop(first);
    assert!(!process_exists(first_pid), "the dropped server is gone");
    assert!(process_exists(second_pid), "the other one is untouched");
    assert!(serves_requests(&second).await);
    drop(second);
    assert!(!process_exists(second_pid));
}

#[test]
#[cfg_attr(not(unix), ignore = "looks the server up by process id with kill(pid, 0): Unix only")]
fn a_panicking_test_still_stops_its_server() {
    let mut pid = None;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let server = PeerServer::start(PeerConfig::reports_finance_beta()).expect("server");
        pid = Some(server.pid());
        panic!("a failing assertion while the server runs");
    }));
    assert!(outcome.is_err());
    let pid = pid.expect("the server had started");
    assert!(!process_exists(pid), "unwinding dropped the server and killed it");
}

/// What keeps a shared server from outliving a test binary that dies
/// without running exit hooks: the server exits by itself once its stdin
/// (a pipe only the parent holds) is closed.
#[test]
fn the_server_exits_when_its_parent_closes_stdin() {
    let python = python_env::ensure_environment().expect("python environment");
    let config = PeerConfig::reports_finance_beta();
    let mut child = Command::new(python)
        .arg(repository_path("tests/peer/bc_peer.py"))
        .arg("--schema")
        .arg(&config.schema)
        .arg("--seed")
        .arg(&config.seed)
        .args(["--mount", config.mount, "--exit-with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the peer");
    let stdout = child.stdout.take().expect("stdout pipe");
    let mut first_line = String::new();
    BufReader::new(stdout).read_line(&mut first_line).expect("read READY");
    assert!(first_line.starts_with("READY "), "{first_line:?}");

    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the peer kept running after its stdin closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn a_missing_python_says_what_to_install() {
    let error = python_env::check_base_python("/nonexistent/python3").expect_err("no interpreter there");
    assert!(error.to_string().contains("apt-get install python3 python3-venv"), "{error}");
}
