//! Runs the SDK's examples (`sdk/examples/*.rs`) against the local peer, as
//! a user would: separate programs configured through environment
//! variables. Cargo builds them as binaries of this package (see
//! `tests/Cargo.toml`), so no nested `cargo run` is needed. The webhook
//! example runs until stopped: it gets a peer of its own, changes are made
//! while it runs, and it is stopped with a signal.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use business_central_sdk::api::v2_0::{self, customer, enums::InvoiceEntityAggregateStatus, sales_invoice};
use business_central_sdk::webhooks::Subscriptions;
use sdk_tests::fixtures::{CRONUS_ID, CRONUS_NAME, MULLER_ID, MULLER_NAME};
use sdk_tests::{PeerConfig, PeerServer, SharedPeer, peer_control, shared};

const RUN_DEADLINE: Duration = Duration::from_secs(60);

/// Runs an example binary against the shared peer with `settings` on top of
/// the connection variables, and returns its output.
fn run_example(binary: &str, company: (&str, &str), settings: &[(&str, &str)]) -> Output {
    let peer = shared(SharedPeer::ApiV2);
    let mut command = Command::new(binary);
    for name in
        ["BC_TENANT_ID", "BC_CLIENT_ID", "BC_CLIENT_SECRET", "BC_ENVIRONMENT", "BC_COMPANY_ID", "BC_COMPANY_NAME"]
    {
        command.env_remove(name);
    }
    command.env("BC_BASE_URL", peer.base_url()).env("BC_PROFILE", "strict").env(company.0, company.1);
    command.envs(settings.iter().copied()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run {binary}: {e}"));
    let (mut stdout, mut stderr) = (child.stdout.take().expect("stdout"), child.stderr.take().expect("stderr"));
    let readers =
        (std::thread::spawn(move || read_all(&mut stdout)), std::thread::spawn(move || read_all(&mut stderr)));
    let deadline = Instant::now() + RUN_DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{binary} did not finish within {RUN_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = readers.0.join().expect("stdout reader");
    let stderr = readers.1.join().expect("stderr reader");
    Output { status, stdout, stderr }
}

fn read_all(stream: &mut impl Read) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    bytes
}

fn succeeded(output: &Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}", output.status);
    (stdout, stderr)
}

const CRONUS_BY_NAME: (&str, &str) = ("BC_COMPANY_NAME", CRONUS_NAME);

#[test]
fn list_customers() {
    let (stdout, stderr) = succeeded(&run_example(env!("CARGO_BIN_EXE_example_list_customers"), CRONUS_BY_NAME, &[]));
    let names: Vec<&str> = stdout.lines().map(|line| line.split_whitespace().nth(1).unwrap_or_default()).collect();
    assert_eq!(names, ["Alpine", "O'Brien", "Zoë's", "Northwind"], "blocked customers are left out:\n{stdout}");
    assert!(stdout.contains("Zoë's Café #7 + Co"), "{stdout}");
    assert!(stderr.contains("4 customers"), "{stderr}");

    let prefix = [("CUSTOMER_NAME_PREFIX", "O'Brien")];
    let (stdout, _) = succeeded(&run_example(env!("CARGO_BIN_EXE_example_list_customers"), CRONUS_BY_NAME, &prefix));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("20000") && stdout.contains("O'Brien & Sons"), "{stdout}");
}

#[test]
fn export_gl_entries_to_stdout() {
    let settings = [("GL_FROM", "2025-02-01"), ("GL_TO", "2025-02-28"), ("GL_PAGE_SIZE", "5")];
    let company = ("BC_COMPANY_ID", &*CRONUS_ID.to_string());
    let (stdout, stderr) = succeeded(&run_example(env!("CARGO_BIN_EXE_example_export_gl_entries"), company, &settings));
    let lines: Vec<&str> = stdout.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert_eq!(
        lines[0],
        "entryNumber,postingDate,documentNumber,documentType,accountNumber,description,debitAmount,creditAmount"
    );
    assert_eq!(lines.len(), 1 + 12, "{stdout}");
    assert!(
        lines.contains(&"1005,2025-02-03,SI-1002,Invoice,40100,Sales invoice: Northwind Traders,0.00,2400.50"),
        "{stdout}"
    );
    assert!(
        lines.contains(&"1009,2025-02-28,CM-1001,Credit Memo,40100,Credit memo: Northwind Traders,400.50,0.00"),
        "{stdout}"
    );
    assert!(
        lines.contains(&"1019,2025-02-10,GJ-003,,60100,Annual insurance premium,10000.00,0.00"),
        "blank type: {stdout}"
    );
    assert!(stderr.contains("exported 12 entries ("), "{stderr}");
}

