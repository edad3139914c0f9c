//! Planted cases: one household each, whose expected action and reasons are
//! known by construction.
//!
//! A case is a row of [`CASES`]: its name (the `case` column of
//! `truth/decisions.csv`), the kind of household it needs, a precondition on
//! the resolved policy parameters (a case that tests an exemption needs a
//! jurisdiction that has one), and a planting function that changes an
//! ordinary household and says which rules fire and with what action. New
//! case kinds (candidates, near relatives, fuzzy links) are added by writing
//! one planting function and one row here.
//!
//! All thresholds come from the household's resolved `Params`; all money is
//! `Decimal`.

use super::extracts::date_between;
use super::names;
use super::registers::other_township;
use super::roster::{ceil2, floor2, round2, yuan, Household};
use super::truth::{deduction_rate, Action, Candidate, PairTruth, Rule};
use super::Ctx;
use crate::policy::Params;
use crate::schema::{
    Area, AssetType, BusinessRole, BusinessStatus, EntityType, KinshipSource, LaborCapacity,
    Program, PropertyStatus, PropertyUsage, Relation, StaffRole, Staffing, VehicleStatus,
    VehicleType,
};
use rand::seq::IndexedRandom;
use rand::Rng;
use rust_decimal::Decimal;

/// Probability of id/name noise on a planted row.
const NOISE: f64 = 0.35;

/// Which programme a case's household is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// 城市低保 (urban) or 农村低保 (rural).
    Dibao,
    /// 特困供养, urban or rural.
    Tekun,
    /// Any recipient programme (特困 only when the size allows 1–2 members).
    Any,
    /// A candidate: 低保边缘 (`marginal`) or 申请 (`applicant`), pending.
    Candidate,
}

pub(crate) type Applies = fn(&Params, Program, Area) -> bool;
pub(crate) type Plant = fn(&mut Ctx, &mut Household);

/// One planted case kind.
pub(crate) struct CaseDef {
    pub name: &'static str,
    pub kind: Kind,
    /// Household size range (members, living and dead).
    pub size: (usize, usize),
    /// Age range of the head, when it matters.
    pub head_age: Option<(u32, u32)>,
    pub applies: Applies,
    pub plant: Plant,
}

const fn case(
    name: &'static str,
    kind: Kind,
    size: (usize, usize),
    applies: Applies,
    plant: Plant,
) -> CaseDef {
    CaseDef {
        name,
        kind,
        size,
        head_age: None,
        applies,
        plant,
    }
}

