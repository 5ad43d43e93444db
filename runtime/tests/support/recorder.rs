//! A `tracing` subscriber that records every span and event field, for
//! tests of what the runtime logs.

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};

/// Every span and event field recorded while it is installed.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<(String, String)>>>);

struct FieldVisitor<'a>(&'a Recorder);

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.0.lock().unwrap().push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        span.record(&mut FieldVisitor(self));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut FieldVisitor(self));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        event.record(&mut FieldVisitor(self));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

impl Recorder {
    /// Installs the recorder for this thread until the guard is dropped.
    ///
    /// Tests run on parallel threads, and a callsite first reached on
    /// another thread while this recorder was being registered can keep the
    /// interest it got without it (a race in tracing-core's interest cache,
    /// seen on a loaded machine as a span whose fields never arrive);
    /// rebuilding the cache once the recorder is the thread's default
    /// settles it.
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let guard = tracing::subscriber::set_default(self.clone());
        tracing::callsite::rebuild_interest_cache();
        guard
    }

    /// The last value recorded for field `name`.
    pub fn value(&self, name: &str) -> Option<String> {
        self.0.lock().unwrap().iter().rev().find(|(field, _)| field == name).map(|(_, value)| value.clone())
    }

    /// Every field recorded, as `name=value` pairs.
    pub fn all(&self) -> String {
        self.0.lock().unwrap().iter().map(|(field, value)| format!("{field}={value}")).collect::<Vec<_>>().join(" ")
    }
}
