//! Which entity type a doc describes, decided by what it documents.
//!
//! Every entity type of every given model is scored by how many of the
//! doc's property names it has (table rows count fully, JSON-only keys half:
//! JSON blocks are often pasted from another page) and how well the
//! documented types agree. The doc's own wording (title, description,
//! method links) adds at most [`NAMING_WEIGHT`], enough to choose between
//! types whose properties are the same (sales invoice and credit memo
//! lines) but never enough to override the content.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

use super::ResourceDoc;
use super::text::{identifier_words, stem};
use super::types::DocType;
use crate::ir::{EntityType, Model, QualifiedName};

/// Below this score nothing is matched. Docs of a type score 0.85 and more
/// against it; a doc of a related type (general vs customer ledger
/// entries) scores about 0.6, so the threshold sits between the two.
pub const MATCH_THRESHOLD: f64 = 0.7;
/// A runner-up this close to the best makes the match ambiguous, and then
/// nothing is matched: applying a doc to the wrong type is worse than not applying it.
pub const AMBIGUITY_MARGIN: f64 = 0.05;
/// The share of the score that comes from the doc's wording rather than its properties.
pub const NAMING_WEIGHT: f64 = 0.1;
/// Weight of a JSON-block key the table does not list (table rows weigh 1).
const JSON_WEIGHT: f64 = 0.5;
/// Share of the score from the doc's names the type has (the rest is the
/// share of the type's properties the doc covers).
const RECALL_WEIGHT: f64 = 0.75;

/// One scored entity type.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The API route of the candidate's model.
    pub route: String,
    /// The entity type.
    pub entity: QualifiedName,
    /// The final score in 0..=1.
    pub score: f64,
    /// The part of the score that comes from properties and types, in 0..=1.
    pub content: f64,
    /// How specifically the doc's wording names this type, in 0..=1.
    pub naming: f64,
}

/// Why a doc was or was not matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchVerdict {
    /// One entity type fits clearly best.
    Matched,
    /// The best candidate scored below [`MATCH_THRESHOLD`].
    BelowThreshold,
    /// The best two candidates are within [`AMBIGUITY_MARGIN`].
    Ambiguous,
    /// No model has any entity type.
    NoCandidates,
}

impl fmt::Display for MatchVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchVerdict::Matched => "matched",
            MatchVerdict::BelowThreshold => "no entity type fits well enough",
            MatchVerdict::Ambiguous => "two entity types fit about equally well; nothing applied",
            MatchVerdict::NoCandidates => "no schema given",
        })
    }
}

/// A documented type that the schema contradicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDisagreement {
    /// The schema's property name.
    pub property: String,
    /// The type as the doc writes it.
    pub documented: String,
    /// The schema type, or "navigation property to X" when the doc documents a navigation as a property.
    pub schema: String,
}

/// The result of [`match_doc`].
#[derive(Debug, Clone, PartialEq)]
pub struct DocMatch {
    /// Whether (and why not) a type was matched.
    pub verdict: MatchVerdict,
    /// The entity type the doc describes, only when `verdict` is `Matched`.
    pub target: Option<Candidate>,
    /// The best and second-best candidates, whatever the verdict.
    pub best: Option<Candidate>,
    /// The second-best candidate.
    pub runner_up: Option<Candidate>,
    /// Table properties the matched type does not have.
    pub missing_in_schema: Vec<String>,
    /// JSON-block keys the matched type does not have (often a block pasted from another type).
    pub json_missing_in_schema: Vec<String>,
    /// Documented types the schema contradicts.
    pub type_disagreements: Vec<TypeDisagreement>,
    /// Explanations for the report (ties broken by wording, ambiguity).
    pub notes: Vec<String>,
}

impl DocMatch {
    /// The confidence in the matched type, or 0 when nothing matched.
    pub fn confidence(&self) -> f64 {
        self.target.as_ref().map_or(0.0, |t| t.score)
    }
}

/// Scores every entity type of every `(route, model)` against the doc and
/// picks one, or none when the best is weak or not clearly ahead.
pub fn match_doc(doc: &ResourceDoc, models: &[(&str, &Model)]) -> DocMatch {
    let naming = Naming::of(doc);
    let mut scored: Vec<(Candidate, Overlap)> = Vec::new();
    for (route, model) in models {
        for entity in model.entity_types.values() {
            let overlap = overlap(doc, model, entity);
            let strength = naming.strength(model, entity);
            let candidate = Candidate {
                route: (*route).to_owned(),
                entity: entity.name.clone(),
                score: 0.0,
                content: overlap.content,
                naming: strength as f64,
            };
            scored.push((candidate, overlap));
        }
    }
    // Naming is relative: the most specific name the doc uses counts fully.
    let strongest = scored.iter().map(|(c, _)| c.naming).fold(0.0, f64::max);
    for (candidate, _) in &mut scored {
        candidate.naming = if strongest > 0.0 { candidate.naming / strongest } else { 0.0 };
        candidate.score =
            ((1.0 - NAMING_WEIGHT) * candidate.content + NAMING_WEIGHT * candidate.naming).clamp(0.0, 1.0);
    }
    scored.sort_by(|(a, _), (b, _)| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.route.cmp(&b.route))
            .then_with(|| a.entity.cmp(&b.entity))
    });

    let mut result = DocMatch {
        verdict: MatchVerdict::NoCandidates,
        target: None,
        best: scored.first().map(|(c, _)| c.clone()),
        runner_up: scored.get(1).map(|(c, _)| c.clone()),
        missing_in_schema: Vec::new(),
        json_missing_in_schema: Vec::new(),
        type_disagreements: Vec::new(),
        notes: Vec::new(),
    };
    let Some((best, overlap)) = scored.first() else {
        return result;
    };
    let runner_score = result.runner_up.as_ref().map_or(0.0, |r| r.score);
    if best.score < MATCH_THRESHOLD {
        result.verdict = MatchVerdict::BelowThreshold;
    } else if best.score - runner_score < AMBIGUITY_MARGIN {
        result.verdict = MatchVerdict::Ambiguous;
        if let Some(runner) = &result.runner_up {
            result.notes.push(format!(
                "{} ({:.2}) and {} ({:.2}) fit about equally well",
                best.entity.name, best.score, runner.entity.name, runner.score
            ));
        }
    } else {
        result.verdict = MatchVerdict::Matched;
        result.target = Some(best.clone());
        result.missing_in_schema = overlap.missing.clone();
        result.json_missing_in_schema = overlap.json_missing.clone();
        result.type_disagreements = overlap.disagreements.clone();
        // Say so when the wording, not the properties, made the choice.
        let close: Vec<String> = scored
            .iter()
            .skip(1)
            .filter(|(c, _)| best.content - c.content < AMBIGUITY_MARGIN)
            .map(|(c, _)| c.entity.name.clone())
            .collect();
        if !close.is_empty() {
            result.notes.push(format!(
                "the properties fit {} about as well; the doc's wording names {}",
                close.join(", "),
                best.entity.name
            ));
        }
    }
    result
}

