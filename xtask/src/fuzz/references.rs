//! Fuzzing `edmx:Reference` targets. A share of the fuzzer's runs read a
//! main document whose references carry hostile `Uri` values (`..` escapes,
//! absolute paths, `file:` URLs, percent-encoding, very long names, devices
//! such as `/dev/zero`, symbolic links, FIFOs, a file over the size limit,
//! self-references and cycles, containers that extend one another) with the
//! real [`FileLoader`], against a scratch directory:
//!
//! ```text
//! <temp>/csdl-fuzz-references-<pid>/
//!   service/   the main document's directory: the only place reads may happen
//!     main.xml a.xml sub/b.xml base.xml depot/depot.xml loop.xml self.xml
//!     cycle1.xml cycle2.xml escape.xml, links (in, out, to /dev/zero, to a
//!     directory outside), pipe.xml (a FIFO), huge.xml (sparse, over the
//!     limit), dir.xml (a directory)
//!   outside/   trap.xml (declares every namespace the inputs use) and fifo.xml
//! ```
//!
//! The checks, on top of "no panic": every document the loader returns lies
//! inside `service/` once symbolic links are resolved (so the trap, which
//! would satisfy any reference, is never read), and is within
//! `MAX_DOCUMENT_BYTES`; a model's schemas all come from inside `service/`;
//! its canonical form reads back, beside the same documents, to the same
//! summary. Opening a FIFO would block: the fuzzer's watchdog reports that
//! as a hang.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use odata_v4_csdl::diag::DiagnosticKind;
use odata_v4_csdl::edmx::{
    self, DocumentLoader, FileLoader, LoadError, LoadedDocument, MAX_DOCUMENT_BYTES, MAX_REFERENCED_DOCUMENTS,
    canonical,
};
use odata_v4_csdl::summary::Summary;

use super::Rng;
use super::oracle::Outcome;

const EDMX: &str = "http://docs.oasis-open.org/odata/ns/edmx";
const EDM: &str = "http://docs.oasis-open.org/odata/ns/edm";

/// A referenced namespace the main document may use, the type it uses from
/// it, whether that type is an entity type (used through navigation), and
/// the `Uri` that serves it properly.
const NAMESPACES: &[(&str, &str, bool, &str)] = &[
    ("Fuzz.A", "thing", false, "a.xml"),
    ("Fuzz.B", "part", false, "sub/b.xml"),
    ("Fuzz.Base", "item", true, "base.xml"),
    ("Fuzz.Depot", "pallet", true, "depot/depot.xml"),
    ("Fuzz.Loop", "thing", false, "loop.xml"),
    ("Fuzz.Self", "x", false, "self.xml"),
    ("Fuzz.C1", "t", false, "cycle1.xml"),
    ("Fuzz.Escape", "e", false, "escape.xml"),
    ("Fuzz.Nowhere", "x", false, "nowhere.xml"),
];

/// What the main container may extend.
const EXTENDS: &[&str] = &[
    "Fuzz.Base.Base",
    "Fuzz.Depot.Depot",
    "Fuzz.Loop.Loop",
    "Fuzz.Main.Service",
    "Fuzz.A.thing",
    "Fuzz.Nowhere.Service",
    "M.Service",
];

/// Path pieces that random `Uri` values are made of.
const SEGMENTS: &[&str] = &[
    "..",
    ".",
    "",
    "sub",
    "depot",
    "outside",
    "service",
    "a.xml",
    "trap.xml",
    "fifo.xml",
    "pipe.xml",
    "huge.xml",
    "dir.xml",
    "link-dir",
    "link-out.xml",
    "%2e%2e",
    "%2E%2E%2F",
    "%2F",
    "%00",
    "%",
    "ä",
    "dev",
    "zero",
];

