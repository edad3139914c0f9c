//! What a row of the rule table is ([`Rule`]), and `rule_table!`, which
//! declares the table (in `rules/mod.rs`) from its rows: `assess` runs the
//! rows, `decide` reads how a rule counts for candidates, the outputs and
//! reports read codes, labels and the snapshot flag, run.json and `hedui
//! explain` read which rules were not checked and why.

use super::{Facts, Finding, RuleId, RULES};
use crate::schema::Dataset;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

/// How a rule's findings count for a candidate (rules.md "Rules for
/// candidates"). Every rule says so in its row, so a new rule cannot be
/// silently ignored for candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForCandidate {
    /// An asset rule: a certain finding → `reject`; an uncertain one, or the
    /// rule not checked at all, turns an entry into `manual_review`.
    Asset,
    /// The income test: its finding's action is the candidate's (`entry`,
    /// `single_person_entry` or `reject`).
    IncomeTest,
    /// Any finding turns an entry into `manual_review`.
    BlocksEntry,
    /// Whether members live: an uncertain finding turns an entry into
    /// `manual_review`; when no member lives, the findings are the reasons
    /// of the `reject`.
    Vital,
}

/// One rule as the engine runs and reports it: a row of [`RULES`].
pub struct Rule {
    pub id: RuleId,
    /// The rules.md code, as written in `findings` and `decisions.reasons`.
    pub code: &'static str,
    /// The words the verification centre reads.
    pub label_zh: &'static str,
    /// The dataset without which the rule cannot be checked.
    pub needs: Option<Dataset>,
    pub for_candidate: ForCandidate,
    /// Listed among the assets found in `review_due`'s snapshot.
    pub in_snapshot: bool,
    /// Whether the rule still applies once every member is dead.
    pub runs_without_living: bool,
    /// Where its code stands among reasons of equal strength in
    /// `decisions.reasons`, lowest first ([`RuleId`]'s order); unique.
    /// Numbered in tens, so a new rule slots in without renumbering.
    pub reason_order: u16,
    /// The `check` of the rule's module; `None` for a rule whose findings
    /// another rule's check makes (R-SINGLE-PERSON is an outcome of
    /// R-ENTRY's income test).
    pub check: Option<fn(&Facts) -> Vec<Finding>>,
}

/// Declares the rule table from its rows, each the one place a rule's
/// facts live:
///
/// ```text
/// Death in death { code: "R-DEATH", label_zh: …, needs: …, … },
/// ```
///
/// gives the variant `RuleId::Death`, the module `pub mod death;` (whose
/// `check` is the row's check; a row without `in` has no module and no
/// check) and the row of [`RULES`]. A field left out does not compile.
macro_rules! rule_table {
    ($(
        $(#[$doc:meta])*
        $variant:ident $(in $module:ident)? { $($field:ident: $value:expr),+ $(,)? }
    ),+ $(,)?) => {
        $($(pub mod $module;)?)+

        /// Every rule, by name, one variant per row of [`RULES`]. Ordered
        /// by each row's `reason_order`, which breaks ties between reasons
        /// of equal strength.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        pub enum RuleId { $($(#[$doc])* $variant,)+ }

        impl RuleId {
            /// Every rule id, in table order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)+];
        }

        /// The rule table, in the order rules run and run.json lists them.
        pub const RULES: &[Rule] = &[$(
            Rule {
                id: RuleId::$variant,
                check: rule_check!($($module)?),
                $($field: $value,)+
            },
        )+];
    };
}

/// A row's check: its module's `check`, if it has a module.
macro_rules! rule_check {
    () => {
        None
    };
    ($module:ident) => {
        Some($module::check)
    };
}

/// Each reason order once (so that [`RuleId`]'s order is total), checked
/// when compiling.
const _: () = {
    let mut i = 0;
    while i < RULES.len() {
        let mut k = i + 1;
        while k < RULES.len() {
            assert!(
                RULES[i].reason_order != RULES[k].reason_order,
                "two rules with one reason_order in RULES"
            );
            k += 1;
        }
        i += 1;
    }
};

impl RuleId {
    /// The rule's row in [`RULES`] (variants are declared in row order).
    pub fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }

    pub fn code(self) -> &'static str {
        self.rule().code
    }

    /// The Chinese label used in human-facing reports.
    pub fn label_zh(self) -> &'static str {
        self.rule().label_zh
    }

    /// The rule with this code, if any.
    pub fn from_code(code: &str) -> Option<RuleId> {
        RULES.iter().find(|r| r.code == code).map(|r| r.id)
    }
}

impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rule().reason_order.cmp(&other.rule().reason_order)
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Rules whose dataset was not supplied, each with that dataset, in table
/// order.
pub fn not_checked(
    supplied: &BTreeSet<Dataset>,
) -> impl Iterator<Item = (&'static Rule, Dataset)> + '_ {
    RULES
        .iter()
        .filter_map(|r| Some((r, r.needs.filter(|d| !supplied.contains(d))?)))
}

/// Rules that run on these datasets, in table order.
pub fn checked(supplied: &BTreeSet<Dataset>) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES
        .iter()
        .filter(|r| r.check.is_some() && r.is_checked(supplied))
}

impl Rule {
    /// Whether the rule's dataset is among `supplied` (or it needs none).
    pub fn is_checked(&self, supplied: &BTreeSet<Dataset>) -> bool {
        self.needs.is_none_or(|d| supplied.contains(&d))
    }

    pub fn is_asset_rule(&self) -> bool {
        self.for_candidate == ForCandidate::Asset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_own_code_and_words() {
        let codes: BTreeSet<&str> = RULES.iter().map(|r| r.code).collect();
        assert_eq!(codes.len(), RULES.len(), "codes are unique");
        for &id in RuleId::ALL {
            assert_eq!(id.rule().id, id, "variants in row order");
            assert_eq!(RuleId::from_code(id.code()), Some(id));
            assert!(id.label_zh().chars().any(|c| c as u32 >= 0x4E00), "{id}");
        }
        assert_eq!(RuleId::SinglePerson.label_zh(), "重病重残单人保");
        assert_eq!(RuleId::from_code("R-NO-SUCH-RULE"), None);
    }

    #[test]
    fn a_rule_without_its_dataset_is_not_checked_and_says_which() {
        let supplied: BTreeSet<Dataset> = [Dataset::Deaths].into();
        let missing: Vec<(&str, Dataset)> =
            not_checked(&supplied).map(|(r, d)| (r.code, d)).collect();
        assert!(missing.contains(&("R-VEHICLE", Dataset::Vehicles)));
        assert!(!missing.iter().any(|(c, _)| *c == "R-DEATH"));
        let ran: Vec<&str> = checked(&supplied).map(|r| r.code).collect();
        assert!(ran.contains(&"R-DEATH") && ran.contains(&"R-INCOME"));
        assert!(
            !ran.contains(&"R-SINGLE-PERSON"),
            "R-ENTRY's check gives it"
        );
    }
}
