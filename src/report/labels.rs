//! Codes of the output tables → the Chinese words the verification centre
//! reads. Enumerations of the contract carry their own `label_zh()`; this
//! file holds the codes that exist only in outputs (data-quality problems)
//! and the lookups from a code string back to its label.
//!
//! An unknown code is shown as itself, never dropped: a code added elsewhere
//! in the engine still reaches the reader, only untranslated.

use crate::near_relatives::RelationSource;
use crate::rules::near_relative::Conflict;
use crate::rules::review_due::{Cadence, CadenceReason};
use crate::rules::RuleId;
use crate::schema::{Dataset, Program, Relation, StaffRole};
use crate::verdict::Action;

/// 建议 (action) label, e.g. `exit` → 清退.
pub fn action(code: &str) -> &str {
    Action::from_code(code).map_or(code, |a| a.label_zh())
}

/// A rule id as words, e.g. `R-VEHICLE` → 名下有非豁免机动车.
pub fn rule(code: &str) -> &str {
    RuleId::from_code(code).map_or(code, |r| r.label_zh())
}

/// Several rule ids as words, strongest first, joined by 「；」.
pub fn rules<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    codes.into_iter().map(rule).collect::<Vec<_>>().join("；")
}

pub fn program(code: &str) -> &str {
    code.parse::<Program>().map_or(code, |p| p.label_zh())
}

pub fn relation(code: &str) -> &str {
    code.parse::<Relation>().map_or(code, |r| r.label_zh())
}

pub fn staff_role(code: &str) -> &str {
    code.parse::<StaffRole>().map_or(code, |r| r.label_zh())
}

/// `hukou` 户籍, `declared` 申报, `self` 本人.
pub fn relation_source(code: &str) -> &str {
    RelationSource::from_code(code).map_or(code, |s| s.label_zh())
}

/// A near-relative conflict; null means the relation is filed correctly.
pub fn conflict(code: Option<&str>) -> &str {
    match code {
        None => "已备案",
        Some(c) => Conflict::ALL
            .iter()
            .find(|x| x.code() == c)
            .map_or(c, |x| x.label_zh()),
    }
}

/// 复核 cadence: `annual` 每年, `semiannual` 每半年.
pub fn cadence(code: &str) -> &str {
    Cadence::ALL
        .iter()
        .find(|x| x.code() == code)
        .map_or(code, |x| x.label_zh())
}

/// Why a cadence applies to a household.
pub fn cadence_reason(code: &str) -> &str {
    CadenceReason::ALL
        .iter()
        .find(|x| x.code() == code)
        .map_or(code, |x| x.label_zh())
}

/// A dataset name as its Chinese label, e.g. `vehicles` → 车辆登记.
pub fn dataset(name: &str) -> &str {
    Dataset::ALL
        .iter()
        .find(|d| d.name() == name)
        .map_or(name, |d| d.label_zh())
}

/// A `data_quality.problem` code (docs/DECISIONS.md lists them) as words;
/// an unknown code stays visible as itself.
pub fn problem(code: &str) -> &str {
    crate::quality::Problem::from_code(code).map_or(code, |p| p.label_zh())
}

/// 是 / 否.
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

/// The township (乡镇/街道) of a region code: its first 9 digits; a shorter
/// code (a county) is its own township.
pub fn township(region_code: &str) -> &str {
    region_code.get(..9).unwrap_or(region_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_words_and_unknown_codes_stay_visible() {
        assert_eq!(rule("R-VEHICLE"), "名下有非豁免机动车");
        assert_eq!(action("exit"), "清退");
        assert_eq!(
            rules(["R-DEATH", "R-NEW-RULE"]),
            "家庭成员已死亡；R-NEW-RULE"
        );
        assert_eq!(relation_source("self"), "本人");
        assert_eq!(relation_source("hukou"), "户籍");
        assert_eq!(conflict(None), "已备案");
        assert_eq!(problem("bad_checksum"), "身份证号校验码错误");
        assert_eq!(township("512022101001"), "512022101");
        assert_eq!(township("512022"), "512022");
    }

    #[test]
    fn every_rule_id_has_words() {
        for r in RuleId::ALL {
            assert_ne!(rule(r.code()), r.code());
        }
    }

    #[test]
    fn conflicts_and_cadences_read_as_words() {
        for c in Conflict::ALL {
            assert_eq!(conflict(Some(c.code())), c.label_zh());
        }
        assert_eq!(conflict(None), "已备案");
        assert_eq!(cadence("semiannual"), "每半年");
        for r in CadenceReason::ALL {
            assert_eq!(cadence_reason(r.code()), r.label_zh());
        }
        assert_eq!(cadence_reason("new_reason"), "new_reason");
    }
}