/// How the doc's names overlap one entity type.
#[derive(Debug, Default)]
struct Overlap {
    content: f64,
    missing: Vec<String>,
    json_missing: Vec<String>,
    disagreements: Vec<TypeDisagreement>,
}

fn overlap(doc: &ResourceDoc, model: &Model, entity: &EntityType) -> Overlap {
    let properties = model.all_properties(entity);
    let navigation = model.all_navigation_properties(entity);
    let table = doc.properties.iter().map(|p| (p.name.as_str(), Some(p.type_text.as_str()), 1.0, false));
    let json_only = doc
        .json_properties
        .iter()
        .filter(|j| doc.property(&j.name).is_none())
        .map(|j| (j.name.as_str(), j.type_text.as_deref(), JSON_WEIGHT, true));
    let mut result = Overlap::default();
    let (mut total, mut matched) = (0.0, 0.0);
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for (name, type_text, weight, from_json) in table.chain(json_only) {
        total += weight;
        let documented = type_text.and_then(DocType::parse);
        if let Some(property) = properties.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
            covered.insert(property.name.as_str());
            if documented.is_none_or(|d| d.accepts(&property.ty, model)) {
                matched += weight;
            } else {
                matched += weight / 2.0;
                if !from_json {
                    result.disagreements.push(TypeDisagreement {
                        property: property.name.clone(),
                        documented: type_text.unwrap_or("").to_owned(),
                        schema: property.ty.csdl_name(),
                    });
                }
            }
        } else if let Some(nav) = navigation.iter().find(|n| n.name.eq_ignore_ascii_case(name)) {
            // Docs list some navigations (a line's unitOfMeasure) as properties.
            matched += weight / 2.0;
            if !from_json {
                result.disagreements.push(TypeDisagreement {
                    property: nav.name.clone(),
                    documented: type_text.unwrap_or("").to_owned(),
                    schema: format!("navigation property to {}", nav.ty.csdl_name()),
                });
            }
        } else if from_json {
            result.json_missing.push(name.to_owned());
        } else {
            result.missing.push(name.to_owned());
        }
    }
    if total > 0.0 && !properties.is_empty() {
        let recall = matched / total;
        let precision = covered.len() as f64 / properties.len() as f64;
        result.content = (RECALL_WEIGHT * recall + (1.0 - RECALL_WEIGHT) * precision).clamp(0.0, 1.0);
    }
    result
}

/// The words of the doc's naming text, for finding entity names in it.
struct Naming {
    /// Each text as stemmed words (identifiers split at case changes).
    phrases: Vec<Vec<String>>,
    /// Every unsplit lowercase word, stemmed (link targets write
    /// `salesinvoiceline` as one word).
    joined: BTreeSet<String>,
}

impl Naming {
    fn of(doc: &ResourceDoc) -> Naming {
        let mut phrases = Vec::new();
        let mut joined = BTreeSet::new();
        for text in &doc.naming_text {
            phrases.push(identifier_words(text).iter().map(|w| stem(w)).collect());
            for word in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
                joined.insert(stem(&word.to_ascii_lowercase()));
            }
        }
        Naming { phrases, joined }
    }

    /// The number of words of the longest name of `entity` (its own name
    /// or an entity set's) that the doc uses; 0 when it uses none.
    fn strength(&self, model: &Model, entity: &EntityType) -> usize {
        let sets = model.entity_sets().iter().filter(|s| s.entity_type == entity.name).map(|s| s.name.as_str());
        std::iter::once(entity.name.name.as_str())
            .chain(sets)
            .map(|name| identifier_words(name).iter().map(|w| stem(w)).collect::<Vec<_>>())
            .filter(|words| !words.is_empty() && self.mentions(words))
            .map(|words| words.len())
            .max()
            .unwrap_or(0)
    }

    fn mentions(&self, words: &[String]) -> bool {
        self.joined.contains(&stem(&words.concat()))
            || self.phrases.iter().any(|phrase| phrase.windows(words.len()).any(|window| window == words))
    }
}
