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
