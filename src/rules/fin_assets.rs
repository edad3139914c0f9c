//! R-FIN-ASSETS — financial assets per living member above the limit.
//!
//! **What it checks**: per account (`institution`, `account_no`), the balance
//! with the latest `as_of` on or before the run month's last day (older
//! snapshots and later ones ignored; an account held by several members counts
//! once), summed over the household's living members; the sum exceeds
//! `financial_assets_months` × standard × living members, or
//! `financial_assets_months_severe` × … where a living member has disability
//! grade 1–2 or 重病.
//! **Action**: `exit`.
//! **Parameters**: `financial_assets_months`, `financial_assets_months_severe`.
//! **Source**: rules.md "Rules for recipients", "Who counts".
//! A row without `as_of` is used only for an account with no dated snapshot;
//! a missing or negative balance counts as 0 (reported in data_quality).

use super::{aggregate_findings, facts_first, yuan, Facts, Finding, RuleId};
use crate::evidence::Deposit;
use crate::verdict::Action;
use rust_decimal::Decimal;

/// The latest snapshot of each account among `rows`, and their total.
pub fn latest_per_account<'r>(rows: &[&'r Deposit]) -> (Vec<&'r Deposit>, Decimal) {
    /// An account, or a row that names none (counted on its own).
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Account<'r> {
        Named(&'r str, &'r str),
        Row(u64),
    }
    fn account(d: &Deposit) -> Account<'_> {
        match (&d.institution, &d.account_no) {
            (Some(i), Some(a)) => Account::Named(i, a),
            _ => Account::Row(d.source.row_index),
        }
    }
    // A household has a few rows: sorted in place, not a map per call (a
    // province's run calls this for millions of households). Per account,
    // the later snapshot first, on the same date the larger balance; the
    // sort is stable, so of equal snapshots the first row is kept.
    let mut latest = rows.to_vec();
    latest.sort_by(|a, b| {
        account(a)
            .cmp(&account(b))
            .then_with(|| (b.as_of, b.balance).cmp(&(a.as_of, a.balance)))
    });
    latest.dedup_by(|later, kept| account(later) == account(kept));
    let total = latest.iter().map(|d| d.balance.unwrap_or_default()).sum();
    latest.sort_by_key(|d| d.source.row_index);
    (latest, total)
}

/// Deposits of living members dated on or before the run month's end.
fn eligible<'f>(f: &'f Facts) -> Vec<&'f Deposit> {
    let end = f.month.last_day();
    f.evidence
        .deposits
        .iter()
        .filter(|d| f.is_living(d.source.member) && d.as_of.is_none_or(|a| a <= end))
        .collect()
}

/// The household's financial assets counted as facts (for the decisions list).
pub fn household_total(f: &Facts) -> Decimal {
    let facts: Vec<&Deposit> = eligible(f)
        .into_iter()
        .filter(|d| d.source.is_fact())
        .collect();
    latest_per_account(&facts).1
}

pub fn check(f: &Facts) -> Vec<Finding> {
    let p = f.params;
    let months = if f.has_severe_living_member() {
        p.financial_assets_months_severe
    } else {
        p.financial_assets_months
    };
    let living = Decimal::from(f.living_count());
    let limit = f.standard * Decimal::from(months) * living;
    let rows = eligible(f);
    let hit = facts_first(
        &rows,
        |d| &d.source,
        |rows| {
            let (latest, total) = latest_per_account(rows);
            (total > limit).then(|| {
                let detail = format!(
                    "家庭金融资产{}元，人均{}元，超过{}个月低保标准（人均{}元）",
                    yuan(total),
                    yuan(total / living),
                    months,
                    yuan(f.standard * Decimal::from(months))
                );
                (latest, detail)
            })
        },
    );
    aggregate_findings(RuleId::FinAssets, Action::Exit, hit, |d| &d.source)
}

#[cfg(test)]
mod tests {
    use crate::evidence::Deposit;
    use crate::rules::testkit::*;
    use crate::rules::RuleId;
    use crate::verdict::Action;
    use rust_decimal_macros::dec;

