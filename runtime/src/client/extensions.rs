//! Typed values attached to a client by the code that configured it.

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::Arc;

/// At most one value per type. A handful of entries at most, so a vector
/// searched by type id is all it takes.
#[derive(Clone, Default)]
pub(crate) struct Extensions {
    entries: Vec<(TypeId, &'static str, Arc<dyn Any + Send + Sync>)>,
}

impl Extensions {
    /// Stores `value`, replacing an earlier value of the same type.
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        let id = TypeId::of::<T>();
        self.entries.retain(|(existing, _, _)| *existing != id);
        self.entries.push((id, std::any::type_name::<T>(), Arc::new(value)));
    }

    /// The value of type `T`, if one was stored.
    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.entries.iter().find(|(existing, _, _)| *existing == id).and_then(|(_, _, value)| value.downcast_ref::<T>())
    }
}

impl fmt::Debug for Extensions {
    /// Type names only: values may hold anything, secrets included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.iter().map(|(_, name, _)| name)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_type() {
        let mut extensions = Extensions::default();
        assert_eq!(extensions.get::<u32>(), None);
        extensions.insert(7u32);
        extensions.insert("text");
        extensions.insert(9u32);
        assert_eq!(extensions.get::<u32>(), Some(&9));
        assert_eq!(extensions.get::<&str>(), Some(&"text"));
        assert_eq!(format!("{extensions:?}"), r#"["&str", "u32"]"#);
    }
}
