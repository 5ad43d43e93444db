//! What a request does, as far as retries and read replicas care.

/// What a request does, as far as retries and read replicas care (see
/// [`RetryPolicy`](crate::RetryPolicy) for what is retried when).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// GET: no side effect, so it may be repeated after any transient
    /// failure; may go to a read-only replica when configured.
    Read,
    /// POST to a collection: repeating it could create a duplicate.
    Create,
    /// PATCH with If-Match. Repeating it after an answer that proves it was
    /// not processed (429, 503) is safe. After an ambiguous failure (a
    /// gateway 502/504, a lost connection) it is not: if the first attempt
    /// was applied, the repeat fails on the changed ETag and reports the
    /// caller's successful write as a conflict.
    Update,
    /// DELETE with If-Match: like [`Update`](Self::Update), and a repeat
    /// after an applied first attempt ends in 404 instead.
    Delete,
    /// A bound or unbound action: repeating it could run it twice.
    Action,
}

impl OperationKind {
    /// Whether a second attempt could have an effect the first one already had.
    pub fn may_duplicate(self) -> bool {
        matches!(self, OperationKind::Create | OperationKind::Action)
    }
}