/// Every planted case kind, in planting order.
pub(crate) const CASES: &[CaseDef] = &[
    // R-DEATH
    case(
        "death_one_of_two_members",
        Kind::Dibao,
        (2, 2),
        always,
        death_one_of_two_members,
    ),
    case(
        "death_only_member",
        Kind::Any,
        (1, 1),
        always,
        death_only_member,
    ),
    case(
        "death_only_covered_member_single_person_coverage",
        Kind::Dibao,
        (2, 4),
        always,
        death_only_covered_member,
    ),
    case(
        "death_after_run_month",
        Kind::Any,
        (1, 3),
        always,
        death_after_run_month,
    ),
    case(
        "vehicle_owned_by_dead_member",
        Kind::Dibao,
        (2, 3),
        car_not_exempt,
        vehicle_owned_by_dead_member,
    ),
    case(
        "death_and_vehicle_on_living_member",
        Kind::Dibao,
        (2, 3),
        car_not_exempt,
        death_and_vehicle_on_living_member,
    ),
    // R-PAYROLL
    case(
        "payroll_covered_member_in_window",
        Kind::Any,
        (1, 4),
        lookback,
        payroll_covered_member_in_window,
    ),
    case(
        "payroll_only_before_window",
        Kind::Any,
        (1, 4),
        always,
        payroll_only_before_window,
    ),
    case(
        "payroll_uncovered_member_single_person_coverage",
        Kind::Dibao,
        (2, 4),
        lookback,
        payroll_uncovered_member,
    ),
    // R-VEHICLE
    case(
        "vehicle_normal_car_over_exemption",
        Kind::Any,
        (1, 4),
        car_not_exempt,
        vehicle_over_exemption,
    ),
    case(
        "vehicle_null_assessed_value",
        Kind::Any,
        (1, 4),
        car_not_exempt,
        vehicle_null_value,
    ),
    case(
        "vehicle_assessed_exactly_at_exemption",
        Kind::Any,
        (1, 4),
        value_exemption,
        vehicle_exactly_at_exemption,
    ),
    case(
        "vehicle_one_fen_below_exemption",
        Kind::Any,
        (1, 4),
        value_exemption,
        vehicle_one_fen_below,
    ),
    case(
        "vehicle_exempt_type",
        Kind::Any,
        (1, 4),
        exempt_types,
        vehicle_exempt_type,
    ),
    case(
        "vehicle_scrapped_or_deregistered",
        Kind::Any,
        (1, 4),
        always,
        vehicle_scrapped,
    ),
    // R-PROPERTY-COUNT
    case(
        "property_count_over_max",
        Kind::Any,
        (1, 4),
        few_residences,
        property_count_over_max,
    ),
    case(
        "property_count_small_area_exempt",
        Kind::Dibao,
        (4, 5),
        area_exemption,
        property_small_area,
    ),
    case(
        "property_co_owned_unit_counted_once",
        Kind::Dibao,
        (2, 4),
        residences_allowed,
        property_co_owned,
    ),
    case(
        "property_cancelled_unit_not_counted",
        Kind::Any,
        (1, 4),
        few_residences,
        property_cancelled_unit,
    ),
    // R-PROPERTY-COMMERCIAL
    case(
        "property_commercial_current",
        Kind::Any,
        (1, 4),
        commercial_forbidden,
        property_commercial_current,
    ),
    case(
        "property_commercial_cancelled",
        Kind::Any,
        (1, 4),
        always,
        property_commercial_cancelled,
    ),
    // R-BUSINESS-CAPITAL / R-BUSINESS-ACTIVE
    case(
        "business_capital_over_limit",
        Kind::Any,
        (1, 4),
        capital_limit,
        business_capital_over_limit,
    ),
    case(
        "business_capital_exactly_at_limit",
        Kind::Any,
        (1, 4),
        whole_capital_limit,
        business_capital_at_limit,
    ),
    case(
        "business_capital_null",
        Kind::Any,
        (1, 4),
        always,
        business_capital_null,
    ),
    case(
        "business_individual_active",
        Kind::Any,
        (1, 4),
        always,
        business_individual_active,
    ),
    case(
        "business_company_deregistered_over_limit",
        Kind::Any,
        (1, 4),
        capital_limit,
        business_closed_over_limit,
    ),
    // R-FIN-ASSETS
    case(
        "fin_assets_over_limit",
        Kind::Any,
        (1, 4),
        always,
        fin_assets_over_limit,
    ),
    case(
        "fin_assets_exactly_at_limit",
        Kind::Any,
        (1, 4),
        always,
        fin_assets_exactly_at_limit,
    ),
    case(
        "fin_assets_one_fen_over",
        Kind::Any,
        (1, 4),
        always,
        fin_assets_one_fen_over,
    ),
    case(
        "fin_assets_severe_member_between_limits",
        Kind::Any,
        (1, 4),
        severe_months,
        fin_assets_severe_between,
    ),
    case(
        "fin_assets_between_limits_without_severe_member",
        Kind::Any,
        (1, 4),
        severe_months,
        fin_assets_between_plain,
    ),
    case(
        "fin_assets_newer_small_snapshot_wins",
        Kind::Any,
        (1, 4),
        always,
        fin_assets_newer_small_snapshot,
    ),
    case(
        "fin_assets_snapshot_after_run_month_ignored",
        Kind::Any,
        (1, 4),
        always,
        fin_assets_future_snapshot,
    ),
    case(
        "fin_assets_joint_account_counted_once",
        Kind::Dibao,
        (2, 4),
        always,
        fin_assets_joint_account,
    ),
    // R-INCOME
    case(
        "income_declared_over_standard",
        Kind::Any,
        (1, 4),
        always,
        income_declared_over,
    ),
    case(
        "income_per_capita_exactly_at_standard",
        Kind::Dibao,
        (2, 4),
        always,
        income_exactly_at_standard,
    ),
    case(
        "income_one_fen_over",
        Kind::Dibao,
        (2, 4),
        always,
        income_one_fen_over,
    ),
    case(
        "income_verified_payroll_pushes_over",
        Kind::Dibao,
        (2, 4),
        phase_out_possible,
        income_verified_payroll,
    ),
    case(
        "phasing_out_still_over_within_period",
        Kind::Dibao,
        (1, 4),
        always,
        phasing_out_still_over,
    ),
    case(
        "phasing_out_period_ended_still_over",
        Kind::Dibao,
        (1, 4),
        always,
        phasing_out_ended,
    ),
    case(
        "phasing_out_back_within_standard",
        Kind::Dibao,
        (1, 4),
        always,
        phasing_out_within,
    ),
    case(
        "income_employment_deduction_makes_difference",
        Kind::Dibao,
        (1, 4),
        deduction,
        income_deduction_difference,
    ),
    case(
        "income_disabled_deduction_makes_difference",
        Kind::Dibao,
        (1, 4),
        disabled_deduction,
        income_disabled_difference,
    ),
    CaseDef {
        name: "income_basic_pension_excluded",
        kind: Kind::Dibao,
        size: (1, 3),
        head_age: Some((60, 85)),
        applies: pension_excluded,
        plant: income_pension_excluded,
    },
    case(
        "income_rigid_expense_brings_within",
        Kind::Dibao,
        (1, 4),
        rigid_expenses,
        income_rigid_expense,
    ),
    case(
        "tekun_income_between_area_and_tekun_standard",
        Kind::Tekun,
        (1, 1),
        tekun_above_area,
        tekun_between,
    ),
    case(
        "tekun_income_between_tekun_and_area_standard",
        Kind::Tekun,
        (1, 1),
        tekun_below_area,
        tekun_between_below,
    ),
    case(
        "tekun_income_over_tekun_standard",
        Kind::Tekun,
        (1, 2),
        always,
        tekun_over,
    ),
    // Combinations (reasons order).
    case(
        "vehicle_and_fin_assets_over",
        Kind::Any,
        (1, 4),
        car_not_exempt,
        vehicle_and_fin_assets,
    ),
    case(
        "income_over_and_business_active",
        Kind::Any,
        (1, 4),
        always,
        income_over_and_business_active,
    ),
    case(
        "payroll_and_business_active",
        Kind::Any,
        (1, 4),
        lookback,
        payroll_and_business_active,
    ),
    // Candidates (rules.md "Rules for candidates").
    case(
        "candidate_income_within_standard",
        Kind::Candidate,
        (1, 4),
        always,
        candidate_entry,
    ),
    case(
        "candidate_income_exactly_at_standard",
        Kind::Candidate,
        (1, 4),
        always,
        candidate_exactly_at_standard,
    ),
    case(
        "candidate_single_person_lowest_id_of_two_severe",
        Kind::Candidate,
        (2, 4),
        marginal_band,
        candidate_single_person,
    ),
    case(
        "candidate_over_marginal_with_severe_member",
        Kind::Candidate,
        (2, 4),
        marginal_band,
        candidate_over_marginal,
    ),
    case(
        "candidate_between_standard_and_marginal_without_severe",
        Kind::Candidate,
        (1, 4),
        marginal_band,
        candidate_between_plain,
    ),
    case(
        "candidate_vehicle_rejects",
        Kind::Candidate,
        (1, 4),
        car_not_exempt,
        candidate_vehicle,
    ),
    case(
        "candidate_vehicle_and_income_over_rejects_on_assets",
        Kind::Candidate,
        (1, 4),
        car_not_exempt,
        candidate_vehicle_income_over,
    ),
    case(
        "candidate_fin_assets_over_rejects",
        Kind::Candidate,
        (1, 4),
        always,
        candidate_fin_assets,
    ),
    case(
        "candidate_payroll_turns_entry_into_review",
        Kind::Candidate,
        (1, 4),
        lookback,
        candidate_payroll,
    ),
    case(
        "candidate_business_active_turns_entry_into_review",
        Kind::Candidate,
        (1, 4),
        always,
        candidate_business_active,
    ),
    case(
        "candidate_all_members_dead",
        Kind::Candidate,
        (1, 2),
        always,
        candidate_all_dead,
    ),
    case(
        "candidate_one_member_dead_still_entry",
        Kind::Candidate,
        (2, 4),
        always,
        candidate_one_dead,
    ),
    case(
        "candidate_near_relative_unfiled",
        Kind::Candidate,
        (1, 4),
        always,
        candidate_near_relative,
    ),
    // Near relatives (rules.md "Near relatives").
    case(
        "near_relative_unfiled_kinship_from_staff_side",
        Kind::Any,
        (1, 4),
        always,
        near_relative_unfiled_staff_side,
    ),
    case(
        "near_relative_unfiled_kinship_from_member_side",
        Kind::Any,
        (1, 4),
        always,
        near_relative_unfiled_member_side,
    ),
    case(
        "near_relative_filed_correctly",
        Kind::Any,
        (1, 4),
        always,
        near_relative_filed,
    ),
    case(
        "near_relative_filed_relation_wrong_way_round",
        Kind::Any,
        (1, 4),
        directed_relations,
        near_relative_filed_wrong_way,
    ),
    case(
        "near_relative_case_worker_township_code_ending_in_zeros",
        Kind::Any,
        (1, 4),
        always,
        near_relative_case_worker_covering,
    ),
    case(
        "near_relative_verifier_of_the_county",
        Kind::Any,
        (1, 4),
        always,
        near_relative_verifier_county,
    ),
    case(
        "near_relative_case_worker_other_township_filed",
        Kind::Any,
        (1, 4),
        always,
        near_relative_case_worker_elsewhere,
    ),
    case(
        "near_relative_staff_member_is_recipient",
        Kind::Any,
        (1, 4),
        always,
        near_relative_staff_is_member,
    ),
    case(
        "near_relative_staff_member_is_recipient_filed_self",
        Kind::Any,
        (1, 4),
        always,
        near_relative_staff_is_member_filed,
    ),
    case(
        "near_relative_relation_not_near",
        Kind::Any,
        (1, 4),
        always,
        near_relative_not_near,
    ),
    case(
        "near_relative_of_uncovered_member",
        Kind::Dibao,
        (2, 4),
        always,
        near_relative_uncovered,
    ),
    case(
        "near_relative_of_dead_member",
        Kind::Dibao,
        (2, 4),
        always,
        near_relative_dead,
    ),
    // Re-verification (rules.md "Re-verification").
    CaseDef {
        name: "review_semiannual_from_month_end_due",
        kind: Kind::Dibao,
        size: (1, 3),
        head_age: Some((25, 50)),
        applies: always,
        plant: review_semiannual_due,
    },
    CaseDef {
        name: "review_semiannual_from_month_end_not_yet_due",
        kind: Kind::Dibao,
        size: (1, 3),
        head_age: Some((25, 50)),
        applies: always,
        plant: review_semiannual_not_due,
    },
    case(
        "review_annual_tekun_due_on_the_last_day",
        Kind::Tekun,
        (1, 2),
        always,
        review_annual_tekun,
    ),
    CaseDef {
        name: "review_annual_elderly_not_due_at_seven_months",
        kind: Kind::Dibao,
        size: (1, 1),
        head_age: Some((62, 85)),
        applies: always,
        plant: review_annual_elderly,
    },
    case(
        "review_member_turns_60_on_the_last_day",
        Kind::Dibao,
        (1, 1),
        always,
        review_turns_60_on_last_day,
    ),
    case(
        "review_member_turns_60_the_day_after",
        Kind::Dibao,
        (1, 1),
        always,
        review_turns_60_day_after,
    ),
    case(
        "review_without_dates_due_now",
        Kind::Any,
        (1, 4),
        always,
        review_no_dates,
    ),
];

