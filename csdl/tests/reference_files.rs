//! Where [`FileLoader`] reads referenced documents from: regular files in
//! the main document's directory or below it, at most
//! `MAX_DOCUMENT_BYTES`; everything else is refused, before it is opened.
//! Each test builds its own directory under `CARGO_TARGET_TMPDIR`:
//! `service/` (the main document, `inside.xml`, `sub/nested.xml`) and, next
//! to it, `outside/secret.xml`, a valid document the main one must never
//! read.

use std::path::{Path, PathBuf};

use odata_v4_csdl::diag::DiagnosticKind;
use odata_v4_csdl::edmx::{self, DocumentLoader, FileLoader, LoadErrorKind, MAX_DOCUMENT_BYTES};

/// A document declaring namespace `Ref` with a complex type `thing`.
const REFERENCED: &str = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices><Schema Namespace="Ref" xmlns="http://docs.oasis-open.org/odata/ns/edm">
    <ComplexType Name="thing"><Property Name="n" Type="Edm.Int32"/></ComplexType>
  </Schema></edmx:DataServices></edmx:Edmx>"#;

/// A main document that uses `Ref.thing` from the document at `uri`.
fn main_document(uri: &str) -> String {
    format!(
        r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="{uri}"><edmx:Include Namespace="Ref"/></edmx:Reference>
  <edmx:DataServices><Schema Namespace="Main" xmlns="http://docs.oasis-open.org/odata/ns/edm">
    <ComplexType Name="holder"><Property Name="it" Type="Ref.thing"/></ComplexType>
  </Schema></edmx:DataServices></edmx:Edmx>"#
    )
}

struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reference-files").join(name);
        let _ = std::fs::remove_dir_all(&root);
        let sandbox = Sandbox { root };
        sandbox.write("service/inside.xml", REFERENCED);
        // A nested document reaching a sibling of its directory: still inside.
        sandbox.write("service/sub/nested.xml", &main_document("../inside.xml").replace("Main", "Nested"));
        sandbox.write("outside/secret.xml", REFERENCED);
        sandbox
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
        std::fs::write(&path, text).expect("written");
    }

    fn main(&self) -> PathBuf {
        self.path("service/main.xml")
    }

    /// What the loader makes of `uri` written in the main document.
    fn load(&self, uri: &str) -> Result<String, (LoadErrorKind, String)> {
        let main = self.main();
        let mut loader = FileLoader::beside(&main);
        match loader.load(&main.display().to_string(), uri) {
            Ok(loaded) => Ok(loaded.location),
            Err(e) => Err((e.kind(), e.to_string())),
        }
    }

    /// Reads the main document with a reference to `uri`.
    fn read(&self, uri: &str) -> Result<odata_v4_csdl::ir::Model, odata_v4_csdl::diag::Diagnostics> {
        self.write("service/main.xml", &main_document(uri));
        edmx::read_file(&self.main())
    }

    fn assert_refused(&self, uri: &str, kind: LoadErrorKind, message: &str) {
        let (found, text) = self.load(uri).expect_err(uri);
        assert_eq!(found, kind, "{uri}: {text}");
        assert!(text.contains(message), "{uri}: `{text}` should contain `{message}`");
        let errors = self.read(uri).expect_err(uri);
        assert_eq!(errors.0[0].kind, DiagnosticKind::UnreadableReference, "{errors}");
        assert!(errors.0[0].message.contains(message), "{errors}");
    }
}

