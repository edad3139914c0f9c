//! [`Finding`]: one rule hit, with the extract row behind it.

use super::RuleId;
use crate::evidence::Source;
use crate::verdict::Action;

/// One rule hit with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: RuleId,
    /// The action this rule calls for in this household.
    pub action: Action,
    /// The member concerned (index into the roster), if any.
    pub member: Option<u32>,
    /// The extract row behind the hit, if any.
    pub source: Option<Source>,
    /// False when the hit rests on a `review` link or on a value that could
    /// not be read: it can then only raise `manual_review`.
    pub certain: bool,
    /// Plain words for the case worker.
    pub detail: String,
}

impl Finding {
    /// A finding backed by one extract row; certain only on a `matched` link.
    pub fn from_row(rule: RuleId, action: Action, source: &Source, detail: String) -> Finding {
        Finding {
            rule,
            action,
            member: Some(source.member),
            source: Some(*source),
            certain: source.is_fact(),
            detail,
        }
    }

    /// A household-level finding (no single extract row behind it).
    pub fn household(rule: RuleId, action: Action, detail: String) -> Finding {
        Finding {
            rule,
            action,
            member: None,
            source: None,
            certain: true,
            detail,
        }
    }
}