// -------------------------------------------------------------------
// Preconditions.
// -------------------------------------------------------------------

fn always(_: &Params, _: Program, _: Area) -> bool {
    true
}
fn car_not_exempt(p: &Params, _: Program, _: Area) -> bool {
    !p.vehicle_exempt_types.contains(&VehicleType::Car)
}
fn value_exemption(p: &Params, a: Program, b: Area) -> bool {
    car_not_exempt(p, a, b)
        && p.vehicle_value_exempt_below >= Decimal::new(1, 2)
        && p.vehicle_value_exempt_below == round2(p.vehicle_value_exempt_below)
}
fn exempt_types(p: &Params, _: Program, _: Area) -> bool {
    !p.vehicle_exempt_types.is_empty()
}
fn lookback(p: &Params, _: Program, _: Area) -> bool {
    p.payroll_lookback_months >= 1
}
fn phase_out_possible(p: &Params, _: Program, _: Area) -> bool {
    p.payroll_lookback_months >= 1 && p.phase_out_months >= 1
}
fn few_residences(p: &Params, _: Program, _: Area) -> bool {
    p.max_residences <= 4
}
fn residences_allowed(p: &Params, _: Program, _: Area) -> bool {
    (1..=4).contains(&p.max_residences)
}
fn area_exemption(p: &Params, _: Program, _: Area) -> bool {
    p.max_residences <= 4
        && p.residence_area_per_capita_exempt_below >= Decimal::from(2 * (p.max_residences + 1))
}
fn commercial_forbidden(p: &Params, _: Program, _: Area) -> bool {
    !p.commercial_property_allowed
}
fn capital_limit(p: &Params, _: Program, _: Area) -> bool {
    p.business_capital_limit >= Decimal::ZERO
        && p.business_capital_limit < Decimal::from(1_000_000_000_000i64)
}
fn whole_capital_limit(p: &Params, a: Program, b: Area) -> bool {
    capital_limit(p, a, b) && p.business_capital_limit.fract().is_zero()
}
fn severe_months(p: &Params, _: Program, _: Area) -> bool {
    p.financial_assets_months_severe > p.financial_assets_months
}
fn deduction(p: &Params, _: Program, _: Area) -> bool {
    p.employment_deduction_rate * p.minimum_wage >= Decimal::new(2, 2)
}
fn disabled_deduction(p: &Params, _: Program, _: Area) -> bool {
    (p.disabled_employment_deduction_rate - p.employment_deduction_rate) * p.minimum_wage
        >= Decimal::new(4, 2)
}
fn pension_excluded(p: &Params, _: Program, _: Area) -> bool {
    p.exclude_basic_pension
}
fn rigid_expenses(p: &Params, _: Program, _: Area) -> bool {
    p.rigid_expense_deduction
}
fn tekun_above_area(p: &Params, program: Program, area: Area) -> bool {
    let area_standard = super::truth::standard(p, Program::RuralDibao, area);
    program == Program::Tekun && p.tekun_standard - area_standard >= Decimal::new(2, 2)
}

fn marginal_band(p: &Params, _: Program, _: Area) -> bool {
    p.marginal_multiplier >= Decimal::new(105, 2)
}
fn directed_relations(p: &Params, _: Program, _: Area) -> bool {
    p.near_relative_relations
        .iter()
        .any(|&r| inverse_of(r) != r)
}

fn tekun_below_area(p: &Params, program: Program, area: Area) -> bool {
    let area_standard = super::truth::standard(p, Program::RuralDibao, area);
    program == Program::Tekun && area_standard - p.tekun_standard >= Decimal::new(2, 2)
}

// -------------------------------------------------------------------
// Helpers.
// -------------------------------------------------------------------

fn fire(h: &mut Household, rule: Rule, action: Action) {
    h.expected.fired.push((rule, action));
}

/// A random living member aged 18 or more (the head when none).
fn adult(ctx: &mut Ctx, h: &Household) -> usize {
    let adults: Vec<usize> = (0..h.members.len())
        .filter(|&i| !h.members[i].dead && h.members[i].age >= 18)
        .collect();
    adults.choose(&mut ctx.rng).copied().unwrap_or(0)
}

/// A random living member.
fn living(ctx: &mut Ctx, h: &Household) -> usize {
    let alive: Vec<usize> = (0..h.members.len())
        .filter(|&i| !h.members[i].dead)
        .collect();
    alive.choose(&mut ctx.rng).copied().unwrap_or(0)
}

/// All declared amounts set to zero: the case builds income from nothing.
fn zero_income(h: &mut Household) {
    for m in &mut h.members {
        m.declared = Default::default();
    }
    h.income_fixed = true;
}

/// No member counts as "severe" (disability grade 1–2 or 重病).
fn clear_severe(h: &mut Household) {
    for m in &mut h.members {
        if matches!(m.disability_grade, Some(1 | 2)) {
            m.disability_grade = Some(3);
        }
        m.severe_illness = false;
    }
}

fn ded(h: &Household, i: usize) -> Decimal {
    deduction_rate(&h.params, &h.members[i]) * h.params.minimum_wage
}

/// A planted death of member `i` on `date`; the member counts as dead when
/// the date is on or before the run month's end.
fn kill(ctx: &mut Ctx, h: &mut Household, i: usize, date: chrono::NaiveDate) {
    ctx.add_death(h.members[i].person, NOISE, date);
    h.members[i].dead = date <= ctx.month.last_day();
}

fn death_date(ctx: &mut Ctx) -> chrono::NaiveDate {
    let m = ctx.month;
    date_between(&mut ctx.rng, m.plus(-4).first_day(), m.last_day())
}

/// A 单人保 household: only member `k` is covered (and is the severely
/// disabled or ill member that justifies it).
fn single_person_coverage(ctx: &mut Ctx, h: &mut Household, k: usize) {
    h.single_person_coverage = true;
    for (i, m) in h.members.iter_mut().enumerate() {
        m.covered = i == k;
    }
    let m = &mut h.members[k];
    if ctx.rng.random_bool(0.6) {
        m.disability_grade = Some(ctx.rng.random_range(1..=2));
        m.labor_capacity = LaborCapacity::None;
    } else {
        m.severe_illness = true;
    }
}

/// Payroll rows for member `i` in the look-back window, whose monthly sums
/// have mean `mean`; records the verified wage.
fn payroll_in_window(ctx: &mut Ctx, h: &mut Household, i: usize, mean: Decimal) {
    let lookback = h.params.payroll_lookback_months as i32;
    let person = h.members[i].person;
    let staffing = if ctx.rng.random_bool(0.7) {
        Staffing::Contract
    } else {
        Staffing::PublicInstitution
    };
    let m0 = ctx.month.plus(-ctx.rng.random_range(0..lookback));
    let c = floor2(mean * Decimal::new(3, 1));
    if lookback >= 2 {
        // Two months: one paid in two rows (sum mean − a), one in one row
        // (mean + a): the mean of the monthly sums is `mean`.
        let a = floor2(mean * Decimal::new(1, 1));
        let mut m1 = m0;
        while m1 == m0 {
            m1 = ctx.month.plus(-ctx.rng.random_range(0..lookback));
        }
        ctx.add_payroll(person, NOISE, staffing, mean - a - c, m0.first_day());
        ctx.add_payroll(person, NOISE, staffing, c, m0.first_day());
        ctx.add_payroll(person, NOISE, staffing, mean + a, m1.first_day());
    } else {
        ctx.add_payroll(person, NOISE, staffing, mean - c, m0.first_day());
        ctx.add_payroll(person, NOISE, staffing, c, m0.first_day());
    }
    h.members[i].verified_wage = Some(mean);
}