    // Standard 700, 24 months, 2 members: limit 33600.00; severe 36 months: 50400.00.
    const EXIT: [(RuleId, Action); 1] = [(RuleId::FinAssets, Action::Exit)];

    #[test]
    fn exactly_at_the_limit_does_not_fire_and_one_fen_over_is_an_exit() {
        let mut w = World::household(2);
        w.deposit(0, "ICBC", "A1", dec!(33600.00), "2024-10-31");
        assert_eq!(w.fired(), []);
        w.deposit(1, "ABC", "B1", dec!(0.01), "2024-10-01");
        assert_eq!(w.fired(), EXIT);
    }

    #[test]
    fn a_severe_member_raises_the_limit() {
        let mut w = World::household(2);
        w.deposit(0, "ICBC", "A1", dec!(40000), "2024-10-31");
        assert_eq!(w.fired(), EXIT);
        w.members[1].severe_illness = true;
        assert_eq!(w.fired(), []);
    }

    #[test]
    fn only_the_latest_snapshot_on_or_before_the_month_end_counts() {
        let mut w = World::household(2);
        w.deposit(0, "ICBC", "A1", dec!(90000), "2024-06-30");
        w.deposit(0, "ICBC", "A1", dec!(100), "2024-09-30");
        w.deposit(0, "ICBC", "A1", dec!(90000), "2024-11-30"); // after the run month
        assert_eq!(w.fired(), []);
    }

    /// Per account the later snapshot, on the same date the larger
    /// balance, of equal snapshots the first row; a row naming no account
    /// counts on its own; the kept rows in row order.
    #[test]
    fn the_latest_snapshot_per_account_and_their_total() {
        let mut w = World::household(2);
        w.deposit(0, "ICBC", "A1", dec!(500), "2024-09-30"); // 0: A1, later row wins
        w.deposit(1, "ABC", "B1", dec!(70), "2024-08-31"); // 1: B1, kept (first of equals)
        w.deposit(0, "ICBC", "A1", dec!(900), "2024-10-31"); // 2: A1, latest: kept
        w.deposit(1, "ABC", "B1", dec!(70), "2024-08-31"); // 3: B1, equal to 1
        w.deposit(0, "ICBC", "C1", dec!(10), "2024-10-31"); // 4: C1, smaller same day
        w.deposit(0, "ICBC", "C1", dec!(30), "2024-10-31"); // 5: C1, kept
        w.deposit(1, "ABC", "B1", dec!(99), "2024-07-31"); // 6: B1, earlier
        w.deposit(0, "ICBC", "A1", dec!(5), "2024-10-31"); // 7: A1, same day, smaller
        w.evidence.deposits[7].account_no = None; // 7: no account: its own
        let rows: Vec<&Deposit> = w.evidence.deposits.iter().collect();
        let (latest, total) = super::latest_per_account(&rows);
        let kept: Vec<usize> = latest
            .iter()
            .map(|d| rows.iter().position(|r| std::ptr::eq(*r, *d)).unwrap())
            .collect();
        assert_eq!(kept, [1, 2, 5, 7]);
        assert_eq!(total, dec!(1005));
    }

    #[test]
    fn a_joint_account_counts_once() {
        let mut w = World::household(2);
        w.deposit(0, "ICBC", "J1", dec!(20000), "2024-10-31");
        w.deposit(1, "ICBC", "J1", dec!(20000), "2024-10-31");
        assert_eq!(w.fired(), []);
    }

    #[test]
    fn assets_over_the_limit_only_with_a_review_link_are_uncertain() {
        let mut w = World::household(2);
        w.deposit(0, "ICBC", "A1", dec!(30000), "2024-10-31");
        w.deposit(1, "ABC", "B1", dec!(30000), "2024-10-31");
        w.make_link_review(1);
        assert!(w.only_uncertain(RuleId::FinAssets));
    }
}