#[test]
fn export_gl_entries_to_a_file() {
    let path = std::env::temp_dir().join(format!("gl-export-{}.csv", std::process::id()));
    let path_text = path.to_string_lossy().into_owned();
    let checkpoint = std::env::temp_dir().join(format!("gl-export-{}.checkpoint.json", std::process::id()));
    let checkpoint_text = checkpoint.to_string_lossy().into_owned();
    let settings = [
        ("GL_FROM", "2024-01-01"),
        ("GL_TO", "2025-12-31"),
        ("GL_OUTPUT", path_text.as_str()),
        ("GL_PAGE_SIZE", "4"),
        ("GL_CONCURRENCY", "3"),
        ("GL_CHECKPOINT", checkpoint_text.as_str()),
    ];
    let (stdout, stderr) =
        succeeded(&run_example(env!("CARGO_BIN_EXE_example_export_gl_entries"), CRONUS_BY_NAME, &settings));
    let csv = std::fs::read_to_string(&path).expect("the export file was written");
    let _ = std::fs::remove_file(&path);
    assert!(stdout.is_empty(), "nothing on stdout when writing a file: {stdout}");
    assert!(!checkpoint.exists(), "a completed export removes its checkpoint");
    assert!(stderr.contains("exported 62 entries ("), "{stderr}");
    let mut lines: Vec<&str> = csv.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert_eq!(lines.len(), 1 + 62);
    // Ranges were read in parallel: every entry once, whatever the order.
    let mut numbers: Vec<u32> =
        lines.split_off(1).iter().map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 62, "no entry twice");
    assert!(
        csv.contains(
            "1017,2025-01-31,FC-0001,Finance Charge Memo,11200,\"Finance charge, \"\"overdue\"\": Northwind Traders\",35.00,0.00\r\n"
        ),
        "commas and quotes are escaped:\n{csv}"
    );
}

#[tokio::test]
async fn create_and_post_invoice() {
    let settings = [
        ("INVOICE_CUSTOMER_NUMBER", "10000"),
        ("INVOICE_LINES", "ITM-100:2, ITM-400:1.5"),
        ("INVOICE_EXTERNAL_NUMBER", "E2E-EXAMPLE"),
    ];
    let company = ("BC_COMPANY_ID", &*MULLER_ID.to_string());
    let (stdout, _) =
        succeeded(&run_example(env!("CARGO_BIN_EXE_example_create_and_post_invoice"), company, &settings));
    assert!(stdout.contains("created invoice S-INV-"), "{stdout}");
    assert!(stdout.contains("status Open"), "{stdout}");

    let client = shared(SharedPeer::ApiV2).client();
    let muller = v2_0::Api::new(&client).company(MULLER_ID);
    let invoices = muller
        .sales_invoices()
        .list()
        .filter(sales_invoice::external_document_number().eq("E2E-EXAMPLE"))
        .expand(sales_invoice::sales_invoice_lines())
        .collect()
        .await
        .expect("the example's invoice");
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0].status, Some(InvoiceEntityAggregateStatus::Open));
    assert_eq!(invoices[0].sales_invoice_lines.as_ref().map(Vec::len), Some(2));
}