/// Small pay (within the standard) for member `i`: at most half the
/// household's standard above the deduction.
fn small_payroll(ctx: &mut Ctx, h: &mut Household, i: usize) {
    super::roster::clamp_income(h, Decimal::new(3, 1));
    h.income_fixed = true;
    let cap = h.standard_total() * Decimal::new(5, 1) + ded(h, i);
    let pay = floor2(yuan(&mut ctx.rng, 600, 1400).min(cap));
    payroll_in_window(ctx, h, i, pay);
}

fn car(
    ctx: &mut Ctx,
    h: &mut Household,
    owner: usize,
    status: VehicleStatus,
    value: Option<Decimal>,
) {
    let t = if ctx.rng.random_bool(0.2)
        && !h.params.vehicle_exempt_types.contains(&VehicleType::Truck)
    {
        VehicleType::Truck
    } else {
        VehicleType::Car
    };
    ctx.add_vehicle(h.members[owner].person, NOISE, t, status, value);
}

fn big_vehicle_value(ctx: &mut Ctx, h: &Household) -> Decimal {
    h.params.vehicle_value_exempt_below.max(Decimal::ZERO) + yuan(&mut ctx.rng, 20_000, 150_000)
}

/// `n` residential units (share 1, `area` m² each) owned by living adults.
fn residences(
    ctx: &mut Ctx,
    h: &Household,
    n: usize,
    area: f64,
    status_of: impl Fn(usize) -> PropertyStatus,
) {
    for k in 0..n {
        let owner = h.members[adult(ctx, h)].person;
        let unit = ctx.unit_no(&h.region_code);
        let loc = super::roster::location(&mut ctx.rng, &h.region_code);
        ctx.add_property(
            owner,
            NOISE,
            unit,
            loc,
            PropertyUsage::Residential,
            area,
            1.0,
            status_of(k),
        );
    }
}

fn company(ctx: &mut Ctx, h: &Household, capital: Option<i64>, status: BusinessStatus) {
    let owner = h.members[adult(ctx, h)].person;
    let t = *[
        EntityType::Company,
        EntityType::SoleProprietorship,
        EntityType::Partnership,
    ]
    .choose(&mut ctx.rng)
    .unwrap_or(&EntityType::Company);
    let role = if ctx.rng.random_bool(0.7) {
        BusinessRole::LegalRep
    } else {
        BusinessRole::Shareholder
    };
    ctx.add_business(owner, NOISE, t, role, capital, status);
}

fn individual_business(ctx: &mut Ctx, h: &Household) {
    let owner = h.members[adult(ctx, h)].person;
    let capital = Some(i64::from(ctx.rng.random_range(1..=20)) * 5000);
    ctx.add_business(
        owner,
        NOISE,
        EntityType::Individual,
        BusinessRole::Operator,
        capital,
        BusinessStatus::Active,
    );
}

/// The R-FIN-ASSETS limit: months × standard × living members.
fn fin_limit(h: &Household, severe: bool) -> Decimal {
    let months = if severe {
        h.params.financial_assets_months_severe
    } else {
        h.params.financial_assets_months
    };
    Decimal::from(months) * h.standard_total()
}

/// Accounts of living members whose latest balances (all dated within the
/// run month or the two before it, one exactly on its last day) sum to
/// `total`.
fn deposits_summing(ctx: &mut Ctx, h: &Household, total: Decimal, accounts: usize) {
    let month = ctx.month;
    let mut left = total;
    for k in 0..accounts {
        let balance = if k + 1 == accounts {
            left
        } else {
            floor2(left * Decimal::new(ctx.rng.random_range(30..=70), 2))
        };
        left -= balance;
        let owner = h.members[living(ctx, h)].person;
        let institution = names::INSTITUTIONS
            .choose(&mut ctx.rng)
            .copied()
            .unwrap_or("中国银行");
        let account = ctx.account_no();
        let asset_type = match institution {
            "中国人寿保险" => AssetType::InsuranceCashValue,
            "华西证券" => AssetType::Securities,
            _ if ctx.rng.random_bool(0.3) => AssetType::WealthProduct,
            _ => AssetType::Deposit,
        };
        let as_of = if k == 0 {
            month.last_day()
        } else {
            date_between(&mut ctx.rng, month.plus(-2).first_day(), month.last_day())
        };
        ctx.add_deposit(
            owner,
            NOISE,
            institution,
            account,
            asset_type,
            balance,
            as_of,
        );
    }
}

/// Declared income over the standard (a wage well above it).
fn declared_over(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let i = adult(ctx, h);
    let extra = h.standard() * Decimal::new(ctx.rng.random_range(10..=60), 2);
    h.members[i].declared.wage = ceil2(h.standard_total() + extra + ded(h, i));
}

/// Declared non-wage amounts over living members that sum to `total`.
fn non_wage_income(ctx: &mut Ctx, h: &mut Household, total: Decimal) {
    let alive: Vec<usize> = (0..h.members.len())
        .filter(|&i| !h.members[i].dead)
        .collect();
    let mut left = total;
    for (k, &i) in alive.iter().enumerate() {
        let part = if k + 1 == alive.len() {
            left
        } else {
            floor2(left * Decimal::new(ctx.rng.random_range(30..=60), 2))
        };
        left -= part;
        let d = &mut h.members[i].declared;
        match (k % 3, ctx.rng.random_bool(0.5)) {
            (0, _) => d.business += part,
            (1, true) => d.property += part,
            _ => d.transfer += part,
        }
    }
}

// -------------------------------------------------------------------
// R-DEATH
// -------------------------------------------------------------------

fn death_one_of_two_members(ctx: &mut Ctx, h: &mut Household) {
    let date = death_date(ctx);
    kill(ctx, h, 1, date);
    fire(h, Rule::Death, Action::MemberChange);
}

fn death_only_member(ctx: &mut Ctx, h: &mut Household) {
    let date = death_date(ctx);
    kill(ctx, h, 0, date);
    fire(h, Rule::Death, Action::Exit);
}

fn death_only_covered_member(ctx: &mut Ctx, h: &mut Household) {
    let k = ctx.rng.random_range(0..h.members.len());
    single_person_coverage(ctx, h, k);
    let date = death_date(ctx);
    kill(ctx, h, k, date);
    fire(h, Rule::Death, Action::Exit);
}

fn death_after_run_month(ctx: &mut Ctx, h: &mut Household) {
    let i = ctx.rng.random_range(0..h.members.len());
    let date = ctx.month.last_day() + chrono::Duration::days(ctx.rng.random_range(1..=25));
    kill(ctx, h, i, date);
}

fn vehicle_owned_by_dead_member(ctx: &mut Ctx, h: &mut Household) {
    let date = death_date(ctx);
    kill(ctx, h, 1, date);
    let value = Some(big_vehicle_value(ctx, h));
    car(ctx, h, 1, VehicleStatus::Normal, value);
    fire(h, Rule::Death, Action::MemberChange);
}

fn death_and_vehicle_on_living_member(ctx: &mut Ctx, h: &mut Household) {
    let date = death_date(ctx);
    kill(ctx, h, 1, date);
    let value = Some(big_vehicle_value(ctx, h));
    car(ctx, h, 0, VehicleStatus::Normal, value);
    fire(h, Rule::Death, Action::MemberChange);
    fire(h, Rule::Vehicle, Action::Exit);
}

// -------------------------------------------------------------------
// R-PAYROLL
// -------------------------------------------------------------------

fn payroll_covered_member_in_window(ctx: &mut Ctx, h: &mut Household) {
    let i = adult(ctx, h);
    small_payroll(ctx, h, i);
    fire(h, Rule::Payroll, Action::ManualReview);
}

fn payroll_only_before_window(ctx: &mut Ctx, h: &mut Household) {
    let i = adult(ctx, h);
    let person = h.members[i].person;
    let first_outside = -(h.params.payroll_lookback_months as i32);
    for k in 0..ctx.rng.random_range(1..=3) {
        let pay = yuan(&mut ctx.rng, 3500, 6000);
        ctx.add_payroll(
            person,
            NOISE,
            Staffing::CivilServant,
            pay,
            ctx.month.plus(first_outside - k).first_day(),
        );
    }
}

