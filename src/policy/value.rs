//! Reading TOML values exactly: money, rates and multipliers as decimals
//! (a float by its shortest decimal form, never through f64 arithmetic),
//! dates as TOML dates or `"YYYY-MM-DD"` strings, and a short description
//! of any value for error messages.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use toml::Value;

/// A decimal written as a TOML string (`"740.00"`), integer (`740`) or float
/// (`740.0`, `0.1`). A float is read by its shortest round-trip decimal form
/// (Rust's `Display` of the `f64`), so `0.1` is exactly 0.1. The result is
/// normalised (no trailing zeros): `740`, `740.0` and `"740.00"` are the same
/// value with the same scale.
pub(crate) fn decimal(v: &Value) -> Option<Decimal> {
    let d = match v {
        Value::String(s) => Decimal::from_str_exact(s.trim()).ok()?,
        Value::Integer(i) => Decimal::from(*i),
        Value::Float(f) if f.is_finite() => Decimal::from_str_exact(&format!("{f}")).ok()?,
        _ => return None,
    };
    Some(d.normalize())
}

/// A date written as a TOML local date (`2024-07-01`) or a `"YYYY-MM-DD"`
/// string. A date-time or a time is not a date.
pub(crate) fn date(v: &Value) -> Option<NaiveDate> {
    match v {
        Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        Value::String(s) => {
            let s = s.trim();
            let well_formed = s.len() == 10
                && s.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            if !well_formed {
                return None;
            }
            NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
        }
        _ => None,
    }
}

/// What a value is, for "expected …, found …" messages: its TOML type and,
/// shortened, the value itself (`float 1.2`, `string "abc"`).
pub(crate) fn describe(v: &Value) -> String {
    let text = match v {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(describe_short).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Table(_) => return "a table".to_string(),
    };
    format!("{} {}", v.type_str(), shorten(&text))
}

fn describe_short(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "[…]".to_string(),
        Value::Table(_) => "{…}".to_string(),
        other => other.to_string(),
    }
}

fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn floats_read_by_their_shortest_decimal_form() {
        assert_eq!(
            decimal(&Value::Float(0.1)),
            Some(Decimal::from_str("0.1").unwrap())
        );
        assert_eq!(decimal(&Value::Float(0.1)).unwrap().to_string(), "0.1");
        assert_eq!(decimal(&Value::Float(0.3)).unwrap().to_string(), "0.3");
        assert_eq!(decimal(&Value::Float(740.0)).unwrap().to_string(), "740");
        assert_eq!(decimal(&Value::Float(f64::NAN)), None);
        assert_eq!(decimal(&Value::Float(f64::INFINITY)), None);
    }

    #[test]
    fn strings_and_integers_read_exactly() {
        assert_eq!(
            decimal(&Value::String("740.00".into()))
                .unwrap()
                .to_string(),
            "740"
        );
        assert_eq!(
            decimal(&Value::String(" 0.25 ".into()))
                .unwrap()
                .to_string(),
            "0.25"
        );
        assert_eq!(decimal(&Value::Integer(533)).unwrap().to_string(), "533");
        assert_eq!(decimal(&Value::String("740元".into())), None);
        assert_eq!(decimal(&Value::Boolean(true)), None);
    }

    #[test]
    fn dates_from_toml_dates_and_strings() {
        let d = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        let t: toml::Table = "a = 2024-07-01\nb = 2024-07-01T00:00:00".parse().unwrap();
        assert_eq!(date(&t["a"]), Some(d));
        assert_eq!(date(&t["b"]), None);
        assert_eq!(date(&Value::String("2024-07-01".into())), Some(d));
        assert_eq!(date(&Value::String("2024-7-1".into())), None);
        assert_eq!(date(&Value::String("2024-02-30".into())), None);
        assert_eq!(date(&Value::Integer(20240701)), None);
    }

    #[test]
    fn descriptions_name_type_and_value() {
        assert_eq!(describe(&Value::Float(1.2)), "float 1.2");
        assert_eq!(describe(&Value::String("x".into())), "string \"x\"");
        assert_eq!(
            describe(&Value::Array(vec![
                Value::String("car".into()),
                Value::Integer(1)
            ])),
            "array [\"car\", 1]"
        );
    }
}
