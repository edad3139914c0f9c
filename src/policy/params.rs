//! Resolved policy parameters for one household's region and the run month:
//! every key has a value (no `Option`), money and rates are exact decimals.

use crate::schema::{Relation, VehicleType};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The parameters of rules.md "Policy parameters", resolved.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Params {
    pub urban_standard: Decimal,
    pub rural_standard: Decimal,
    pub tekun_standard: Decimal,
    pub marginal_multiplier: Decimal,
    pub minimum_wage: Decimal,
    pub employment_deduction_rate: Decimal,
    pub disabled_employment_deduction_rate: Decimal,
    pub exclude_basic_pension: bool,
    pub rigid_expense_deduction: bool,
    pub financial_assets_months: u32,
    pub financial_assets_months_severe: u32,
    pub max_residences: u32,
    pub residence_area_per_capita_exempt_below: Decimal,
    pub commercial_property_allowed: bool,
    pub vehicle_exempt_types: Vec<VehicleType>,
    pub vehicle_value_exempt_below: Decimal,
    pub business_capital_limit: Decimal,
    pub payroll_lookback_months: u32,
    pub phase_out_months: u32,
    pub review_months_semiannual: u32,
    pub review_months_annual: u32,
    pub near_relative_relations: Vec<Relation>,
    pub match_accept: Decimal,
    pub match_review: Decimal,
}

#[cfg(test)]
impl Params {
    /// 乐至县-like parameters for tests: urban standard 700, tekun 910,
    /// minimum wage 2000, deduction 25% / 50%, assets 24 / 36 months, 2
    /// homes, 30 m² exemption, vehicles exempt below 10000 and motorcycles,
    /// capital limit 100000, 3-month payroll look-back, 6-month 渐退期.
    pub fn example() -> Params {
        use rust_decimal_macros::dec;
        Params {
            urban_standard: dec!(700),
            rural_standard: dec!(465),
            tekun_standard: dec!(910),
            marginal_multiplier: dec!(1.5),
            minimum_wage: dec!(2000),
            employment_deduction_rate: dec!(0.25),
            disabled_employment_deduction_rate: dec!(0.5),
            exclude_basic_pension: true,
            rigid_expense_deduction: true,
            financial_assets_months: 24,
            financial_assets_months_severe: 36,
            max_residences: 2,
            residence_area_per_capita_exempt_below: dec!(30),
            commercial_property_allowed: false,
            vehicle_exempt_types: vec![
                VehicleType::Motorcycle,
                VehicleType::Tricycle,
                VehicleType::Agricultural,
                VehicleType::Disability,
            ],
            vehicle_value_exempt_below: dec!(10000),
            business_capital_limit: dec!(100000),
            payroll_lookback_months: 3,
            phase_out_months: 6,
            review_months_semiannual: 6,
            review_months_annual: 12,
            near_relative_relations: vec![
                Relation::Spouse,
                Relation::Parent,
                Relation::Child,
                Relation::Sibling,
            ],
            match_accept: dec!(0.9),
            match_review: dec!(0.6),
        }
    }
}

/// Where one resolved key came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParamSource {
    pub key: &'static str,
    /// File name within the policies directory, e.g. `512022.toml`.
    pub file: String,
    /// `from` of the period that set the key.
    pub from: NaiveDate,
    pub reference: Option<String>,
}

/// Parameters for a region and month, with the provenance of every key.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Resolved {
    pub params: Params,
    /// One entry per key, in key order.
    pub sources: Vec<ParamSource>,
}