fn payroll_uncovered_member(ctx: &mut Ctx, h: &mut Household) {
    // The head works and is not covered; another member is the 单人保 one.
    let k = ctx.rng.random_range(1..h.members.len());
    single_person_coverage(ctx, h, k);
    small_payroll(ctx, h, 0);
}

// -------------------------------------------------------------------
// R-VEHICLE
// -------------------------------------------------------------------

fn vehicle_over_exemption(ctx: &mut Ctx, h: &mut Household) {
    let owner = adult(ctx, h);
    let value = Some(big_vehicle_value(ctx, h));
    car(ctx, h, owner, VehicleStatus::Normal, value);
    fire(h, Rule::Vehicle, Action::Exit);
}

fn vehicle_null_value(ctx: &mut Ctx, h: &mut Household) {
    let owner = adult(ctx, h);
    car(ctx, h, owner, VehicleStatus::Normal, None);
    fire(h, Rule::Vehicle, Action::Exit);
}

fn vehicle_exactly_at_exemption(ctx: &mut Ctx, h: &mut Household) {
    let owner = adult(ctx, h);
    let value = Some(h.params.vehicle_value_exempt_below);
    car(ctx, h, owner, VehicleStatus::Normal, value);
    fire(h, Rule::Vehicle, Action::Exit);
}

fn vehicle_one_fen_below(ctx: &mut Ctx, h: &mut Household) {
    let owner = adult(ctx, h);
    let value = Some(h.params.vehicle_value_exempt_below - Decimal::new(1, 2));
    car(ctx, h, owner, VehicleStatus::Normal, value);
}

fn vehicle_exempt_type(ctx: &mut Ctx, h: &mut Household) {
    let owner = adult(ctx, h);
    let types = h.params.vehicle_exempt_types.clone();
    let t = *types
        .choose(&mut ctx.rng)
        .unwrap_or(&VehicleType::Motorcycle);
    let value = Some(big_vehicle_value(ctx, h));
    ctx.add_vehicle(
        h.members[owner].person,
        NOISE,
        t,
        VehicleStatus::Normal,
        value,
    );
}

fn vehicle_scrapped(ctx: &mut Ctx, h: &mut Household) {
    let owner = adult(ctx, h);
    let status = if ctx.rng.random_bool(0.5) {
        VehicleStatus::Scrapped
    } else {
        VehicleStatus::Deregistered
    };
    let value = Some(big_vehicle_value(ctx, h));
    car(ctx, h, owner, status, value);
}

// -------------------------------------------------------------------
// R-PROPERTY-COUNT / R-PROPERTY-COMMERCIAL
// -------------------------------------------------------------------

/// An area per unit large enough that `units` units give at least the
/// exemption threshold per living member (and at least 60 m²).
fn large_unit_area(h: &Household, units: usize) -> f64 {
    let need = h.params.residence_area_per_capita_exempt_below * Decimal::from(h.living())
        / Decimal::from(units);
    let need: f64 = need.ceil().try_into().unwrap_or(60.0);
    need.max(60.0) + 10.5
}

fn property_count_over_max(ctx: &mut Ctx, h: &mut Household) {
    let units = h.params.max_residences as usize + 1;
    let area = large_unit_area(h, units);
    if h.members.len() >= 2 && ctx.rng.random_bool(0.5) {
        // One of the units co-owned half and half: still one unit, full area.
        co_owned_unit(ctx, h, area);
        residences(ctx, h, units - 1, area, |_| PropertyStatus::Current);
    } else {
        residences(ctx, h, units, area, |_| PropertyStatus::Current);
    }
    fire(h, Rule::PropertyCount, Action::Exit);
}

fn property_small_area(ctx: &mut Ctx, h: &mut Household) {
    let units = h.params.max_residences as usize + 1;
    // 70% of the exemption threshold per living member, in half square metres.
    let total = h.params.residence_area_per_capita_exempt_below
        * Decimal::from(h.living())
        * Decimal::new(7, 1);
    let per_unit = (total / Decimal::from(units) * Decimal::TWO).floor() / Decimal::TWO;
    let area: f64 = per_unit.try_into().unwrap_or(5.0);
    residences(ctx, h, units, area, |_| PropertyStatus::Current);
}

/// One current residential unit owned half and half by the first two
/// members: one unit for the household, with its full area.
fn co_owned_unit(ctx: &mut Ctx, h: &Household, area: f64) {
    let unit = ctx.unit_no(&h.region_code);
    let loc = super::roster::location(&mut ctx.rng, &h.region_code);
    for (member, loc) in [(&h.members[0], loc.clone()), (&h.members[1], loc)] {
        ctx.add_property(
            member.person,
            NOISE,
            unit.clone(),
            loc,
            PropertyUsage::Residential,
            area,
            0.5,
            PropertyStatus::Current,
        );
    }
}

fn property_co_owned(ctx: &mut Ctx, h: &mut Household) {
    let units = h.params.max_residences as usize;
    let area = large_unit_area(h, units.max(1));
    co_owned_unit(ctx, h, area);
    residences(ctx, h, units - 1, area, |_| PropertyStatus::Current);
}

fn property_cancelled_unit(ctx: &mut Ctx, h: &mut Household) {
    let units = h.params.max_residences as usize + 1;
    let area = large_unit_area(h, units);
    let cancelled = ctx.rng.random_range(0..units);
    residences(ctx, h, units, area, |k| {
        if k == cancelled {
            PropertyStatus::Cancelled
        } else {
            PropertyStatus::Current
        }
    });
}

fn commercial(ctx: &mut Ctx, h: &mut Household, status: PropertyStatus) {
    let owner = h.members[adult(ctx, h)].person;
    let usage = *[
        PropertyUsage::Commercial,
        PropertyUsage::Office,
        PropertyUsage::Industrial,
    ]
    .choose(&mut ctx.rng)
    .unwrap_or(&PropertyUsage::Commercial);
    let unit = ctx.unit_no(&h.region_code);
    let loc = super::roster::location(&mut ctx.rng, &h.region_code);
    let area = f64::from(ctx.rng.random_range(20..=200));
    ctx.add_property(owner, NOISE, unit, loc, usage, area, 1.0, status);
}

fn property_commercial_current(ctx: &mut Ctx, h: &mut Household) {
    commercial(ctx, h, PropertyStatus::Current);
    fire(h, Rule::PropertyCommercial, Action::Exit);
}

fn property_commercial_cancelled(ctx: &mut Ctx, h: &mut Household) {
    commercial(ctx, h, PropertyStatus::Cancelled);
}

// -------------------------------------------------------------------
// Businesses
// -------------------------------------------------------------------

fn whole_limit(h: &Household) -> i64 {
    i64::try_from(h.params.business_capital_limit.ceil().mantissa()).unwrap_or(0)
}

fn business_capital_over_limit(ctx: &mut Ctx, h: &mut Household) {
    let capital = whole_limit(h) + i64::from(ctx.rng.random_range(1..=50)) * 10_000;
    company(ctx, h, Some(capital), BusinessStatus::Active);
    fire(h, Rule::BusinessCapital, Action::Exit);
}

fn business_capital_at_limit(ctx: &mut Ctx, h: &mut Household) {
    company(ctx, h, Some(whole_limit(h)), BusinessStatus::Active);
    fire(h, Rule::BusinessActive, Action::ManualReview);
}

fn business_capital_null(ctx: &mut Ctx, h: &mut Household) {
    company(ctx, h, None, BusinessStatus::Active);
    fire(h, Rule::BusinessActive, Action::ManualReview);
}

fn business_individual_active(ctx: &mut Ctx, h: &mut Household) {
    individual_business(ctx, h);
    fire(h, Rule::BusinessActive, Action::ManualReview);
}

fn business_closed_over_limit(ctx: &mut Ctx, h: &mut Household) {
    let capital = whole_limit(h) + i64::from(ctx.rng.random_range(1..=50)) * 10_000;
    let status = if ctx.rng.random_bool(0.5) {
        BusinessStatus::Deregistered
    } else {
        BusinessStatus::Revoked
    };
    company(ctx, h, Some(capital), status);
}