/// The scratch directory, removed when dropped.
pub(super) struct Sandbox {
    root: PathBuf,
    service: PathBuf,
    /// `service` with symbolic links resolved: what every read must be inside.
    real_service: PathBuf,
    /// Where the main document is said to be.
    main: String,
    /// `Uri` values worth trying, with this sandbox's absolute paths.
    uris: Vec<String>,
}

impl Sandbox {
    pub(super) fn create() -> Result<Sandbox, String> {
        // One per process and call: tests create several at once.
        static CREATED: AtomicUsize = AtomicUsize::new(0);
        let serial = CREATED.fetch_add(1, Ordering::Relaxed);
        let name = format!("csdl-fuzz-references-{}-{serial}", std::process::id());
        let root = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&root);
        let service = root.join("service");
        let outside = root.join("outside");
        let fail = |what: &Path, e: std::io::Error| format!("cannot prepare {}: {e}", what.display());
        for dir in [&service.join("sub"), &service.join("depot"), &service.join("dir.xml"), &outside] {
            std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
        }
        for (name, text) in documents() {
            let path = root.join(name);
            std::fs::write(&path, text).map_err(|e| fail(&path, e))?;
        }
        let huge = service.join("huge.xml");
        std::fs::File::create(&huge).and_then(|f| f.set_len(MAX_DOCUMENT_BYTES + 1)).map_err(|e| fail(&huge, e))?;
        special_files(&service, &outside)?;
        let real_service = std::fs::canonicalize(&service).map_err(|e| fail(&service, e))?;
        let main = service.join("main.xml").display().to_string();
        let uris = uris(&service, &outside);
        Ok(Sandbox { root, service, real_service, main, uris })
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Links are removed, never followed.
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Links in and out, and FIFOs (made with `mkfifo` where it exists: a
/// reader that opened one would block).
#[cfg(unix)]
fn special_files(service: &Path, outside: &Path) -> Result<(), String> {
    use std::os::unix::fs::symlink;
    let links = [
        (PathBuf::from("a.xml"), service.join("link-in.xml")),
        (PathBuf::from("../outside/trap.xml"), service.join("link-out.xml")),
        (PathBuf::from("/dev/zero"), service.join("link-zero.xml")),
        (outside.to_path_buf(), service.join("link-dir")),
    ];
    for (target, link) in links {
        symlink(&target, &link).map_err(|e| format!("cannot link {}: {e}", link.display()))?;
    }
    for fifo in [service.join("pipe.xml"), outside.join("fifo.xml")] {
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            println!("fuzz: no `mkfifo`, so no FIFO to refuse ({})", fifo.display());
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn special_files(_: &Path, _: &Path) -> Result<(), String> {
    Ok(())
}

fn document(references: &str, schemas: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"{EDMX}\">\n{references}\
         <edmx:DataServices>\n{schemas}</edmx:DataServices>\n</edmx:Edmx>\n"
    )
}

fn reference(uri: &str, namespace: &str) -> String {
    format!("<edmx:Reference Uri=\"{uri}\"><edmx:Include Namespace=\"{namespace}\"/></edmx:Reference>\n")
}

fn schema(namespace: &str, body: &str) -> String {
    format!("<Schema Namespace=\"{namespace}\" xmlns=\"{EDM}\">\n{body}</Schema>\n")
}

fn complex(name: &str, property_type: &str) -> String {
    format!("<ComplexType Name=\"{name}\"><Property Name=\"p\" Type=\"{property_type}\"/></ComplexType>\n")
}

fn entity(name: &str) -> String {
    format!(
        "<EntityType Name=\"{name}\"><Key><PropertyRef Name=\"id\"/></Key>\
         <Property Name=\"id\" Type=\"Edm.Int32\" Nullable=\"false\"/></EntityType>\n"
    )
}

/// The files of the sandbox (relative to its root) and their text.
fn documents() -> Vec<(&'static str, String)> {
    let trap: String = NAMESPACES
        .iter()
        .map(|(namespace, ty, is_entity, _)| {
            schema(namespace, &if *is_entity { entity(ty) } else { complex(ty, "Edm.String") })
        })
        .chain([schema("Fuzz.Trap", &complex("bait", "Edm.String"))])
        .collect();
    let base_container = "<EntityContainer Name=\"Base\" Extends=\"Fuzz.Depot.Depot\">\
         <EntitySet Name=\"items\" EntityType=\"Fuzz.Base.item\"/><Singleton Name=\"top\" Type=\"Fuzz.Base.item\"/>\
         <FunctionImport Name=\"count\" Function=\"Fuzz.Base.count\"/></EntityContainer>\n";
    let count = "<Function Name=\"count\"><ReturnType Type=\"Edm.Int32\"/></Function>\n";
    vec![
        ("outside/trap.xml", document("", &trap)),
        ("service/main.xml", main_document(&[], None, &[])),
        (
            "service/a.xml",
            document(&reference("sub/b.xml", "Fuzz.B"), &schema("Fuzz.A", &complex("thing", "Fuzz.B.part"))),
        ),
        (
            "service/sub/b.xml",
            document(&reference("../a.xml", "Fuzz.A"), &schema("Fuzz.B", &complex("part", "Edm.Int32"))),
        ),
        (
            "service/base.xml",
            document(
                &reference("depot/depot.xml", "Fuzz.Depot"),
                &schema("Fuzz.Base", &format!("{}{count}{base_container}", entity("item"))),
            ),
        ),
        (
            "service/depot/depot.xml",
            document(
                "",
                &schema(
                    "Fuzz.Depot",
                    &format!(
                        "{}<EntityContainer Name=\"Depot\"><EntitySet Name=\"pallets\" EntityType=\"Fuzz.Depot.pallet\"/></EntityContainer>\n",
                        entity("pallet")
                    ),
                ),
            ),
        ),
        (
            "service/loop.xml",
            document(
                &reference("main.xml", "Fuzz.Main"),
                &schema(
                    "Fuzz.Loop",
                    &format!(
                        "{}<EntityContainer Name=\"Loop\" Extends=\"Fuzz.Main.Service\"/>\n",
                        complex("thing", "Edm.String")
                    ),
                ),
            ),
        ),
        (
            "service/self.xml",
            document(
                &format!("{}{}", reference("self.xml", "Fuzz.Self"), reference("self.xml", "Fuzz.Again")),
                &schema("Fuzz.Self", &complex("x", "Fuzz.Again.y")),
            ),
        ),
        (
            "service/cycle1.xml",
            document(&reference("cycle2.xml", "Fuzz.C2"), &schema("Fuzz.C1", &complex("t", "Fuzz.C2.t"))),
        ),
        (
            "service/cycle2.xml",
            document(&reference("cycle1.xml", "Fuzz.C1"), &schema("Fuzz.C2", &complex("t", "Fuzz.C1.t"))),
        ),
        (
            "service/escape.xml",
            document(
                &reference("../outside/trap.xml", "Fuzz.Trap"),
                &schema("Fuzz.Escape", &complex("e", "Fuzz.Trap.bait")),
            ),
        ),
    ]
}

/// `Uri` values worth trying: the proper ones, the ones that must be
/// refused, and odd ones.
fn uris(service: &Path, outside: &Path) -> Vec<String> {
    let service = service.display().to_string();
    let outside = outside.display().to_string();
    let mut uris: Vec<String> = NAMESPACES.iter().map(|(_, _, _, uri)| (*uri).to_owned()).collect();
    uris.extend(
        [
            "./a.xml",
            "sub/../a.xml",
            "main.xml",
            "cycle2.xml",
            "link-in.xml",
            "link-out.xml",
            "link-zero.xml",
            "link-dir/trap.xml",
            "pipe.xml",
            "huge.xml",
            "dir.xml",
            "sub",
            "../outside/trap.xml",
            "../outside/fifo.xml",
            "../../outside/trap.xml",
            "sub/../../outside/trap.xml",
            "%2e%2e/outside/trap.xml",
            "..%2Foutside%2Ftrap.xml",
            "%2E%2E%2Foutside%2Ftrap.xml",
            "a%2exml",
            "%61.xml",
            "/etc/passwd",
            "/dev/zero",
            "/dev/stdin",
            "/proc/self/environ",
            "file:///etc/passwd",
            "file:///dev/zero",
            "file://localhost/dev/zero",
            "file://evil.example/a.xml",
            "FILE:a.xml",
            "file:a.xml",
            "https://example.com/a.xml",
            "//example.com/a.xml",
            "\\\\server\\share\\a.xml",
            "C:\\Windows\\win.ini",
            "C:/a.xml",
            "",
            ".",
            "..",
            "/",
            "%00",
            "a.xml%00",
            "%",
            "%%",
            "%zz",
            "%FF",
            "a.xml?x=1",
            "a.xml#frag",
            "ä.xml",
            "%C3%A4.xml",
            "&amp;.xml",
            "&#47;etc&#47;passwd",
        ]
        .map(str::to_owned),
    );
    uris.extend([
        format!("{service}/a.xml"),
        format!("{service}/../outside/trap.xml"),
        format!("{service}/link-out.xml"),
        format!("{outside}/trap.xml"),
        format!("{outside}/fifo.xml"),
        format!("file://{service}/a.xml"),
        format!("file://{outside}/trap.xml"),
        "x".repeat(5000),
        format!("{}a.xml", "a/".repeat(3000)),
        format!("{}etc/passwd", "../".repeat(100)),
    ]);
    uris
}

/// A main document (namespace `Fuzz.Main`, alias `M`) with `references`
/// (`Uri`, namespace), using a type of each namespace in `uses`, its
/// container extending `extends`.
fn main_document(references: &[(String, &str)], extends: Option<&str>, uses: &[usize]) -> String {
    let references: String = references.iter().map(|(uri, namespace)| reference(&escape(uri), namespace)).collect();
    let mut members = String::new();
    let mut bindings = String::new();
    for (i, &index) in uses.iter().enumerate() {
        let (namespace, ty, is_entity, _) = NAMESPACES[index % NAMESPACES.len()];
        if is_entity {
            members.push_str(&format!("<NavigationProperty Name=\"n{i}\" Type=\"{namespace}.{ty}\"/>"));
            let target = if namespace == "Fuzz.Base" { "items" } else { "Fuzz.Depot.Depot/pallets" };
            bindings.push_str(&format!("<NavigationPropertyBinding Path=\"n{i}\" Target=\"{target}\"/>"));
        } else {
            members.push_str(&format!("<Property Name=\"p{i}\" Type=\"{namespace}.{ty}\"/>"));
        }
    }
    let extends = extends.map(|e| format!(" Extends=\"{e}\"")).unwrap_or_default();
    let body = format!(
        "<EntityType Name=\"order\"><Key><PropertyRef Name=\"id\"/></Key>\
         <Property Name=\"id\" Type=\"Edm.Int32\" Nullable=\"false\"/>{members}</EntityType>\n\
         <EntityContainer Name=\"Service\"{extends}><EntitySet Name=\"orders\" EntityType=\"M.order\">{bindings}</EntitySet></EntityContainer>\n"
    );
    document(
        &references,
        &schema("Fuzz.Main", &body)
            .replace("<Schema Namespace=\"Fuzz.Main\"", "<Schema Namespace=\"Fuzz.Main\" Alias=\"M\""),
    )
}

/// The text of an attribute value.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

/// A main document whose references point anywhere: usually where they
/// should, often at one of the sandbox's hostile `Uri` values, sometimes at
/// a random path.
pub(super) fn input(rng: &mut Rng, sandbox: &Sandbox) -> Vec<u8> {
    let count = 1 + rng.below(4);
    let uses: Vec<usize> = (0..count).map(|_| rng.below(NAMESPACES.len())).collect();
    let mut references = Vec::new();
    for &index in &uses {
        let (namespace, _, _, proper) = NAMESPACES[index];
        let uri = match rng.below(8) {
            0..5 => proper.to_owned(),
            5..7 => rng.pick(&sandbox.uris).clone(),
            _ => random_path(rng, sandbox),
        };
        references.push((uri, namespace));
        // Now and then the same namespace twice, or another namespace from the same place.
        if rng.below(6) == 0 {
            let (other, _, _, _) = *rng.pick(NAMESPACES);
            references.push((rng.pick(&sandbox.uris).clone(), other));
        }
    }
    let extends = (rng.below(3) == 0).then(|| *rng.pick(EXTENDS));
    if let Some(container) = extends.and_then(|e| e.rsplit_once('.')).map(|(namespace, _)| namespace) {
        let proper = NAMESPACES.iter().find(|(n, _, _, _)| *n == container).map(|(_, _, _, uri)| *uri);
        let uri = match (proper, rng.below(2)) {
            (Some(proper), 0) => proper.to_owned(),
            _ => rng.pick(&sandbox.uris).clone(),
        };
        references.push((uri, container));
    }
    main_document(&references, extends, &uses).into_bytes()
}

fn random_path(rng: &mut Rng, sandbox: &Sandbox) -> String {
    let mut path = match rng.below(4) {
        0 => format!("{}/", sandbox.service.display()),
        1 => "file:///".to_owned(),
        2 => "/".to_owned(),
        _ => String::new(),
    };
    let segments: Vec<&str> = (0..1 + rng.below(6)).map(|_| *rng.pick(SEGMENTS)).collect();
    path.push_str(&segments.join("/"));
    path
}

/// A loader (the [`FileLoader`] when fuzzing) whose every answer is checked.
struct Watched<'s, L> {
    inner: L,
    sandbox: &'s Sandbox,
    documents: usize,
}

impl<L: DocumentLoader> DocumentLoader for Watched<'_, L> {
    fn load(&mut self, base: &str, uri: &str) -> Result<LoadedDocument, LoadError> {
        let loaded = self.inner.load(base, uri)?;
        let real = std::fs::canonicalize(&loaded.location)
            .unwrap_or_else(|e| panic!("`{uri}` (in {base}) was read from {}, which is now {e}", loaded.location));
        assert!(
            real.starts_with(&self.sandbox.real_service),
            "`{uri}` (in {base}) was read from {}, outside {}",
            real.display(),
            self.sandbox.service.display()
        );
        assert!(loaded.bytes.len() as u64 <= MAX_DOCUMENT_BYTES, "`{uri}` gave {} bytes", loaded.bytes.len());
        self.documents += 1;
        assert!(self.documents <= MAX_REFERENCED_DOCUMENTS, "more than {MAX_REFERENCED_DOCUMENTS} documents were read");
        Ok(loaded)
    }
}

type Read = Result<odata_v4_csdl::ir::Model, odata_v4_csdl::diag::Diagnostics>;

fn read(sandbox: &Sandbox, bytes: &[u8]) -> Read {
    read_with(sandbox, bytes, FileLoader::beside(Path::new(&sandbox.main)))
}

fn read_with(sandbox: &Sandbox, bytes: &[u8], loader: impl DocumentLoader) -> Read {
    let mut watched = Watched { inner: loader, sandbox, documents: 0 };
    edmx::read_bytes_with(&sandbox.main, bytes, &mut watched)
}

/// Reads `bytes` as the sandbox's main document; for a model, also writes
/// the canonical form and reads it back beside the same documents. Panics
/// on any broken invariant.
pub(super) fn check(sandbox: &Sandbox, bytes: &[u8]) -> Outcome {
    let model = match read(sandbox, bytes) {
        Ok(model) => model,
        Err(errors) => {
            let first = errors.first().expect("an error result carries at least one diagnostic");
            let _ = errors.to_string();
            return Outcome::Rejected(first.kind);
        }
    };
    for source in model.schemas.iter().filter_map(|s| s.source.as_deref()) {
        let real = std::fs::canonicalize(source).unwrap_or_else(|e| panic!("schema source {source}: {e}"));
        assert!(real.starts_with(&sandbox.real_service), "a schema was read from {}", real.display());
    }
    let written = canonical::write(&model);
    let reread = match read(sandbox, written.as_bytes()) {
        Ok(reread) => reread,
        Err(errors) => panic!("the canonical form does not read back:\n{errors}\n--- canonical form ---\n{written}"),
    };
    let rewritten = canonical::write(&reread);
    assert!(
        rewritten == written,
        "canonical::write is not idempotent:\n--- first ---\n{written}\n--- second ---\n{rewritten}"
    );
    let comparable = |model: &odata_v4_csdl::ir::Model| {
        let mut summary = Summary::of(model);
        summary.schema_namespaces.sort();
        summary.warnings = model
            .warnings
            .iter()
            .filter(|w| !matches!(w.kind, DiagnosticKind::UnknownElement | DiagnosticKind::LenientValue))
            .count();
        summary
    };
    let (expected, actual) = (comparable(&model), comparable(&reread));
    assert!(
        actual == expected,
        "the canonical form reads back to another summary:\n{actual:#?}\nexpected:\n{expected:#?}"
    );
    Outcome::Model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proper_references_read_and_the_hostile_ones_are_refused() {
        let sandbox = Sandbox::create().expect("a sandbox");
        let proper: Vec<(String, &str)> =
            NAMESPACES[..5].iter().map(|(n, _, _, uri)| ((*uri).to_owned(), *n)).collect();
        let doc = main_document(&proper, Some("Fuzz.Base.Base"), &[0, 1, 2, 3, 4]);
        assert_eq!(check(&sandbox, doc.as_bytes()), Outcome::Model);
        for hostile in ["../outside/trap.xml", "link-out.xml", "link-zero.xml", "huge.xml", "pipe.xml", "/dev/zero"] {
            let doc = main_document(&[(hostile.to_owned(), "Fuzz.A")], None, &[0]);
            assert_eq!(
                check(&sandbox, doc.as_bytes()),
                Outcome::Rejected(DiagnosticKind::UnreadableReference),
                "{hostile}"
            );
        }
        // escape.xml is inside, but reaches outside in turn.
        let doc = main_document(&[("escape.xml".to_owned(), "Fuzz.Escape")], None, &[7]);
        assert_eq!(check(&sandbox, doc.as_bytes()), Outcome::Rejected(DiagnosticKind::UnreadableReference));
    }

    /// Reads whatever path it is given, as the file loader once did.
    struct Careless;

    impl DocumentLoader for Careless {
        fn load(&mut self, base: &str, uri: &str) -> Result<LoadedDocument, LoadError> {
            let path = Path::new(base).parent().unwrap_or(Path::new("")).join(uri);
            let bytes = std::fs::read(&path).map_err(|e| LoadError::other(e.to_string()))?;
            Ok(LoadedDocument { location: path.display().to_string(), bytes })
        }
    }

    #[test]
    fn a_loader_that_reads_outside_the_directory_is_caught() {
        let sandbox = Sandbox::create().expect("a sandbox");
        let doc = main_document(&[("../outside/trap.xml".to_owned(), "Fuzz.A")], None, &[0]);
        let caught = std::panic::catch_unwind(|| read_with(&sandbox, doc.as_bytes(), Careless));
        assert!(caught.is_err(), "the trap was read without a complaint");
        // The same loader inside the directory passes.
        let doc = main_document(&[("a.xml".to_owned(), "Fuzz.A")], None, &[0]);
        assert!(read_with(&sandbox, doc.as_bytes(), Careless).is_ok());
    }
}
