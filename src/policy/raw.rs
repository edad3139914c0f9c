//! One policy file: TOML text → raw structs that mirror the file → a
//! validated [`PolicyFile`] whose periods are sorted by `from`.
//!
//! Every problem is a [`PolicyError`] naming the file, the period (by its
//! `from`, or its position when `from` itself is the problem) and the key.

use super::keys::{RawPeriod, KEYS, PERIOD_META_KEYS};
use super::value;
use super::{PeriodRef, PolicyError};
use chrono::NaiveDate;
use toml::{Table, Value};

/// The top of a file as written. Independent writers use either array name;
/// one file may not use both.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: Option<Value>,
    period: Option<Value>,
    periods: Option<Value>,
}

/// A validated policy file.
#[derive(Debug, Clone)]
pub(crate) struct PolicyFile {
    /// File name within the directory, e.g. `512022.toml`.
    pub file: String,
    /// The region-code prefix the file applies to, e.g. `512022`.
    pub stem: String,
    /// The jurisdiction's name (`name`).
    pub name: String,
    /// Sorted by `from`, no two alike.
    pub periods: Vec<Period>,
}

/// One validated period.
#[derive(Debug, Clone)]
pub(crate) struct Period {
    pub from: NaiveDate,
    pub reference: Option<String>,
    pub values: super::keys::PeriodValues,
}

/// The region-code prefix a file name stands for: `512022.toml` → `512022`.
/// A `.toml` whose stem is not 2–12 ASCII digits is an error.
pub(crate) fn stem_of(file: &str) -> Result<&str, PolicyError> {
    let stem = file
        .strip_suffix(".toml")
        .filter(|s| (2..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()));
    stem.ok_or_else(|| PolicyError::BadFileName {
        file: file.to_string(),
    })
}

/// Parses and validates one file.
pub(crate) fn parse_file(file: &str, text: &str) -> Result<PolicyFile, PolicyError> {
    let stem = stem_of(file)?.to_string();
    let structure = |problem: String| PolicyError::Structure {
        file: file.to_string(),
        problem,
    };
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| PolicyError::Syntax {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;

    for key in table.keys() {
        if matches!(key.as_str(), "name" | "period" | "periods") {
            continue;
        }
        let problem = if KEYS.contains(&key.as_str()) || PERIOD_META_KEYS.contains(&key.as_str()) {
            format!(
                "key `{key}` stands outside a period; only `name` may: put it in a [[period]] \
                 table with its `from`"
            )
        } else {
            format!(
                "unknown key `{key}` at the top of the file; a policy file holds `name` and \
                 [[period]] tables"
            )
        };
        return Err(structure(problem));
    }

    let raw: RawFile = Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| structure(e.to_string().trim_end().to_string()))?;

    let name = match &raw.name {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(other) => {
            return Err(structure(format!(
                "`name`: expected the jurisdiction's name as a non-empty string, found {}",
                value::describe(other)
            )))
        }
        None => {
            return Err(structure(
                "`name` is missing: expected the jurisdiction's name, e.g. name = \"四川省资阳市乐至县\""
                    .to_string(),
            ))
        }
    };

    let (array_name, array) = match (raw.period, raw.periods) {
        (Some(_), Some(_)) => {
            return Err(structure(
                "both [[period]] and [[periods]] are used; write the periods under one of them"
                    .to_string(),
            ))
        }
        (Some(p), None) => ("period", p),
        (None, Some(p)) => ("periods", p),
        (None, None) => {
            return Err(structure(
                "no period: expected at least one [[period]] table with `from`".to_string(),
            ))
        }
    };
    let not_tables = |found: &Value| {
        structure(format!(
            "`{array_name}` must be written as [[{array_name}]] tables, found {}",
            value::describe(found)
        ))
    };
    let tables: Vec<Table> = match array {
        Value::Array(items) if !items.is_empty() => items
            .into_iter()
            .map(|item| match item {
                Value::Table(t) => Ok(t),
                other => Err(not_tables(&other)),
            })
            .collect::<Result<_, _>>()?,
        Value::Array(_) => {
            return Err(structure(
                "no period: expected at least one [[period]] table with `from`".to_string(),
            ))
        }
        other => return Err(not_tables(&other)),
    };

    let mut periods = Vec::with_capacity(tables.len());
    for (index, table) in tables.into_iter().enumerate() {
        periods.push(parse_period(file, index, table)?);
    }
    periods.sort_by_key(|p| p.from);
    if let Some(w) = periods.windows(2).find(|w| w[0].from == w[1].from) {
        return Err(PolicyError::DuplicateFrom {
            file: file.to_string(),
            from: w[0].from,
        });
    }
    Ok(PolicyFile {
        file: file.to_string(),
        stem,
        name,
        periods,
    })
}

fn parse_period(file: &str, index: usize, table: Table) -> Result<Period, PolicyError> {
    let from = table.get("from").and_then(value::date);
    let period = PeriodRef { index, from };
    let bad = |key: &str, expected: String, found: String| PolicyError::BadValue {
        file: file.to_string(),
        period,
        key: key.to_string(),
        expected,
        found,
    };

    for key in table.keys() {
        if !KEYS.contains(&key.as_str()) && !PERIOD_META_KEYS.contains(&key.as_str()) {
            return Err(PolicyError::UnknownKey {
                file: file.to_string(),
                period,
                key: key.clone(),
                hint: hint(key),
            });
        }
    }

    let raw: RawPeriod = Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| PolicyError::Structure {
            file: file.to_string(),
            problem: format!("{period}: {}", e.to_string().trim_end()),
        })?;

    let expected_date = || "a date: 2024-07-01 or \"2024-07-01\"".to_string();
    let from = match (&raw.from, from) {
        (_, Some(d)) => d,
        (Some(v), None) => return Err(bad("from", expected_date(), value::describe(v))),
        (None, None) => return Err(bad("from", expected_date(), "nothing".to_string())),
    };
    let reference = match &raw.reference {
        None => None,
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(other) => {
            return Err(bad(
                "reference",
                "a string naming the document".to_string(),
                value::describe(other),
            ))
        }
    };
    let values = raw.values().map_err(|e| bad(e.key, e.expected, e.found))?;
    Ok(Period {
        from,
        reference,
        values,
    })
}

/// ", did you mean `x`?" for a key close to a known one.
fn hint(key: &str) -> String {
    let best = KEYS
        .iter()
        .chain(PERIOD_META_KEYS)
        .map(|k| (strsim::levenshtein(key, k), *k))
        .min();
    match best {
        Some((d, k)) if d <= 3 => format!("; did you mean `{k}`?"),
        _ => "; see docs/POLICIES.md for the keys".to_string(),
    }
}