// -------------------------------------------------------------------
// R-FIN-ASSETS
// -------------------------------------------------------------------

fn fin_assets_over_limit(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    let total = round2(fin_limit(h, false) * Decimal::new(15, 1)) + yuan(&mut ctx.rng, 0, 1000);
    deposits_summing(ctx, h, total, 2);
    fire(h, Rule::FinAssets, Action::Exit);
}

fn fin_assets_exactly_at_limit(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    let total = fin_limit(h, false);
    deposits_summing(ctx, h, total, 3);
}

fn fin_assets_one_fen_over(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    let total = fin_limit(h, false) + Decimal::new(1, 2);
    deposits_summing(ctx, h, total, 2);
    fire(h, Rule::FinAssets, Action::Exit);
}

fn between_limits(h: &Household) -> Decimal {
    round2((fin_limit(h, false) + fin_limit(h, true)) / Decimal::TWO)
}

fn fin_assets_severe_between(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    let i = living(ctx, h);
    let m = &mut h.members[i];
    if ctx.rng.random_bool(0.5) {
        m.disability_grade = Some(ctx.rng.random_range(1..=2));
        m.labor_capacity = LaborCapacity::None;
    } else {
        m.severe_illness = true;
    }
    let total = between_limits(h);
    deposits_summing(ctx, h, total, 2);
}

fn fin_assets_between_plain(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    let total = between_limits(h);
    deposits_summing(ctx, h, total, 2);
    fire(h, Rule::FinAssets, Action::Exit);
}

fn fin_assets_newer_small_snapshot(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    let limit = fin_limit(h, false);
    let owner = h.members[living(ctx, h)].person;
    let account = ctx.account_no();
    let month = ctx.month;
    let old = round2(limit * Decimal::TWO) + yuan(&mut ctx.rng, 100, 5000);
    let new = round2(limit * Decimal::new(3, 1));
    ctx.add_deposit(
        owner,
        NOISE,
        "中国邮政储蓄银行",
        account.clone(),
        AssetType::Deposit,
        old,
        month.plus(-3).last_day(),
    );
    let newer = date_between(&mut ctx.rng, month.plus(-1).first_day(), month.last_day());
    ctx.add_deposit(
        owner,
        NOISE,
        "中国邮政储蓄银行",
        account,
        AssetType::Deposit,
        new,
        newer,
    );
}

fn fin_assets_future_snapshot(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    let limit = fin_limit(h, false);
    let owner = h.members[living(ctx, h)].person;
    let account = ctx.account_no();
    let month = ctx.month;
    let now = round2(limit * Decimal::new(3, 1));
    let later = round2(limit * Decimal::TWO) + yuan(&mut ctx.rng, 100, 5000);
    let as_of = date_between(&mut ctx.rng, month.first_day(), month.last_day());
    ctx.add_deposit(
        owner,
        NOISE,
        "农村商业银行",
        account.clone(),
        AssetType::WealthProduct,
        now,
        as_of,
    );
    let after = month.last_day() + chrono::Duration::days(ctx.rng.random_range(1..=20));
    ctx.add_deposit(
        owner,
        NOISE,
        "农村商业银行",
        account,
        AssetType::WealthProduct,
        later,
        after,
    );
}

fn fin_assets_joint_account(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    let balance = round2(fin_limit(h, false) * Decimal::new(7, 1));
    let account = ctx.account_no();
    let as_of = date_between(
        &mut ctx.rng,
        ctx.month.plus(-1).first_day(),
        ctx.month.last_day(),
    );
    for i in [0, 1] {
        let person = h.members[i].person;
        ctx.add_deposit(
            person,
            NOISE,
            "中国农业银行",
            account.clone(),
            AssetType::Deposit,
            balance,
            as_of,
        );
    }
}

// -------------------------------------------------------------------
// R-INCOME
// -------------------------------------------------------------------

fn income_declared_over(ctx: &mut Ctx, h: &mut Household) {
    declared_over(ctx, h);
    fire(h, Rule::Income, Action::Exit);
}

fn income_exactly_at_standard(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let total = h.standard_total();
    non_wage_income(ctx, h, total);
}

fn income_one_fen_over(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let total = h.standard_total() + Decimal::new(1, 2);
    non_wage_income(ctx, h, total);
    // A wage no larger than the deduction adds nothing (the deduction is
    // capped at the wage, never negative).
    let i = adult(ctx, h);
    let w = floor2(ded(h, i).min(Decimal::from(300)));
    if w > Decimal::ZERO {
        h.members[i].declared.wage = w;
    }
    fire(h, Rule::Income, Action::Exit);
}

fn income_verified_payroll(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let i = adult(ctx, h);
    let other = (0..h.members.len()).find(|&k| k != i).unwrap_or(i);
    let st = h.standard_total();
    let d = ded(h, i);
    let declared = floor2(yuan(&mut ctx.rng, 300, 800).min(st * Decimal::new(5, 1) + d));
    h.members[i].declared.wage = declared;
    let transfer = floor2(st * Decimal::new(3, 1));
    h.members[other].declared.transfer += transfer;
    let margin = (h.standard() * Decimal::new(4, 1)).max(Decimal::from(50));
    let verified = ceil2(st - transfer + d + margin);
    payroll_in_window(ctx, h, i, verified);
    fire(h, Rule::Income, Action::PhaseOut);
    fire(h, Rule::Payroll, Action::ManualReview);
    h.expected.phase_out_until = Some(
        ctx.month
            .plus(h.params.phase_out_months as i32 - 1)
            .first_day(),
    );
}

fn phasing_out_still_over(ctx: &mut Ctx, h: &mut Household) {
    h.status = crate::schema::HouseholdStatus::PhasingOut;
    h.phase_out_until = Some(ctx.month.plus(ctx.rng.random_range(0..=2)).first_day());
    declared_over(ctx, h);
    fire(h, Rule::Income, Action::Keep);
}

fn phasing_out_ended(ctx: &mut Ctx, h: &mut Household) {
    h.status = crate::schema::HouseholdStatus::PhasingOut;
    h.phase_out_until = Some(ctx.month.plus(-ctx.rng.random_range(1..=3)).first_day());
    declared_over(ctx, h);
    fire(h, Rule::Income, Action::Exit);
}

fn phasing_out_within(ctx: &mut Ctx, h: &mut Household) {
    h.status = crate::schema::HouseholdStatus::PhasingOut;
    h.phase_out_until = Some(ctx.month.plus(ctx.rng.random_range(-1..=2)).first_day());
}

fn income_deduction_difference(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let i = adult(ctx, h);
    h.members[i].disability_grade = None;
    let d = ded(h, i);
    h.members[i].declared.wage = floor2(h.standard_total() + d / Decimal::TWO);
}

fn income_disabled_difference(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let i = adult(ctx, h);
    h.members[i].disability_grade = Some(ctx.rng.random_range(3..=4));
    h.members[i].labor_capacity = LaborCapacity::Partial;
    let p = &h.params;
    let plain = p.employment_deduction_rate * p.minimum_wage;
    let gap = (p.disabled_employment_deduction_rate - p.employment_deduction_rate) * p.minimum_wage;
    h.members[i].declared.wage = floor2(h.standard_total() + plain + gap / Decimal::TWO);
}

fn income_pension_excluded(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let st = h.standard_total();
    let head = &mut h.members[0].declared;
    head.pension = yuan(&mut ctx.rng, 110, 200);
    head.transfer = st - Decimal::from(40);
}

fn income_rigid_expense(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let total = h.standard_total() + Decimal::from(150);
    non_wage_income(ctx, h, total);
    let student = h.members.iter().position(|m| m.in_school && !m.dead);
    let sick = living(ctx, h);
    match student {
        Some(s) => {
            h.members[s].declared.education = Decimal::from(60);
            h.members[sick].declared.medical += Decimal::from(190);
        }
        None => h.members[sick].declared.medical = Decimal::from(250),
    }
    h.members[sick].severe_illness = true;
}

