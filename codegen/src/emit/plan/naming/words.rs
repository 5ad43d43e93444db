//! Word boundaries for names written without them.
//!
//! Some services name things in one lowercase run (`apicategoryroutes`,
//! `externalbusinesseventdefinitions`), which `heck` cannot split. The
//! model itself is the dictionary: every camelCase name in it
//! (`businessProfileId`, `eventName`, `entityDefinitions`) says where its
//! words are, and a lowercase run made of such words is split at them. No
//! word list is shipped: a name is split only on the model's own evidence,
//! and only when the evidence leaves at most one unknown piece beside two
//! known words (`api` in `apicategoryroutes`).
//!
//! A type named like its entity set (`Books` for the set `Books`, as SAP
//! CAP names them) gets the singular for its own Rust names: a crude
//! English rule set, applied only where the two would otherwise collide.

use std::collections::BTreeSet;

use heck::ToLowerCamelCase;

use crate::ir::{Model, decode_xml_name};

/// The shortest word the splitter takes from the model or puts in a name.
const MIN_WORD: usize = 3;

/// The words the model's camelCase names are made of, lower-cased.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    /// Words seen inside names that have word boundaries of their own.
    compound: BTreeSet<String>,
    /// Every word seen, single-word names included.
    all: BTreeSet<String>,
}

impl Vocabulary {
    /// The words of every name in the model.
    pub fn of(model: &Model) -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        let mut add = |name: &str| vocabulary.add(name);
        for (name, entity) in &model.entity_types {
            add(&name.name);
            entity.properties.iter().for_each(|p| add(&p.name));
            entity.navigation_properties.iter().for_each(|n| add(&n.name));
        }
        for (name, complex) in &model.complex_types {
            add(&name.name);
            complex.properties.iter().for_each(|p| add(&p.name));
            complex.navigation_properties.iter().for_each(|n| add(&n.name));
        }
        for (name, enumeration) in &model.enum_types {
            add(&name.name);
            enumeration.members.iter().for_each(|m| add(&m.name));
        }
        for operation in &model.operations {
            add(&operation.name.name);
            operation.parameters.iter().for_each(|p| add(&p.name));
        }
        for set in model.entity_sets() {
            add(&set.name);
        }
        for singleton in model.singletons() {
            add(&singleton.name);
        }
        vocabulary
    }

    fn add(&mut self, name: &str) {
        let words = case_words(name);
        let compound = words.len() > 1;
        for word in words.into_iter().filter(|w| w.len() >= MIN_WORD) {
            if compound {
                self.compound.insert(word.clone());
            }
            self.all.insert(word);
        }
    }

    /// `name` with its word boundaries written in camelCase when it is one
    /// lowercase run the model's words split (`apicategoryroutes` →
    /// `apiCategoryRoutes`); otherwise `name` as it is.
    pub fn readable(&self, name: &str) -> String {
        match self.split(name) {
            Some(words) => words.join(" ").to_lower_camel_case(),
            None => name.to_owned(),
        }
    }

    /// The words of a lowercase run, when the model's evidence splits it.
    pub fn split(&self, name: &str) -> Option<Vec<String>> {
        if name.len() < 2 * MIN_WORD || !name.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        // A name the model also uses as one word inside a compound name
        // (`subscriptions`, seen in `subscriptionId`) is a word itself.
        if self.known(name, &self.compound) {
            return None;
        }
        let best = self.segment(name)?;
        (best.len() > 1).then_some(best)
    }

    /// Whether `word` (or the singular it is the plural of) is in `words`.
    fn known(&self, word: &str, words: &BTreeSet<String>) -> bool {
        words.contains(word) || plural_bases(word).iter().any(|base| words.contains(base.as_str()))
    }

    /// The segmentation of `name` with the fewest unknown pieces, then the
    /// fewest unknown letters (`api` + `category` rather than `apicategory`),
    /// then the fewest pieces; `None` unless every piece is a known word of
    /// at least three letters but for one unknown piece of at least three.
    fn segment(&self, name: &str) -> Option<Vec<String>> {
        let n = name.len();
        // best[i]: (unknown pieces, unknown letters, pieces, where the last
        // piece starts) for name[..i].
        let mut best: Vec<Option<(usize, usize, usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0, 0, 0));
        for end in MIN_WORD..=n {
            for start in 0..=end - MIN_WORD {
                let Some((unknown, letters, pieces, _)) = best[start] else { continue };
                // The whole name as one piece is not a split of it.
                if start == 0 && end == n {
                    continue;
                }
                let piece = &name[start..end];
                let is_unknown = !self.known(piece, &self.all);
                let candidate = (
                    unknown + usize::from(is_unknown),
                    letters + if is_unknown { piece.len() } else { 0 },
                    pieces + 1,
                    start,
                );
                let rank = |c: (usize, usize, usize, usize)| (c.0, c.1, c.2);
                if best[end].is_none_or(|current| rank(candidate) < rank(current)) {
                    best[end] = Some(candidate);
                }
            }
        }
        let (unknown, _, pieces, _) = best[n]?;
        // One unknown piece is taken only between or beside two known
        // words (`api` + `category` + `routes`): `ship` + `ment` is no
        // evidence that `shipment` is two words.
        if unknown > 1 || (unknown == 1 && pieces < 3) {
            return None;
        }
        let mut words = Vec::new();
        let mut end = n;
        while end > 0 {
            let (_, _, _, start) = best[end]?;
            words.push(name[start..end].to_owned());
            end = start;
        }
        words.reverse();
        Some(words)
    }
}

