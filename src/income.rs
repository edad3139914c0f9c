//! Household income for the run month (rules.md "Income"), in exact decimals.
//!
//! For each living member: verified wage (payroll), wage = max(declared,
//! verified), employment deduction (就业成本扣减) capped at the wage, plus
//! declared business, property and transfer income, plus the basic pension
//! unless policy excludes it. Household income is the sum less rigid
//! spending (刚性支出) where policy deducts it, floored at zero.

use crate::calendar::RunMonth;
use crate::evidence::Payroll;
use crate::normalise::Member;
use crate::policy::Params;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Is `pay_month` within the `lookback` months ending with the run month?
pub fn in_lookback(pay_month: NaiveDate, month: RunMonth, lookback: u32) -> bool {
    let m = RunMonth::of(pay_month).index();
    m <= month.index() && m > month.index() - lookback as i32
}

/// The mean, over the months that have rows, of the member's monthly payroll
/// sums within the look-back window; `None` without rows. Only `matched`
/// links count: a `review` link is not a fact.
pub fn verified_wage<'a>(
    payroll: impl IntoIterator<Item = &'a Payroll>,
    month: RunMonth,
    lookback: u32,
) -> Option<Decimal> {
    let mut by_month: BTreeMap<i32, Decimal> = BTreeMap::new();
    for p in payroll {
        let (Some(pay_month), Some(pay)) = (p.pay_month, p.gross_monthly_pay) else {
            continue;
        };
        if p.source.is_fact() && in_lookback(pay_month, month, lookback) {
            *by_month.entry(RunMonth::of(pay_month).index()).or_default() += pay;
        }
    }
    if by_month.is_empty() {
        return None;
    }
    Some(by_month.values().sum::<Decimal>() / Decimal::from(by_month.len()))
}

/// One living member's income.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberIncome {
    pub member: u32,
    pub verified_wage: Option<Decimal>,
    pub wage: Decimal,
    pub employment_deduction: Decimal,
    pub income: Decimal,
    /// The same income with the verified wage ignored.
    pub declared_only_income: Decimal,
}

/// A household's income for the run month.
#[derive(Debug, Clone, PartialEq)]
pub struct Income {
    pub living_members: u32,
    pub members: Vec<MemberIncome>,
    pub rigid_expenses: Decimal,
    /// Σ member income − rigid expenses, floored at zero.
    pub household_income: Decimal,
    /// The same with verified wages ignored (declared wages only).
    pub declared_only_income: Decimal,
}

impl Income {
    /// Per-capita income (for reports; compare with [`Income::exceeds`]).
    pub fn per_capita(&self) -> Decimal {
        if self.living_members == 0 {
            Decimal::ZERO
        } else {
            self.household_income / Decimal::from(self.living_members)
        }
    }

    /// Per-capita income above `limit`, compared exactly (income > limit × n).
    pub fn exceeds(&self, limit: Decimal) -> bool {
        self.household_income > limit * Decimal::from(self.living_members)
    }

    /// The same test on declared wages only.
    pub fn declared_only_exceeds(&self, limit: Decimal) -> bool {
        self.declared_only_income > limit * Decimal::from(self.living_members)
    }
}

fn employment_deduction(member: &Member, wage: Decimal, params: &Params) -> Decimal {
    let rate = if member.disability_grade.is_some() {
        params.disabled_employment_deduction_rate
    } else {
        params.employment_deduction_rate
    };
    (rate * params.minimum_wage).min(wage)
}

fn member_income(member: &Member, wage: Decimal, params: &Params) -> (Decimal, Decimal) {
    let deduction = employment_deduction(member, wage, params);
    let d = &member.declared;
    let mut income = wage - deduction + d.business + d.property_income + d.transfer;
    if !params.exclude_basic_pension {
        income += d.basic_pension;
    }
    (income, deduction)
}