fn tekun_between(_ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let area_standard = super::truth::standard(&h.params, Program::RuralDibao, h.area);
    let income = round2((area_standard + h.params.tekun_standard) / Decimal::TWO);
    h.members[0].declared.transfer = income;
}

/// Where the area's 低保 standard is above the 特困 standard (urban 特困
/// in most jurisdictions): income between the two fails, judged against the
/// 特困 standard.
fn tekun_between_below(_ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let area_standard = super::truth::standard(&h.params, Program::RuralDibao, h.area);
    let income = round2((area_standard + h.params.tekun_standard) / Decimal::TWO);
    h.members[0].declared.transfer = income;
    fire(h, Rule::Income, Action::Exit);
}

fn tekun_over(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let total = h.standard_total() + yuan(&mut ctx.rng, 30, 300);
    non_wage_income(ctx, h, total);
    fire(h, Rule::Income, Action::Exit);
}

// -------------------------------------------------------------------
// Combinations
// -------------------------------------------------------------------

fn vehicle_and_fin_assets(ctx: &mut Ctx, h: &mut Household) {
    vehicle_over_exemption(ctx, h);
    fin_assets_over_limit(ctx, h);
}

fn income_over_and_business_active(ctx: &mut Ctx, h: &mut Household) {
    income_declared_over(ctx, h);
    business_individual_active(ctx, h);
}

fn payroll_and_business_active(ctx: &mut Ctx, h: &mut Household) {
    payroll_covered_member_in_window(ctx, h);
    business_individual_active(ctx, h);
}

// -------------------------------------------------------------------
// Candidates
// -------------------------------------------------------------------

fn candidate(h: &mut Household, action: Action, reasons: &[Rule]) {
    h.expected.candidate = Some(Candidate {
        action,
        reasons: reasons.to_vec(),
        covered: None,
    });
}

fn candidate_entry(_: &mut Ctx, h: &mut Household) {
    candidate(h, Action::Entry, &[Rule::Entry]);
}

fn candidate_exactly_at_standard(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let total = h.standard_total();
    non_wage_income(ctx, h, total);
    candidate(h, Action::Entry, &[Rule::Entry]);
}

/// Household income between the standard and the marginal limit.
fn income_in_marginal_band(ctx: &mut Ctx, h: &mut Household) {
    zero_income(h);
    let st = h.standard_total();
    let band = st * (h.params.marginal_multiplier - Decimal::ONE);
    let total = floor2(st + band * Decimal::new(ctx.rng.random_range(20..=80), 2));
    non_wage_income(ctx, h, total);
}

fn make_severe(ctx: &mut Ctx, h: &mut Household, i: usize) {
    let m = &mut h.members[i];
    if ctx.rng.random_bool(0.5) {
        m.disability_grade = Some(ctx.rng.random_range(1..=2));
        m.labor_capacity = LaborCapacity::None;
    } else {
        m.severe_illness = true;
    }
}

fn candidate_single_person(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    make_severe(ctx, h, 0);
    make_severe(ctx, h, 1);
    income_in_marginal_band(ctx, h);
    // The lower of the two severe members' id numbers.
    let (a, b) = (h.members[0].person, h.members[1].person);
    let covered = if ctx.people.get(a).id < ctx.people.get(b).id {
        0
    } else {
        1
    };
    h.expected.candidate = Some(Candidate {
        action: Action::SinglePersonEntry,
        reasons: vec![Rule::SinglePerson],
        covered: Some(covered),
    });
}

fn candidate_over_marginal(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    make_severe(ctx, h, 1);
    zero_income(h);
    let limit = h.standard_total() * h.params.marginal_multiplier;
    non_wage_income(ctx, h, round2(limit) + Decimal::new(1, 2));
    candidate(h, Action::Reject, &[Rule::Income]);
}

fn candidate_between_plain(ctx: &mut Ctx, h: &mut Household) {
    clear_severe(h);
    income_in_marginal_band(ctx, h);
    candidate(h, Action::Reject, &[Rule::Income]);
}

fn candidate_vehicle(ctx: &mut Ctx, h: &mut Household) {
    vehicle_over_exemption(ctx, h);
    candidate(h, Action::Reject, &[Rule::Vehicle]);
}

fn candidate_vehicle_income_over(ctx: &mut Ctx, h: &mut Household) {
    vehicle_over_exemption(ctx, h);
    declared_over(ctx, h);
    candidate(h, Action::Reject, &[Rule::Vehicle]);
}

fn candidate_fin_assets(ctx: &mut Ctx, h: &mut Household) {
    fin_assets_over_limit(ctx, h);
    candidate(h, Action::Reject, &[Rule::FinAssets]);
}

fn candidate_payroll(ctx: &mut Ctx, h: &mut Household) {
    let i = adult(ctx, h);
    small_payroll(ctx, h, i);
    candidate(h, Action::ManualReview, &[Rule::Payroll, Rule::Entry]);
}

fn candidate_business_active(ctx: &mut Ctx, h: &mut Household) {
    individual_business(ctx, h);
    candidate(
        h,
        Action::ManualReview,
        &[Rule::BusinessActive, Rule::Entry],
    );
}

fn candidate_all_dead(ctx: &mut Ctx, h: &mut Household) {
    for i in 0..h.members.len() {
        let date = death_date(ctx);
        kill(ctx, h, i, date);
    }
    candidate(h, Action::Reject, &[Rule::Death]);
}

fn candidate_one_dead(ctx: &mut Ctx, h: &mut Household) {
    let date = death_date(ctx);
    kill(ctx, h, 1, date);
    candidate(h, Action::Entry, &[Rule::Entry]);
}

fn candidate_near_relative(ctx: &mut Ctx, h: &mut Household) {
    let i = living(ctx, h);
    let relation = near_relation(ctx, h);
    let staff = ctx.new_staff(StaffRole::VillageCadre, &h.region_code.clone());
    kinship(ctx, h, i, staff, relation, true);
    pair(h, i, staff, relation, Some("unfiled"));
    candidate(h, Action::ManualReview, &[Rule::NearRelative, Rule::Entry]);
}

// -------------------------------------------------------------------
// Near relatives
// -------------------------------------------------------------------

/// What B is to A, seen from B (the generator's own reading of kinship).
fn inverse_of(r: Relation) -> Relation {
    match r {
        Relation::Child => Relation::Parent,
        Relation::Parent => Relation::Child,
        Relation::Grandparent => Relation::Grandchild,
        Relation::Grandchild => Relation::Grandparent,
        other => other,
    }
}

/// A relation from the policy's near-relative list.
fn near_relation(ctx: &mut Ctx, h: &Household) -> Relation {
    let list: Vec<Relation> = h
        .params
        .near_relative_relations
        .iter()
        .copied()
        .filter(|&r| r != Relation::SelfRelation)
        .collect();
    list.choose(&mut ctx.rng)
        .copied()
        .unwrap_or(Relation::Spouse)
}

/// A `kinship` row saying member `i` is the staff member's `relation`,
/// written from the staff member's side (A = staff) or the member's.
fn kinship(
    ctx: &mut Ctx,
    h: &Household,
    i: usize,
    staff: usize,
    relation: Relation,
    staff_side: bool,
) {
    let member = h.members[i].person;
    let staff_person = ctx.reg.staff[staff].person;
    let source = if ctx.rng.random_bool(0.6) {
        KinshipSource::Hukou
    } else {
        KinshipSource::Declared
    };
    if staff_side {
        ctx.kinship_row(staff_person, member, relation, source);
    } else {
        ctx.kinship_row(member, staff_person, inverse_of(relation), source);
    }
}

/// Records an expected pair; a conflict fires R-NEAR-RELATIVE.
fn pair(
    h: &mut Household,
    member: usize,
    staff: usize,
    relation: Relation,
    conflict: Option<&'static str>,
) {
    h.expected.near_relatives.push(PairTruth {
        member,
        staff,
        relation,
        conflict,
    });
    if conflict.is_some() {
        fire(h, Rule::NearRelative, Action::ManualReview);
    }
}

