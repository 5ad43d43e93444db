//! The body of a create or update: a JSON object holding exactly the
//! properties that were set. A property that was never set is left out, so
//! an update distinguishes "leave unchanged" (absent), "set to null" and
//! "set to a value".

use super::value::{Edm, write_json_string};

/// The properties set on a create or update payload, in the order they were set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadFields {
    fields: Vec<(&'static str, String)>,
}

impl PayloadFields {
    /// No properties set.
    pub fn new() -> Self {
        PayloadFields { fields: Vec::new() }
    }

    /// Sets a property to a value (replacing an earlier setting).
    pub fn set<T: Edm>(&mut self, name: &'static str, value: &T) {
        self.set_json(name, value.to_json());
    }

    /// Sets a property to `null`.
    pub fn set_null(&mut self, name: &'static str) {
        self.set_json(name, "null".to_owned());
    }

    /// Sets a property to JSON text (used for nested payloads in a deep insert).
    pub fn set_json(&mut self, name: &'static str, json: String) {
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some(field) => field.1 = json,
            None => self.fields.push((name, json)),
        }
    }

    /// The JSON text set for a property, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// Leaves a property unchanged (removes an earlier setting).
    pub fn unset(&mut self, name: &str) {
        self.fields.retain(|(n, _)| *n != name);
    }

    /// Whether no property is set.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The names of the properties that are set.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|(n, _)| *n)
    }

    /// The JSON object.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(2 + self.fields.iter().map(|(n, v)| n.len() + v.len() + 4).sum::<usize>());
        out.push('{');
        for (i, (name, value)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json_string(&mut out, name);
            out.push(':');
            out.push_str(value);
        }
        out.push('}');
        out
    }
}

/// JSON array of nested payloads, for deep inserts.
pub fn json_array<'a, P: super::entity::Payload + 'a>(items: impl IntoIterator<Item = &'a P>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item.to_json());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn absent_null_and_value_are_distinct() {
        let mut fields = PayloadFields::new();
        assert_eq!(fields.to_json(), "{}");
        fields.set("quantity", &"3.50".parse::<Decimal>().unwrap());
        fields.set_null("description");
        fields.set("description", &"Bolt \"M8\"".to_owned());
        fields.set_null("shipmentDate");
        assert_eq!(fields.to_json(), r#"{"quantity":3.50,"description":"Bolt \"M8\"","shipmentDate":null}"#);
        fields.unset("shipmentDate");
        assert_eq!(fields.get("shipmentDate"), None);
    }
}
