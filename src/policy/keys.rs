//! The one list of policy keys. The `policy_keys!` table below drives the
//! raw struct that mirrors a period in the file ([`RawPeriod`]), its
//! validation into typed values ([`PeriodValues`]), the per-key resolution
//! with provenance, and the missing-key check ([`resolve_keys`]). Adding a
//! key means one line here and one field in [`Params`] (the compiler checks
//! that the two agree).
//!
//! Key order is the order of rules.md's table; `Resolved.sources` follows it.

use super::params::{ParamSource, Params, Resolved};
use super::raw::{Period, PolicyFile};
use super::value;
use crate::schema::{Relation, VehicleType};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::str::FromStr;
use toml::Value;

/// The type of a key: how a TOML value is read and checked.
pub(crate) trait Kind {
    type Value: Clone + Debug + PartialEq;
    /// What a valid value looks like, for "expected …" in messages.
    fn expected() -> String;
    /// The value, or a description of what was found instead.
    fn read(v: &Value) -> Result<Self::Value, String>;
}

/// Yuan, ≥ 0 (string, integer or float; read exactly).
pub(crate) struct Money;
/// A decimal ≥ 0 (multipliers, areas).
pub(crate) struct NonNegative;
/// A share from 0 to 1 inclusive.
pub(crate) struct Rate;
/// `true` or `false`.
pub(crate) struct Flag;
/// A whole number ≥ 0.
pub(crate) struct Count;
/// A whole number ≥ 1 (months of a window or cadence).
pub(crate) struct PositiveCount;
/// A list of enumeration codes or Chinese labels.
pub(crate) struct List<T>(PhantomData<T>);

/// A decimal from 0 up to (not including) `limit`. Every policy number
/// is bounded where it enters, so the rules' products (standard × months ×
/// members) cannot overflow a `Decimal`.
fn decimal_in(v: &Value, limit: Decimal) -> Result<Decimal, String> {
    match value::decimal(v) {
        Some(d) if d >= Decimal::ZERO && d < limit => Ok(d),
        _ => Err(value::describe(v)),
    }
}

/// 10^15 yuan: the same bound as an implausible amount in the data
/// (rules.md R-DATA-QUALITY).
const MONEY_LIMIT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);
#[cfg(test)]
pub(crate) const MONEY_LIMIT_FOR_TESTS: Decimal = MONEY_LIMIT;
/// Multipliers and areas: a million is far beyond any policy.
const NON_NEGATIVE_LIMIT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Months and counts: 1200 (a century) is far beyond any policy, and keeps
/// month arithmetic on 1900–2099 dates within chrono's range.
const COUNT_LIMIT: i64 = 1200;

impl Kind for Money {
    type Value = Decimal;
    fn expected() -> String {
        "an amount of money ≥ 0 and below 10^15 yuan (a string such as \"740.00\", an integer or a float)"
            .to_string()
    }
    fn read(v: &Value) -> Result<Decimal, String> {
        decimal_in(v, MONEY_LIMIT)
    }
}

impl Kind for NonNegative {
    type Value = Decimal;
    fn expected() -> String {
        "a decimal ≥ 0 and below 1000000 (a string such as \"1.5\", an integer or a float)"
            .to_string()
    }
    fn read(v: &Value) -> Result<Decimal, String> {
        decimal_in(v, NON_NEGATIVE_LIMIT)
    }
}

impl Kind for Rate {
    type Value = Decimal;
    fn expected() -> String {
        "a rate from 0 to 1 inclusive (a string such as \"0.3\", an integer or a float)".to_string()
    }
    fn read(v: &Value) -> Result<Decimal, String> {
        match value::decimal(v) {
            Some(d) if d >= Decimal::ZERO && d <= Decimal::ONE => Ok(d),
            _ => Err(value::describe(v)),
        }
    }
}

impl Kind for Flag {
    type Value = bool;
    fn expected() -> String {
        "true or false".to_string()
    }
    fn read(v: &Value) -> Result<bool, String> {
        v.as_bool().ok_or_else(|| value::describe(v))
    }
}

fn whole(v: &Value, min: i64) -> Result<u32, String> {
    match v {
        Value::Integer(i) if (min..=COUNT_LIMIT).contains(i) => {
            u32::try_from(*i).map_err(|_| value::describe(v))
        }
        _ => Err(value::describe(v)),
    }
}

impl Kind for Count {
    type Value = u32;
    fn expected() -> String {
        "a whole number from 0 to 1200 (a TOML integer)".to_string()
    }
    fn read(v: &Value) -> Result<u32, String> {
        whole(v, 0)
    }
}

impl Kind for PositiveCount {
    type Value = u32;
    fn expected() -> String {
        "a whole number from 1 to 1200 (a TOML integer)".to_string()
    }
    fn read(v: &Value) -> Result<u32, String> {
        whole(v, 1)
    }
}

/// An enumeration of the data contract that may appear in a list.
pub(crate) trait Listed: FromStr + Copy + Ord + Debug {
    const WHAT: &'static str;
    fn choices() -> Vec<String>;
}

impl Listed for VehicleType {
    const WHAT: &'static str = "vehicle types";
    fn choices() -> Vec<String> {
        VehicleType::ALL
            .iter()
            .map(|t| format!("{} ({})", t.code(), t.label_zh()))
            .collect()
    }
}