#[test]
fn a_reference_beside_or_below_the_document_is_read() {
    let sandbox = Sandbox::new("inside");
    let inside = sandbox.path("service/inside.xml");
    let absolute = inside.display().to_string();
    let uris = [
        "inside.xml".to_owned(),
        "./inside.xml".to_owned(),
        "sub/../inside.xml".to_owned(),
        "in%73ide.xml".to_owned(),
        absolute.clone(),
        format!("file://{absolute}"),
        format!("file://localhost{absolute}"),
    ];
    for uri in &uris {
        assert_eq!(sandbox.load(uri).map(PathBuf::from), Ok(inside.clone()), "{uri}");
        let model = sandbox.read(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        let source = model.schemas.iter().find_map(|s| s.source.as_deref()).expect("a referenced schema");
        assert_eq!(Path::new(source), inside, "{uri}");
    }
    // sub/nested.xml reads `../inside.xml`, a sibling of its directory inside the main one's.
    let uses_nested =
        main_document("sub/nested.xml").replace("\"Ref\"", "\"Nested\"").replace("Ref.thing", "Nested.holder");
    sandbox.write("service/main.xml", &uses_nested);
    let nested = edmx::read_file(&sandbox.main()).unwrap_or_else(|e| panic!("{e}"));
    let sources: Vec<&str> = nested.schemas.iter().filter_map(|s| s.source.as_deref()).collect();
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert_eq!(Path::new(sources[1]), inside);
}

#[test]
fn a_reference_outside_the_directory_is_refused_before_it_is_read() {
    let sandbox = Sandbox::new("outside");
    let secret = sandbox.path("outside/secret.xml").display().to_string();
    let uris = [
        "../outside/secret.xml".to_owned(),
        "sub/../../outside/secret.xml".to_owned(),
        "%2e%2e/outside/secret.xml".to_owned(),
        "..%2Foutside%2Fsecret.xml".to_owned(),
        secret.clone(),
        format!("file://{secret}"),
        "/etc/passwd".to_owned(),
        "file:///etc/passwd".to_owned(),
        "/dev/zero".to_owned(),
        "FILE:///dev/zero".to_owned(),
        "../../../../../../../../../../dev/zero".to_owned(),
    ];
    for uri in &uris {
        sandbox.assert_refused(uri, LoadErrorKind::OutsideDirectory, "the directory of the main document");
    }
}

#[test]
fn urls_and_other_hosts_are_refused() {
    let sandbox = Sandbox::new("urls");
    sandbox.assert_refused("https://example.com/inside.xml", LoadErrorKind::Url, "is a URL");
    sandbox.assert_refused("file://server/share/inside.xml", LoadErrorKind::Url, "names a file on host `server`");
}

#[test]
fn a_uri_that_cannot_name_a_file_is_refused() {
    let sandbox = Sandbox::new("invalid");
    sandbox.assert_refused("inside.xml%00", LoadErrorKind::InvalidUri, "cannot name a file");
    sandbox.assert_refused("in%FFside.xml", LoadErrorKind::InvalidUri, "cannot name a file");
}

#[test]
fn a_missing_file_is_named() {
    let sandbox = Sandbox::new("missing");
    sandbox.assert_refused("nowhere.xml", LoadErrorKind::NotFound, "nowhere.xml does not exist");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed_only_inside_the_directory() {
    use std::os::unix::fs::symlink;
    let sandbox = Sandbox::new("links");
    symlink("inside.xml", sandbox.path("service/alias.xml")).expect("a link");
    symlink("../outside/secret.xml", sandbox.path("service/leak.xml")).expect("a link");
    symlink("/dev/zero", sandbox.path("service/zero.xml")).expect("a link");
    symlink(sandbox.path("outside"), sandbox.path("service/elsewhere")).expect("a link");
    let location = sandbox.load("alias.xml").expect("a link to a sibling is read");
    assert!(location.ends_with("alias.xml"), "{location}");
    sandbox.read("alias.xml").unwrap_or_else(|e| panic!("{e}"));
    for uri in ["leak.xml", "zero.xml", "elsewhere/secret.xml"] {
        sandbox.assert_refused(uri, LoadErrorKind::OutsideDirectory, "is a symbolic link to");
    }
}

#[cfg(unix)]
#[test]
fn only_regular_files_are_opened() {
    let sandbox = Sandbox::new("special");
    sandbox.assert_refused("sub", LoadErrorKind::NotARegularFile, "is not a regular file");
    let _socket = std::os::unix::net::UnixListener::bind(sandbox.path("service/socket.xml")).expect("a socket");
    sandbox.assert_refused("socket.xml", LoadErrorKind::NotARegularFile, "is not a regular file");
    // Opening a FIFO for reading would wait for a writer forever.
    let made = std::process::Command::new("mkfifo").arg(sandbox.path("service/pipe.xml")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo (coreutils) makes the FIFO");
    sandbox.assert_refused("pipe.xml", LoadErrorKind::NotARegularFile, "is not a regular file");
}

#[test]
fn a_file_larger_than_the_limit_is_refused_unread() {
    let sandbox = Sandbox::new("large");
    // Sparse: it takes no room on disk, and reading it would take 64 MiB of memory.
    let huge = std::fs::File::create(sandbox.path("service/huge.xml")).expect("created");
    huge.set_len(MAX_DOCUMENT_BYTES + 1).expect("sized");
    sandbox.assert_refused("huge.xml", LoadErrorKind::TooLarge, "is larger than 64 MiB");
    // The main document has the same limit.
    let main = std::fs::File::create(sandbox.path("service/big-main.xml")).expect("created");
    main.set_len(MAX_DOCUMENT_BYTES + 1).expect("sized");
    let errors = edmx::read_file(&sandbox.path("service/big-main.xml")).expect_err("too large");
    assert!(errors.0[0].message.contains("the file is larger than 64 MiB"), "{errors}");
}