/// The words of a name as its case and separators write them:
/// `businessProfileId` → `business`, `profile`, `id`.
fn case_words(name: &str) -> Vec<String> {
    let decoded = decode_xml_name(name);
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = decoded.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = match previous {
            Some(p) if c.is_ascii_uppercase() => {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            }
            Some(p) => c.is_ascii_digit() != p.is_ascii_digit(),
            None => false,
        };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The singulars a plural-looking word may come from: `categories` →
/// `category`, `addresses` → `address`, `routes` → `route`.
fn plural_bases(word: &str) -> Vec<String> {
    let mut bases = Vec::new();
    if let Some(stem) = word.strip_suffix("ies") {
        bases.push(format!("{stem}y"));
    }
    if let Some(stem) = word.strip_suffix("es") {
        bases.push(stem.to_owned());
    }
    if let Some(stem) = word.strip_suffix('s').filter(|s| !s.ends_with('s')) {
        bases.push(stem.to_owned());
    }
    bases
}

/// The singular of an English plural, by the common rules (`Books` →
/// `Book`, `Categories` → `Category`, `Addresses` → `Address`,
/// `Statuses` → `Status`); `None` for a word that does not look plural.
pub fn singular(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let cut = |n: usize, add: &str| Some(format!("{}{add}", &word[..word.len() - n]));
    if lower.len() <= 3 {
        return None;
    }
    if lower.ends_with("ies") {
        return cut(3, if word.ends_with("IES") { "Y" } else { "y" });
    }
    for ending in ["sses", "shes", "ches", "xes", "zes", "uses"] {
        if lower.ends_with(ending) {
            return cut(2, "");
        }
    }
    if lower.ends_with('s') && !lower.ends_with("ss") && !lower.ends_with("us") && !lower.ends_with("is") {
        return cut(1, "");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(names: &[&str]) -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        names.iter().for_each(|n| vocabulary.add(n));
        vocabulary
    }

    #[test]
    fn names_in_one_lowercase_run_split_at_the_models_words() {
        let words = vocabulary(&[
            "externalDocumentNumber",
            "businessProfileId",
            "eventName",
            "entityDefinitions",
            "subscriptionId",
            "glAccountCategory",
            "route",
            "opportunity",
        ]);
        assert_eq!(words.readable("externalbusinesseventdefinitions"), "externalBusinessEventDefinitions");
        assert_eq!(words.readable("externalbusinesseventdefinition"), "externalBusinessEventDefinition");
        assert_eq!(words.readable("externaleventsubscriptions"), "externalEventSubscriptions");
        // One unknown piece of three letters or more is allowed.
        assert_eq!(words.readable("apicategoryroutes"), "apiCategoryRoutes");
        // A word the model uses inside compounds stays whole.
        assert_eq!(words.readable("subscriptions"), "subscriptions");
        // Nothing to split with, or nothing left to say.
        assert_eq!(words.readable("opportunities"), "opportunities");
        assert_eq!(words.readable("number"), "number");
        assert_eq!(words.readable("salesInvoices"), "salesInvoices");
        // Two unknown pieces are a guess: not split.
        assert_eq!(words.readable("troubleshootexternally"), "troubleshootexternally");
        // An unknown piece beside a single known word is no evidence
        // either (`ship` is a word of the model, `ment` is not).
        let words = vocabulary(&["shipFast", "ship"]);
        assert_eq!(words.readable("shipment"), "shipment");
        assert_eq!(words.readable("shipments"), "shipments");
    }

    #[test]
    fn case_boundaries_are_words() {
        assert_eq!(case_words("businessProfileId"), ["business", "profile", "id"]);
        assert_eq!(case_words("HTMLParser"), ["html", "parser"]);
        assert_eq!(case_words("Credit_x0020_Memo"), ["credit", "memo"]);
        assert_eq!(case_words("address2Line"), ["address", "2", "line"]);
    }

    #[test]
    fn plurals_become_singulars() {
        assert_eq!(singular("Books").as_deref(), Some("Book"));
        assert_eq!(singular("Categories").as_deref(), Some("Category"));
        assert_eq!(singular("Addresses").as_deref(), Some("Address"));
        assert_eq!(singular("Statuses").as_deref(), Some("Status"));
        assert_eq!(singular("Boxes").as_deref(), Some("Box"));
        assert_eq!(singular("OrderItems").as_deref(), Some("OrderItem"));
        assert_eq!(singular("externalbusinesseventdefinitions").as_deref(), Some("externalbusinesseventdefinition"));
        assert_eq!(singular("Status"), None);
        assert_eq!(singular("Data"), None);
        assert_eq!(singular("Address"), None);
    }
}
