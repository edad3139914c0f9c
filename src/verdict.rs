//! [`Action`]: what the engine recommends for a household, the word rules,
//! `decide`, the outputs and the reports share. The action table
//! [`ACTIONS`] is the one place an action's code, words and places live.
//!
//! Architecture invariant: a leaf (it imports no module of the crate).

/// One action as the outputs and reports name it: a row of [`ACTIONS`].
pub struct ActionRow {
    pub action: Action,
    /// As written in `decisions.action`.
    pub code: &'static str,
    pub label_zh: &'static str,
    /// Its place where `decisions` counts and the summary list the actions
    /// ([`Action::ALL`]).
    pub counted_at: usize,
    /// Its list (a workbook sheet and a CSV file), if it has one: the
    /// list's place in the workbook ([`Action::LISTED`]) and its name — the
    /// label, except where the centre calls the list a 建议 (a
    /// recommendation a person still has to confirm).
    pub list: Option<(usize, &'static str)>,
}

/// Declares [`Action`] (one variant a row, in row order) and [`ACTIONS`].
macro_rules! action_table {
    ($($variant:ident { $($field:ident: $value:expr),+ $(,)? }),+ $(,)?) => {
        /// What the engine recommends for a household.
        ///
        /// Declared weakest first among recipients' actions, candidates'
        /// after; the generator's truth relies on this order, precedence
        /// itself is `decide`'s.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub enum Action { $($variant,)+ }

        /// The action table, in [`Action`]'s order.
        pub const ACTIONS: &[ActionRow] = &[$(
            ActionRow { action: Action::$variant, $($field: $value,)+ },
        )+];
    };
}

action_table! {
    Keep {
        code: "keep",
        label_zh: "继续保障",
        counted_at: 0,
        list: None,
    },
    ManualReview {
        code: "manual_review",
        label_zh: "人工复核",
        counted_at: 6,
        list: Some((4, "人工复核")),
    },
    MemberChange {
        code: "member_change",
        label_zh: "家庭成员变更",
        counted_at: 5,
        list: Some((5, "家庭成员变更")),
    },
    PhaseOut {
        code: "phase_out",
        label_zh: "渐退",
        counted_at: 2,
        list: Some((1, "渐退")),
    },
    Exit {
        code: "exit",
        label_zh: "清退",
        counted_at: 1,
        list: Some((0, "清退建议")),
    },
    Entry {
        code: "entry",
        label_zh: "新增",
        counted_at: 3,
        list: Some((2, "新增建议")),
    },
    SinglePersonEntry {
        code: "single_person_entry",
        label_zh: "单人保新增",
        counted_at: 4,
        list: Some((3, "单人保新增")),
    },
    Reject {
        code: "reject",
        label_zh: "不予纳入",
        counted_at: 7,
        list: Some((6, "不予纳入")),
    },
}

/// How many actions have a list.
const LISTS: usize = {
    let (mut i, mut n) = (0, 0);
    while i < ACTIONS.len() {
        if ACTIONS[i].list.is_some() {
            n += 1;
        }
        i += 1;
    }
    n
};

/// The actions in the order of their place where counted, or of their
/// list's place (`lists`), checked when compiling: every place from 0 to
/// `N - 1` taken exactly once.
const fn in_order<const N: usize>(lists: bool) -> [Action; N] {
    let mut out = [Action::Keep; N];
    let mut taken = [false; N];
    let mut i = 0;
    while i < ACTIONS.len() {
        let place = match (lists, ACTIONS[i].list) {
            (false, _) => Some(ACTIONS[i].counted_at),
            (true, Some((at, _))) => Some(at),
            (true, None) => None,
        };
        if let Some(at) = place {
            assert!(
                at < N && !taken[at],
                "an action place out of range or taken twice"
            );
            out[at] = ACTIONS[i].action;
            taken[at] = true;
        }
        i += 1;
    }
    let mut k = 0;
    while k < N {
        assert!(taken[k], "an action place left empty");
        k += 1;
    }
    out
}

impl Action {
    /// Every action, in the order `decisions` counts and the summary list them.
    pub const ALL: [Action; ACTIONS.len()] = in_order(false);

    /// The actions that have a list, in the order a centre works through them.
    pub const LISTED: [Action; LISTS] = in_order(true);

    /// The action's row in [`ACTIONS`] (variants are declared in row order).
    pub fn row(self) -> &'static ActionRow {
        &ACTIONS[self as usize]
    }

    pub fn code(self) -> &'static str {
        self.row().code
    }

    pub fn label_zh(self) -> &'static str {
        self.row().label_zh
    }

    /// The name of the action's list; the label for an action without one.
    pub fn list_name_zh(self) -> &'static str {
        self.row().list.map_or(self.label_zh(), |(_, name)| name)
    }

    /// The action with this code, if any.
    pub fn from_code(code: &str) -> Option<Action> {
        ACTIONS.iter().find(|r| r.code == code).map(|r| r.action)
    }
}
