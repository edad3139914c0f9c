//! Months and month arithmetic: the run month, look-back windows, 渐退期 ends
//! and 复核 due dates, with the day clamped to the month's end.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// The month a run decides for (`--month YYYY-MM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunMonth {
    year: i32,
    /// 1..=12
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a month: expected YYYY-MM, e.g. 2024-07")]
pub struct BadMonth(pub String);

impl RunMonth {
    pub fn new(year: i32, month: u32) -> Option<RunMonth> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year))
            .then_some(RunMonth { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> RunMonth {
        RunMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("RunMonth holds a valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        self.plus(1)
            .first_day()
            .pred_opt()
            .expect("a month has a last day")
    }

    /// This month moved by `n` months (negative goes back).
    pub fn plus(self, n: i32) -> RunMonth {
        let index = self.index() + n;
        RunMonth {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// Months since year 0: consecutive months have consecutive indices.
    pub fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        RunMonth::of(date) == self
    }
}

impl FromStr for RunMonth {
    type Err = BadMonth;
    fn from_str(s: &str) -> Result<RunMonth, BadMonth> {
        let bad = || BadMonth(s.to_string());
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        RunMonth::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl fmt::Display for RunMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// `date` plus `months`, the day clamped to the target month's end
/// (Aug 31 + 6 months = Feb 28, or 29 in a leap year).
pub fn add_months_clamped(date: NaiveDate, months: i32) -> NaiveDate {
    let target = RunMonth::of(date).plus(months);
    let day = date.day().min(target.last_day().day());
    NaiveDate::from_ymd_opt(target.year, target.month, day).expect("clamped day exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_and_prints_months() {
        let m: RunMonth = "2024-07".parse().unwrap();
        assert_eq!(m.to_string(), "2024-07");
        assert_eq!(m.first_day(), d(2024, 7, 1));
        assert_eq!(m.last_day(), d(2024, 7, 31));
        for bad in ["2024-13", "2024-7", "24-07", "2024/07", ""] {
            assert!(bad.parse::<RunMonth>().is_err(), "{bad}");
        }
    }

    #[test]
    fn month_arithmetic_crosses_years() {
        let m: RunMonth = "2024-11".parse().unwrap();
        assert_eq!(m.plus(2).to_string(), "2025-01");
        assert_eq!(m.plus(-11).to_string(), "2023-12");
        assert_eq!(
            "2024-02".parse::<RunMonth>().unwrap().last_day(),
            d(2024, 2, 29)
        );
    }

    #[test]
    fn adding_months_clamps_to_month_end() {
        assert_eq!(add_months_clamped(d(2023, 8, 31), 6), d(2024, 2, 29));
        assert_eq!(add_months_clamped(d(2024, 8, 31), 6), d(2025, 2, 28));
        assert_eq!(add_months_clamped(d(2024, 1, 15), 12), d(2025, 1, 15));
        assert_eq!(add_months_clamped(d(2024, 3, 31), 1), d(2024, 4, 30));
    }
}