impl Listed for Relation {
    const WHAT: &'static str = "relations";
    fn choices() -> Vec<String> {
        Relation::ALL
            .iter()
            .map(|r| format!("{} ({})", r.code(), r.label_zh()))
            .collect()
    }
}

impl<T: Listed> Kind for List<T> {
    /// Sorted, without duplicates: the order in the file does not matter.
    type Value = Vec<T>;
    fn expected() -> String {
        format!(
            "a list of {}, each a code or its Chinese label: {}",
            T::WHAT,
            T::choices().join(", ")
        )
    }
    fn read(v: &Value) -> Result<Vec<T>, String> {
        let items = v.as_array().ok_or_else(|| value::describe(v))?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let parsed = item.as_str().and_then(|s| s.parse::<T>().ok());
            match parsed {
                Some(t) => out.push(t),
                None => {
                    return Err(format!(
                        "{} (item {} is {})",
                        value::describe(v),
                        i + 1,
                        value::describe(item)
                    ))
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// A key whose value does not fit its type.
#[derive(Debug)]
pub(crate) struct BadKey {
    pub key: &'static str,
    pub expected: String,
    pub found: String,
}

fn read<K: Kind>(key: &'static str, v: Option<&Value>) -> Result<Option<K::Value>, BadKey> {
    v.map(|v| {
        K::read(v).map_err(|found| BadKey {
            key,
            expected: K::expected(),
            found,
        })
    })
    .transpose()
}

/// Where a resolved value came from.
struct Origin<'a> {
    file: &'a PolicyFile,
    period: &'a Period,
}

impl Origin<'_> {
    fn source(&self, key: &'static str) -> ParamSource {
        ParamSource {
            key,
            file: self.file.file.clone(),
            from: self.period.from,
            reference: self.period.reference.clone(),
        }
    }
}

/// The rules.md lookup for one key: the first file (longest prefix first)
/// with a period in force on `day` that sets the key, and there the latest
/// such period (periods are sorted by `from`).
fn find<'a, T>(
    files: &[&'a PolicyFile],
    day: NaiveDate,
    get: impl Fn(&'a PeriodValues) -> Option<&'a T>,
) -> Option<(Origin<'a>, &'a T)> {
    files.iter().find_map(|&file| {
        file.periods
            .iter()
            .rev()
            .filter(|p| p.from <= day)
            .find_map(|period| get(&period.values).map(|v| (Origin { file, period }, v)))
    })
}

macro_rules! policy_keys {
    ($($key:ident : $kind:ty),+ $(,)?) => {
        /// Every parameter key, in table order.
        pub const KEYS: &[&str] = &[$(stringify!($key)),+];

        /// One period as written: every key optional, unknown keys refused.
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct RawPeriod {
            pub from: Option<Value>,
            pub reference: Option<Value>,
            $(pub $key: Option<Value>,)+
        }

        /// What one period sets, validated.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub(crate) struct PeriodValues {
            $(pub $key: Option<<$kind as Kind>::Value>,)+
        }

        impl RawPeriod {
            /// Checks every key the period sets against its type.
            pub(crate) fn values(&self) -> Result<PeriodValues, BadKey> {
                Ok(PeriodValues {
                    $($key: read::<$kind>(stringify!($key), self.$key.as_ref())?,)+
                })
            }
        }

        /// Resolves every key from `files` (longest prefix first) on `day`;
        /// the keys no file sets are the error.
        pub(crate) fn resolve_keys(
            files: &[&PolicyFile],
            day: NaiveDate,
        ) -> Result<Resolved, Vec<&'static str>> {
            let mut missing = Vec::new();
            $(
                let $key = find(files, day, |v| v.$key.as_ref());
                if $key.is_none() {
                    missing.push(stringify!($key));
                }
            )+
            if !missing.is_empty() {
                return Err(missing);
            }
            let mut sources = Vec::with_capacity(KEYS.len());
            $(
                let $key = {
                    let (origin, v) = $key.expect("missing keys were reported above");
                    sources.push(origin.source(stringify!($key)));
                    v.clone()
                };
            )+
            Ok(Resolved { params: Params { $($key),+ }, sources })
        }
    };
}

policy_keys! {
    urban_standard: Money,
    rural_standard: Money,
    tekun_standard: Money,
    marginal_multiplier: NonNegative,
    minimum_wage: Money,
    employment_deduction_rate: Rate,
    disabled_employment_deduction_rate: Rate,
    exclude_basic_pension: Flag,
    rigid_expense_deduction: Flag,
    financial_assets_months: Count,
    financial_assets_months_severe: Count,
    max_residences: Count,
    residence_area_per_capita_exempt_below: NonNegative,
    commercial_property_allowed: Flag,
    vehicle_exempt_types: List<VehicleType>,
    vehicle_value_exempt_below: Money,
    business_capital_limit: Money,
    payroll_lookback_months: PositiveCount,
    phase_out_months: PositiveCount,
    review_months_semiannual: PositiveCount,
    review_months_annual: PositiveCount,
    near_relative_relations: List<Relation>,
    match_accept: Rate,
    match_review: Rate,
}

/// Keys a period may hold besides the parameters.
pub const PERIOD_META_KEYS: &[&str] = &["from", "reference"];