/// A village cadre of the household's village whose relative is member `i`.
fn cadre_relative(ctx: &mut Ctx, h: &mut Household, staff_side: bool) -> (usize, usize, Relation) {
    let i = living(ctx, h);
    let relation = near_relation(ctx, h);
    let staff = ctx.new_staff(StaffRole::VillageCadre, &h.region_code.clone());
    kinship(ctx, h, i, staff, relation, staff_side);
    (i, staff, relation)
}

fn near_relative_unfiled_staff_side(ctx: &mut Ctx, h: &mut Household) {
    let (i, staff, relation) = cadre_relative(ctx, h, true);
    pair(h, i, staff, relation, Some("unfiled"));
}

fn near_relative_unfiled_member_side(ctx: &mut Ctx, h: &mut Household) {
    let (i, staff, relation) = cadre_relative(ctx, h, false);
    pair(h, i, staff, relation, Some("unfiled"));
}

fn near_relative_filed(ctx: &mut Ctx, h: &mut Household) {
    let side = ctx.rng.random_bool(0.5);
    let (i, staff, relation) = cadre_relative(ctx, h, side);
    h.filings.push((staff, relation));
    pair(h, i, staff, relation, None);
}

fn near_relative_filed_wrong_way(ctx: &mut Ctx, h: &mut Household) {
    let i = living(ctx, h);
    let directed: Vec<Relation> = h
        .params
        .near_relative_relations
        .iter()
        .copied()
        .filter(|&r| inverse_of(r) != r)
        .collect();
    let relation = directed
        .choose(&mut ctx.rng)
        .copied()
        .unwrap_or(Relation::Child);
    let staff = ctx.new_staff(StaffRole::VillageCadre, &h.region_code.clone());
    let side = ctx.rng.random_bool(0.5);
    kinship(ctx, h, i, staff, relation, side);
    // The staff member's relation to the member, not the member's to the staff member.
    h.filings.push((staff, inverse_of(relation)));
    pair(h, i, staff, relation, Some("filed_mismatch"));
}

fn near_relative_case_worker_covering(ctx: &mut Ctx, h: &mut Household) {
    let i = living(ctx, h);
    let relation = near_relation(ctx, h);
    let region = format!("{}000", &h.region_code[..9]);
    let staff = ctx.new_staff(StaffRole::TownshipCaseWorker, &region);
    let side = ctx.rng.random_bool(0.5);
    kinship(ctx, h, i, staff, relation, side);
    // Filed correctly, yet handled by the relative: still a conflict.
    h.filings.push((staff, relation));
    pair(h, i, staff, relation, Some("self_handled"));
}

fn near_relative_verifier_county(ctx: &mut Ctx, h: &mut Household) {
    let i = living(ctx, h);
    let relation = near_relation(ctx, h);
    let region = format!("{}000000", &h.region_code[..6]);
    let staff = ctx.new_staff(StaffRole::Verifier, &region);
    kinship(ctx, h, i, staff, relation, true);
    pair(h, i, staff, relation, Some("self_handled"));
}

fn near_relative_case_worker_elsewhere(ctx: &mut Ctx, h: &mut Household) {
    let i = living(ctx, h);
    let relation = near_relation(ctx, h);
    let region = other_township(&mut ctx.rng, &h.region_code);
    let staff = ctx.new_staff(StaffRole::TownshipCaseWorker, &region);
    kinship(ctx, h, i, staff, relation, false);
    h.filings.push((staff, relation));
    pair(h, i, staff, relation, None);
}

fn near_relative_staff_is_member(ctx: &mut Ctx, h: &mut Household) {
    let i = adult(ctx, h);
    let staff = ctx.staff_row(
        h.members[i].person,
        StaffRole::VillageCadre,
        &h.region_code.clone(),
    );
    pair(h, i, staff, Relation::SelfRelation, Some("unfiled"));
}

fn near_relative_staff_is_member_filed(ctx: &mut Ctx, h: &mut Household) {
    let i = adult(ctx, h);
    let staff = ctx.staff_row(
        h.members[i].person,
        StaffRole::VillageCadre,
        &h.region_code.clone(),
    );
    h.filings.push((staff, Relation::SelfRelation));
    pair(h, i, staff, Relation::SelfRelation, None);
}

fn near_relative_not_near(ctx: &mut Ctx, h: &mut Household) {
    let i = living(ctx, h);
    let staff = ctx.new_staff(StaffRole::VillageCadre, &h.region_code.clone());
    kinship(ctx, h, i, staff, Relation::Other, true);
}

fn near_relative_uncovered(ctx: &mut Ctx, h: &mut Household) {
    // Member 0 is not covered (单人保 covers another member).
    let k = ctx.rng.random_range(1..h.members.len());
    single_person_coverage(ctx, h, k);
    let relation = near_relation(ctx, h);
    let staff = ctx.new_staff(StaffRole::VillageCadre, &h.region_code.clone());
    kinship(ctx, h, 0, staff, relation, true);
}

fn near_relative_dead(ctx: &mut Ctx, h: &mut Household) {
    let date = death_date(ctx);
    kill(ctx, h, 1, date);
    fire(h, Rule::Death, Action::MemberChange);
    let relation = near_relation(ctx, h);
    let staff = ctx.new_staff(StaffRole::VillageCadre, &h.region_code.clone());
    kinship(ctx, h, 1, staff, relation, false);
}

// -------------------------------------------------------------------
// Re-verification
// -------------------------------------------------------------------

/// The head is of working age and able: the household's cadence is semiannual.
fn able_head(h: &mut Household) {
    let m = &mut h.members[0];
    m.disability_grade = None;
    m.severe_illness = false;
    m.labor_capacity = LaborCapacity::Full;
}

fn review_semiannual_due(ctx: &mut Ctx, h: &mut Household) {
    able_head(h);
    let months = h.params.review_months_semiannual as i32;
    h.last_review_date = Some(ctx.month.plus(-months).last_day());
}

fn review_semiannual_not_due(ctx: &mut Ctx, h: &mut Household) {
    able_head(h);
    let months = h.params.review_months_semiannual as i32;
    h.last_review_date = Some(ctx.month.plus(1 - months).last_day());
}

fn review_annual_tekun(ctx: &mut Ctx, h: &mut Household) {
    let months = h.params.review_months_annual as i32;
    h.last_review_date = Some(ctx.month.plus(-months).last_day());
}

fn review_annual_elderly(ctx: &mut Ctx, h: &mut Household) {
    let months = h.params.review_months_semiannual as i32 + 1;
    h.last_review_date = Some(ctx.month.plus(-months).first_day());
}

/// The only member was born `days_after` days after the run month's last
/// day, 60 years earlier: 60 on that day when 0, still 59 when 1.
fn turns_60(ctx: &mut Ctx, h: &mut Household, days_after: i64) {
    able_head(h);
    let last = ctx.month.last_day();
    let birth = last
        .checked_sub_months(chrono::Months::new(12 * 60))
        .expect("date in range")
        + chrono::Duration::days(days_after);
    let person = h.members[0].person;
    // When the date's ids are used up the member keeps their age: an
    // ordinary household, whose truth is computed like any other's.
    if ctx.people.set_member_birth(&mut ctx.rng, person, birth) {
        h.members[0].age = super::people::age_on(birth, last);
    }
    let months = h.params.review_months_semiannual as i32 + 1;
    h.last_review_date = Some(ctx.month.plus(-months).first_day());
}

fn review_turns_60_on_last_day(ctx: &mut Ctx, h: &mut Household) {
    turns_60(ctx, h, 0);
}

fn review_turns_60_day_after(ctx: &mut Ctx, h: &mut Household) {
    turns_60(ctx, h, 1);
}

fn review_no_dates(_: &mut Ctx, h: &mut Household) {
    h.last_review_date = None;
    h.benefit_start = None;
}
