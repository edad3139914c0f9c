//! Which rules a run could check: a rule is not checked when its dataset
//! was not supplied, or when a column it needs is null in every row of that
//! dataset (rules.md R-DATA-QUALITY: "as if the dataset had not been
//! supplied"). Never reported as passed.

use super::Rule;
use crate::schema::{Dataset, Needed, DATASETS};
use std::collections::BTreeSet;

/// Every needed column with its dataset, in dataset-table order.
fn needed() -> impl Iterator<Item = (Dataset, &'static Needed)> {
    DATASETS
        .iter()
        .flat_map(|d| d.needed.iter().map(move |n| (d.dataset, n)))
}

/// The datasets supplied and the needed columns found empty.
#[derive(Debug, Clone, Copy)]
pub struct Coverage<'a> {
    pub supplied: &'a BTreeSet<Dataset>,
    pub empty_columns: &'a BTreeSet<(Dataset, &'static str)>,
    /// Bit `RuleId as usize` set: the rule is not checked. Decided once per
    /// run: asked per rule per household, the search through the dataset
    /// table was a twentieth of a province run's instructions.
    unchecked: u64,
}

const _: () = assert!(
    super::RULES.len() <= 64,
    "Coverage::unchecked holds a bit per rule"
);

/// Why a rule was not checked.
#[derive(Clone)]
pub struct NotChecked {
    pub rule: &'static Rule,
    pub dataset: Dataset,
    /// The needed column null in every row; `None`: the dataset is absent.
    pub empty_column: Option<&'static str>,
}

impl NotChecked {
    /// What run.json says.
    pub fn reason(&self) -> String {
        let d = self.dataset;
        match self.empty_column {
            None => format!("dataset `{}` ({}) was not supplied", d.name(), d.label_zh()),
            Some(c) => format!(
                "column `{c}` of dataset `{}` ({}) is null in every row",
                d.name(),
                d.label_zh()
            ),
        }
    }
}

impl<'a> Coverage<'a> {
    pub fn new(
        supplied: &'a BTreeSet<Dataset>,
        empty_columns: &'a BTreeSet<(Dataset, &'static str)>,
    ) -> Coverage<'a> {
        let mut coverage = Coverage {
            supplied,
            empty_columns,
            unchecked: 0,
        };
        coverage.unchecked = coverage
            .not_checked()
            .fold(0, |bits, n| bits | 1 << n.rule.id as usize);
        coverage
    }

    /// Why `rule` is not checked, if it is not.
    pub fn why_not(&self, rule: &'static Rule) -> Option<NotChecked> {
        if let Some(dataset) = rule.needs.filter(|d| !self.supplied.contains(d)) {
            return Some(NotChecked {
                rule,
                dataset,
                empty_column: None,
            });
        }
        needed()
            .find(|(d, n)| {
                n.rules.contains(&rule.code) && self.empty_columns.contains(&(*d, n.column))
            })
            .map(|(dataset, n)| NotChecked {
                rule,
                dataset,
                empty_column: Some(n.column),
            })
    }

    pub fn is_checked(&self, rule: &'static Rule) -> bool {
        self.unchecked & 1 << rule.id as usize == 0
    }

    /// Rules not checked, in table order.
    pub fn not_checked(&self) -> impl Iterator<Item = NotChecked> + 'a {
        let coverage = *self;
        super::RULES.iter().filter_map(move |r| coverage.why_not(r))
    }

    /// Rules that ran, in table order.
    pub fn checked(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        super::RULES
            .iter()
            .filter(|r| r.check.is_some() && self.is_checked(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleId;

    #[test]
    fn an_empty_needed_column_leaves_exactly_its_rules_unchecked() {
        let mut supplied: BTreeSet<Dataset> = Dataset::LINKED.into_iter().collect();
        supplied.insert(Dataset::Staff);
        let empty = BTreeSet::from([
            (Dataset::Properties, "area_m2"),
            (Dataset::Deposits, "balance"),
        ]);
        let coverage = Coverage::new(&supplied, &empty);
        let off: Vec<(&str, Option<&str>)> = coverage
            .not_checked()
            .map(|n| (n.rule.code, n.empty_column))
            .collect();
        assert_eq!(
            off,
            [
                ("R-PROPERTY-COUNT", Some("area_m2")),
                ("R-FIN-ASSETS", Some("balance"))
            ]
        );
        assert!(coverage.is_checked(RuleId::PropertyCommercial.rule()));
        let reason = coverage.not_checked().next().unwrap().reason();
        assert!(
            reason.contains("`area_m2`") && reason.contains("properties"),
            "{reason}"
        );
    }

    #[test]
    fn every_needed_column_names_rules_that_read_its_dataset() {
        for (dataset, n) in needed() {
            for &code in n.rules {
                let r = RuleId::from_code(code).unwrap_or_else(|| panic!("{code} is a rule"));
                assert_eq!(r.rule().needs, Some(dataset), "{} {}", n.column, r);
            }
            assert!(
                dataset.column(n.column).is_some(),
                "{} is a contract column of {}",
                n.column,
                dataset.name()
            );
        }
    }
}