#[test]
fn customer_payment_creates_the_journal_once() {
    let settings = [
        ("PAYMENT_JOURNAL_CODE", "EXAMPLE"),
        ("PAYMENT_CUSTOMER_NUMBER", "20000"),
        ("PAYMENT_AMOUNT", "321.00"),
        ("PAYMENT_INVOICE_NUMBER", "S-INV-5001"),
        ("PAYMENT_POSTING_DATE", "2025-03-05"),
    ];
    let company = ("BC_COMPANY_NAME", MULLER_NAME);
    let (first, _) = succeeded(&run_example(env!("CARGO_BIN_EXE_example_customer_payment"), company, &settings));
    assert!(first.contains("created journal EXAMPLE"), "{first}");
    assert!(
        first
            .contains("payment line 10000 in journal EXAMPLE: 321.00 from customer 20000 (Contoso Pharmaceuticals), applied to S-INV-5001"),
        "{first}"
    );
    let (second, _) = succeeded(&run_example(env!("CARGO_BIN_EXE_example_customer_payment"), company, &settings));
    assert!(!second.contains("created journal"), "the journal is reused: {second}");
    assert!(second.contains("payment line 20000 in journal EXAMPLE"), "{second}");
}

#[test]
fn a_missing_setting_is_named() {
    let output = run_example(env!("CARGO_BIN_EXE_example_export_gl_entries"), CRONUS_BY_NAME, &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GL_FROM"), "{stderr}");
}

#[test]
fn an_interval_too_long_to_add_to_a_date_is_refused_not_a_panic() {
    let settings = [("WEBHOOK_CLIENT_STATE", "state"), ("POLL_SECONDS", "18446744073709551615")];
    let output = run_example(env!("CARGO_BIN_EXE_example_keep_customers_in_sync"), CRONUS_BY_NAME, &settings);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("POLL_SECONDS: at most"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A long-running example: started, watched through its output lines, and
/// stopped with a signal.
struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(binary: &str, environment: &[(&str, String)]) -> Running {
        let mut command = Command::new(binary);
        for name in
            ["BC_TENANT_ID", "BC_CLIENT_ID", "BC_CLIENT_SECRET", "BC_ENVIRONMENT", "BC_COMPANY_ID", "BC_COMPANY_NAME"]
        {
            command.env_remove(name);
        }
        command.envs(environment.iter().map(|(name, value)| (*name, value.as_str())));
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("start the example");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines, seen: Vec::new() }
    }

    /// Waits for an output line starting with `prefix`.
    fn wait_for_line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + RUN_DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => panic!("no line starting with {prefix:?}; output so far:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Sends `signal` and waits for a successful exit.
    fn stop(mut self, signal: Signal) -> Vec<String> {
        signal.send(&self.child);
        let status = self.child.wait().expect("wait for the example");
        let mut seen = std::mem::take(&mut self.seen);
        seen.extend(self.lines.iter());
        assert!(status.success(), "the example failed ({status}):\n{}", seen.join("\n"));
        seen
    }
}

/// How the example is asked to stop: what a service manager sends, or Ctrl-C.
#[derive(Debug, Clone, Copy)]
enum Signal {
    Terminate,
    Interrupt,
}

impl Signal {
    #[cfg(unix)]
    #[allow(unsafe_code)] // No safe std API sends SIGINT or SIGTERM.
    fn send(self, child: &std::process::Child) {
        let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
        let signal = match self {
            Signal::Terminate => libc::SIGTERM,
            Signal::Interrupt => libc::SIGINT,
        };
        // SAFETY: signals our own child process.
        unsafe { libc::kill(pid, signal) };
    }

    /// The test that stops the example this way is ignored where this is.
    #[cfg(not(unix))]
    fn send(self, _child: &std::process::Child) {
        panic!("sending {self:?} to another process is not supported on this platform")
    }
}

/// `id → display name` of the copy the example keeps.
fn customers_csv(path: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let Ok(mut reader) = csv::Reader::from_path(path) else { return Default::default() };
    reader
        .records()
        .map_while(Result::ok)
        .map(|record| (record.get(0).unwrap_or_default().to_owned(), record.get(2).unwrap_or_default().to_owned()))
        .collect()
}

impl Drop for Running {
    fn drop(&mut self) {
        // A failing test must not leave the example running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until the copy equals the server's customers of the company.
async fn copy_matches_server(path: &std::path::Path, customers: &customer::CustomersPath) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let server: std::collections::BTreeMap<String, String> = customers
            .list()
            .collect()
            .await
            .expect("the server's customers")
            .into_iter()
            .map(|c| (c.id.to_string(), c.display_name))
            .collect();
        let copy = customers_csv(path);
        if copy == server {
            return;
        }
        assert!(Instant::now() < deadline, "the copy did not catch up:\ncopy {copy:?}\nserver {server:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(unix), ignore = "stops the example with SIGTERM and SIGINT: Unix only")]
async fn keep_customers_in_sync_with_webhooks_and_incremental_sync() {
    let peer = PeerServer::start(PeerConfig { name: "example-keep-in-sync", ..PeerConfig::api_v2() }).expect("peer");
    peer_control::configure_webhooks(&peer, 200, &[100, 200, 400]).await.expect("notification timing");
    let work = std::env::temp_dir().join(format!("sdk-keep-in-sync-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work directory");
    let csv = work.join("customers.csv");
    let environment = [
        ("BC_BASE_URL", peer.base_url()),
        ("BC_PROFILE", "strict".to_owned()),
        ("BC_COMPANY_ID", CRONUS_ID.to_string()),
        ("WEBHOOK_CLIENT_STATE", "example secret 3f9d5a0e-8c1b-4f7e-a2d6-5b0c9e8f1a24".to_owned()),
        ("CUSTOMERS_CSV", csv.display().to_string()),
        ("SYNC_STATE_FILE", work.join("state.json").display().to_string()),
        ("LISTEN_ADDRESS", "127.0.0.1:0".to_owned()),
        // Long enough that only notifications can explain a quick update.
        ("POLL_SECONDS", "3600".to_owned()),
    ];
    let binary = env!("CARGO_BIN_EXE_example_keep_customers_in_sync");
    let api = v2_0::Api::new(&peer.client());
    let customers = api.company(CRONUS_ID).customers();
    let subscriptions = Subscriptions::new(api.raw());

    // First run: a full read, then changes arrive through notifications.
    let mut example = Running::start(binary, &environment);
    let ready = example.wait_for_line("ready:");
    assert!(ready.contains("5 customers"), "{ready}");
    assert_eq!(subscriptions.list().await.expect("subscriptions").len(), 1);
    let created = customers.create(customer::CustomerCreate::new("Via webhook")).await.expect("create");
    let renamed = customer::CustomerUpdate::new().display_name("Via webhook, renamed");
    customers.key(created.id).update(&created, renamed).await.expect("update");
    let doomed = customers.create(customer::CustomerCreate::new("Short-lived")).await.expect("create");
    copy_matches_server(&csv, &customers).await;
    customers.key(doomed.id).delete(&doomed).await.expect("delete");
    copy_matches_server(&csv, &customers).await;
    let output = example.stop(Signal::Terminate);
    assert!(output.iter().any(|line| line.starts_with("deleted ")), "{output:?}");

    // Changes while it is down are read by the sync when it comes back.
    // This time the company is given by name: the example resolves it to
    // the id that the saved state and the notifications use.
    let offline = customers.create(customer::CustomerCreate::new("Made while offline")).await.expect("create");
    let by_name: Vec<(&str, String)> = environment
        .iter()
        .filter(|(name, _)| *name != "BC_COMPANY_ID")
        .cloned()
        .chain([("BC_COMPANY_NAME", CRONUS_NAME.to_owned()), ("UNSUBSCRIBE_ON_EXIT", "1".to_owned())])
        .collect();
    let mut example = Running::start(binary, &by_name);
    example.wait_for_line("ready:");
    assert!(customers_csv(&csv).contains_key(&offline.id.to_string()), "caught up on start");
    // It listens on another port now: the old subscription was replaced,
    // by one for the company's id.
    let listed = subscriptions.list().await.expect("subscriptions");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].resource, format!("/api/v2.0/companies({CRONUS_ID})/customers"));
    customers.key(offline.id).delete(&offline).await.expect("delete");
    copy_matches_server(&csv, &customers).await;
    let output = example.stop(Signal::Interrupt);
    assert!(output.iter().any(|line| line.starts_with("unsubscribed ")), "{output:?}");
    assert!(subscriptions.list().await.expect("subscriptions").is_empty());
    let _ = std::fs::remove_dir_all(&work);
}
