//! [`Action`]: what the engine recommends for a household, the word rules,
//! `decide`, the outputs and the reports share.
//!
//! Architecture invariant: a leaf (it imports no module of the crate).

/// What the engine recommends for a household.
///
/// Declared weakest first among recipients' actions, candidates' after;
/// the generator's truth relies on this order, precedence itself is
/// `decide`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Action {
    Keep,
    ManualReview,
    MemberChange,
    PhaseOut,
    Exit,
    Entry,
    SinglePersonEntry,
    Reject,
}

impl Action {
    /// Every action, in the order `decisions` counts and the summary list them.
    pub const ALL: [Action; 8] = [
        Action::Keep,
        Action::Exit,
        Action::PhaseOut,
        Action::Entry,
        Action::SinglePersonEntry,
        Action::MemberChange,
        Action::ManualReview,
        Action::Reject,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::ManualReview => "manual_review",
            Action::MemberChange => "member_change",
            Action::PhaseOut => "phase_out",
            Action::Exit => "exit",
            Action::Entry => "entry",
            Action::SinglePersonEntry => "single_person_entry",
            Action::Reject => "reject",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Action::Keep => "继续保障",
            Action::ManualReview => "人工复核",
            Action::MemberChange => "家庭成员变更",
            Action::PhaseOut => "渐退",
            Action::Exit => "清退",
            Action::Entry => "新增",
            Action::SinglePersonEntry => "单人保新增",
            Action::Reject => "不予纳入",
        }
    }

    /// The name of the action's list (a workbook sheet and a CSV file): the
    /// label, except where the centre calls the list a 建议 (a
    /// recommendation a person still has to confirm).
    pub fn list_name_zh(self) -> &'static str {
        match self {
            Action::Exit => "清退建议",
            Action::Entry => "新增建议",
            other => other.label_zh(),
        }
    }

    /// The action with this code, if any.
    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }
}