/// Computes the income of the `living` members, each with its payroll rows.
pub fn compute<'a>(
    living: impl IntoIterator<Item = (u32, &'a Member, Vec<&'a Payroll>)>,
    params: &Params,
    month: RunMonth,
) -> Income {
    let mut members = Vec::new();
    let mut rigid = Decimal::ZERO;
    for (index, member, payroll) in living {
        let verified = verified_wage(payroll, month, params.payroll_lookback_months);
        let declared_wage = member.declared.wage;
        let wage = verified.map_or(declared_wage, |v| v.max(declared_wage));
        let (income, deduction) = member_income(member, wage, params);
        let (declared_only_income, _) = member_income(member, declared_wage, params);
        if params.rigid_expense_deduction {
            rigid += member.declared.medical_expense + member.declared.education_expense;
        }
        members.push(MemberIncome {
            member: index,
            verified_wage: verified,
            wage,
            employment_deduction: deduction,
            income,
            declared_only_income,
        });
    }
    let floor = |sum: Decimal| (sum - rigid).max(Decimal::ZERO);
    Income {
        living_members: members.len() as u32,
        household_income: floor(members.iter().map(|m| m.income).sum()),
        declared_only_income: floor(members.iter().map(|m| m.declared_only_income).sum()),
        rigid_expenses: rigid,
        members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Source;
    use crate::schema::Dataset;
    use rust_decimal_macros::dec;

    fn ym(s: &str) -> RunMonth {
        s.parse().unwrap()
    }

    fn params() -> Params {
        Params::example()
    }

    fn member() -> Member {
        Member::adult()
    }

    /// A payroll row of `member` for the month starting `month`.
    fn payroll(member: u32, month: &str, pay: Decimal) -> Payroll {
        Payroll {
            source: Source::exact(Dataset::Payroll, member, 0),
            employer: None,
            gross_monthly_pay: Some(pay),
            pay_month: Some(NaiveDate::parse_from_str(month, "%Y-%m-%d").unwrap()),
        }
    }

    #[test]
    fn verified_wage_is_the_mean_of_monthly_sums_within_the_window() {
        let rows = [
            payroll(0, "2024-10-01", dec!(1000)),
            payroll(0, "2024-10-01", dec!(500)),
            payroll(0, "2024-08-01", dec!(900)),
            payroll(0, "2024-04-01", dec!(9000)),
        ];
        // window of 3 months ending 2024-10: Aug (900) and Oct (1500) count; April does not.
        assert_eq!(verified_wage(&rows, ym("2024-10"), 3), Some(dec!(1200)));
        assert_eq!(verified_wage(&rows[3..], ym("2024-10"), 3), None);
        assert!(in_lookback(
            NaiveDate::from_ymd_opt(2024, 10, 31).unwrap(),
            ym("2024-10"),
            1
        ));
        assert!(!in_lookback(
            NaiveDate::from_ymd_opt(2024, 11, 1).unwrap(),
            ym("2024-10"),
            3
        ));
    }

    #[test]
    fn income_takes_the_larger_wage_deducts_employment_cost_and_excludes_pension() {
        let p = params(); // minimum wage 2000, rate 0.25, disabled 0.5, pension excluded, rigid deducted
        let mut worker = member();
        worker.declared.wage = dec!(800);
        worker.declared.basic_pension = dec!(150);
        worker.declared.medical_expense = dec!(100);
        let pay = payroll(0, "2024-10-01", dec!(1300));
        let income = compute([(0, &worker, vec![&pay])], &p, ym("2024-10"));
        // 1300 − 0.25 × 2000 = 800; pension excluded; minus 100 medical
        assert_eq!(income.household_income, dec!(700));
        assert_eq!(income.declared_only_income, dec!(200)); // 800 − 500 − 100
        let mut disabled = worker.clone();
        disabled.disability_grade = Some(3);
        let income = compute([(0, &disabled, vec![])], &p, ym("2024-10"));
        // deduction 0.5 × 2000 = 1000 capped at the wage 800 → 0; minus 100 medical, floored at 0
        assert_eq!(income.household_income, dec!(0));
    }

    #[test]
    fn exceeding_is_exact_one_fen_over() {
        let p = params();
        let mut a = member();
        a.declared.transfer = dec!(1000.00);
        let mut b = member();
        b.declared.transfer = dec!(0.01);
        let income = compute([(0, &a, vec![]), (1, &b, vec![])], &p, ym("2024-10"));
        assert!(!income.exceeds(dec!(500.005))); // 1000.01 vs 1000.01
        assert!(income.exceeds(dec!(500.00)));
        assert_eq!(income.per_capita(), dec!(500.005));
    }
}
