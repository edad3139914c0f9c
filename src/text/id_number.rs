//! Citizen id numbers (居民身份证号码, GB 11643-1999).
//!
//! The contract's normalisation (data-contract.md, "ID numbers"): all
//! whitespace removed (U+3000 included), full-width → half-width, upper-case
//! `X`, legacy 15-digit numbers → 18 digits by inserting `19` after the
//! 6-digit region code and computing the check digit. Each step that changed
//! something, and each way the result is still not a usable id, is a
//! [`IdProblem`], which the caller reports as a `data_quality` row: a row
//! is never dropped for a bad id.

use crate::schema::code_enum;
use chrono::NaiveDate;
use std::borrow::Cow;

code_enum!(
    /// Something the normaliser fixed or found wrong in an id number.
    IdProblem {
        /// Null or empty.
        Missing = "null_id" / "身份证号为空",
        /// Contained whitespace (removed).
        Whitespace = "whitespace" / "身份证号含空白字符",
        /// Contained full-width digits or `Ｘ` (converted).
        FullWidth = "full_width" / "身份证号含全角字符",
        /// Check digit written as `x` (upper-cased).
        LowercaseX = "lowercase_x" / "校验码为小写x",
        /// A 15-digit legacy number (converted to 18 digits).
        Legacy15 = "legacy_15_digit" / "15位旧身份证号（已升位）",
        /// 18 well-formed characters whose check digit is wrong.
        BadChecksum = "bad_checksum" / "身份证号校验码错误",
        /// Neither 15 nor 18 characters after normalisation.
        BadLength = "bad_length" / "身份证号位数错误",
        /// Characters other than digits and a final `X`.
        BadCharacters = "bad_characters" / "身份证号含非法字符",
        /// The birth date part (YYYYMMDD) is not a real date.
        BadBirthDate = "bad_birth_date" / "身份证号出生日期无效",
    }
);

impl IdProblem {
    /// Problems that were repaired: the id still identifies its person.
    pub fn is_repaired(self) -> bool {
        matches!(
            self,
            IdProblem::Whitespace
                | IdProblem::FullWidth
                | IdProblem::LowercaseX
                | IdProblem::Legacy15
        )
    }
}

/// An id number after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedId {
    /// The normalised text; `None` only when the input was null or blank.
    /// Kept even when invalid, so that equal dirty ids still meet.
    pub value: Option<String>,
    /// An 18-digit number with a real birth date and a correct check digit.
    pub valid: bool,
    pub problems: Vec<IdProblem>,
}

impl NormalizedId {
    /// The birth date encoded in an 18-character id, if it is a real date.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        birth_date_of(self.value.as_deref()?)
    }

    /// Sex from the 17th digit (odd = male), for 18-character ids.
    pub fn is_male(&self) -> Option<bool> {
        let v = self.value.as_deref()?;
        if v.len() != 18 {
            return None;
        }
        let d = v.as_bytes()[16];
        d.is_ascii_digit().then_some((d - b'0') % 2 == 1)
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The GB 11643 check character for the first 17 digits; `None` when the
/// input is not exactly 17 ASCII digits.
pub fn check_digit(first17: &str) -> Option<char> {
    let b: &[u8; 17] = first17.as_bytes().try_into().ok()?;
    b.iter().all(u8::is_ascii_digit).then(|| check_char(b))
}

/// The check character of 17 ASCII digits.
fn check_char(digits: &[u8; 17]) -> char {
    let mut sum = 0;
    for (d, w) in digits.iter().zip(WEIGHTS) {
        sum += u32::from(d - b'0') * w;
    }
    CHECK_CHARS[(sum % 11) as usize]
}

/// The birth date (YYYYMMDD at 6..14) of an 18-character id, if it is a real date.
pub fn id_birth_date(id: &str) -> Option<NaiveDate> {
    birth_date_of(id)
}

fn birth_date_of(id: &str) -> Option<NaiveDate> {
    let (y, m, d) = birth_ymd(id)?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Year, month and day of an 18-character id's birth date, if they make a
/// date between 1850 and 2100.
fn birth_ymd(id: &str) -> Option<(i32, u32, u32)> {
    if id.len() != 18 {
        return None;
    }
    let part = id.as_bytes().get(6..14)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits_ymd(part)
}

/// The date of 8 ASCII digits `YYYYMMDD`, if a real one between 1850 and
/// 2100. Digit arithmetic rather than `str::parse`, and the calendar by
/// hand rather than building a date (`is_real_date`): run on every id of
/// every extract row.
fn digits_ymd(part: &[u8]) -> Option<(i32, u32, u32)> {
    let number = |b: &[u8]| b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let y = number(&part[0..4]) as i32;
    let m = number(&part[4..6]);
    let d = number(&part[6..8]);
    ((1850..=2100).contains(&y) && is_real_date(y, m, d)).then_some((y, m, d))
}

/// Whether `y-m-d` is a day of the Gregorian calendar.
fn is_real_date(y: i32, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// An id number after normalisation, borrowing the input when it needed
/// no change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdRef<'a> {
    pub value: Option<Cow<'a, str>>,
    pub valid: bool,
    pub problems: Vec<IdProblem>,
}

/// [`normalize_id`] without copying a clean id: an extract has tens of
/// millions of them, most never kept past linking.
pub fn normalize_id_ref(raw: Option<&str>) -> IdRef<'_> {
    if let Some((raw, checks)) = raw.and_then(|r| Some((r, plain_18(r.as_bytes())?))) {
        let mut problems = Vec::new();
        let valid = checks.record(&mut problems);
        return IdRef {
            value: Some(Cow::Borrowed(raw)),
            valid,
            problems,
        };
    }
    let id = normalize_id(raw);
    IdRef {
        value: id.value.map(Cow::Owned),
        valid: id.valid,
        problems: id.problems,
    }
}

/// Normalises one id number as the contract says; never fails.
pub fn normalize_id(raw: Option<&str>) -> NormalizedId {
    let mut problems = Vec::new();
    let Some(raw) = raw else {
        return missing();
    };
    // Fast path: most ids arrive clean (18 ASCII digits, the last maybe
    // `X`) and need only the checks, not the char-by-char cleaning below
    // (a fifth of a province run's instructions went there).
    if let Some(checks) = plain_18(raw.as_bytes()) {
        let valid = checks.record(&mut problems);
        return NormalizedId {
            value: Some(raw.to_string()),
            valid,
            problems,
        };
    }
    let mut text = String::with_capacity(18);
    for c in raw.chars() {
        if c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}' {
            push_once(&mut problems, IdProblem::Whitespace);
            continue;
        }
        let c = match c {
            '\u{FF10}'..='\u{FF19}' => {
                push_once(&mut problems, IdProblem::FullWidth);
                char::from(b'0' + (c as u32 - 0xFF10) as u8)
            }
            '\u{FF38}' | '\u{FF58}' => {
                push_once(&mut problems, IdProblem::FullWidth);
                'X'
            }
            _ => c,
        };
        if c == 'x' {
            push_once(&mut problems, IdProblem::LowercaseX);
            text.push('X');
        } else {
            text.push(c);
        }
    }
    if text.is_empty() {
        return missing();
    }
    let bytes = text.as_bytes();
    let all_digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    let valid = match bytes.len() {
        15 if all_digits(bytes) => {
            problems.push(IdProblem::Legacy15);
            let body = format!("{}19{}", &text[..6], &text[6..]);
            let check = check_digit(&body).expect("17 ASCII digits");
            text = format!("{body}{check}");
            let ok = birth_ymd(&text).is_some();
            if !ok {
                problems.push(IdProblem::BadBirthDate);
            }
            ok
        }
        18 if let Some(checks) = plain_18(bytes) => checks.record(&mut problems),
        15 | 18 => {
            problems.push(IdProblem::BadCharacters);
            false
        }
        _ => {
            if text.chars().all(|c| c.is_ascii_digit() || c == 'X') {
                problems.push(IdProblem::BadLength);
            } else {
                problems.push(IdProblem::BadCharacters);
            }
            false
        }
    };
    NormalizedId {
        value: Some(text),
        valid,
        problems,
    }
}

/// What the checks of a plain 18-character id found.
#[derive(Clone, Copy)]
struct Checks18 {
    date_ok: bool,
    sum_ok: bool,
}

impl Checks18 {
    /// Records what fails; whether the id is valid.
    fn record(self, problems: &mut Vec<IdProblem>) -> bool {
        if !self.date_ok {
            problems.push(IdProblem::BadBirthDate);
        }
        if !self.sum_ok {
            problems.push(IdProblem::BadChecksum);
        }
        self.date_ok && self.sum_ok
    }
}

/// The checks of `b` if it is a plain 18-character id (17 ASCII digits,
/// then a digit or `X`), in one pass over its bytes: run on every id of
/// every extract row.
fn plain_18(b: &[u8]) -> Option<Checks18> {
    let b: &[u8; 18] = b.try_into().ok()?;
    let mut sum = 0;
    for (&c, w) in b[..17].iter().zip(WEIGHTS) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        sum += u32::from(d) * w;
    }
    if !(b[17].is_ascii_digit() || b[17] == b'X') {
        return None;
    }
    Some(Checks18 {
        date_ok: digits_ymd(&b[6..14]).is_some(),
        sum_ok: CHECK_CHARS[(sum % 11) as usize] == char::from(b[17]),
    })
}

fn missing() -> NormalizedId {
    NormalizedId {
        value: None,
        valid: false,
        problems: vec![IdProblem::Missing],
    }
}

fn push_once(problems: &mut Vec<IdProblem>, p: IdProblem) {
    if !problems.contains(&p) {
        problems.push(p);
    }
}

/// Masks an id for publication (公示): the first 6 and last 4 characters
/// of an 18-character id kept (the contract), the rest `*`, so the 8
/// digits of the birth date are always hidden. A shorter value (a broken
/// or cut id) hides at least 8 characters too: it keeps only its first
/// characters, at most 6 (a 12-digit value keeps 4; 10 or fewer, none),
/// never its end. A longer one keeps 6 and 4 as an 18-digit id does.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let n = chars.len();
    let (head, tail) = if n >= 18 {
        (6, 4)
    } else if n > 10 {
        ((n - 8).min(6), 0)
    } else {
        (0, 0)
    };
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_date_is_what_the_calendar_says() {
        for y in [1850, 1900, 1999, 2000, 2004, 2023, 2100] {
            for m in 0..=13 {
                for d in 0..=32 {
                    assert_eq!(
                        is_real_date(y, m, d),
                        NaiveDate::from_ymd_opt(y, m, d).is_some(),
                        "{y}-{m}-{d}"
                    );
                }
            }
        }
    }
    use proptest::prelude::*;

    // 11010519491231002X is the standard's own worked example.
    const EXAMPLE: &str = "11010519491231002X";

    proptest! {
        /// The fast path for clean 18-digit ids says what the cleaning path
        /// says about the same id behind a space (bar the whitespace).
        #[test]
        fn clean_ids_take_the_fast_path_to_the_same_result(
            body in "[0-9]{17}",
            last in "[0-9X]",
        ) {
            let id = format!("{body}{last}");
            let fast = normalize_id(Some(&id));
            let mut slow = normalize_id(Some(&format!(" {id}")));
            slow.problems.retain(|p| *p != IdProblem::Whitespace);
            prop_assert_eq!(fast, slow);
        }

        /// The borrowing normaliser says what the owning one says.
        #[test]
        fn borrowed_and_owned_ids_agree(raw in "[0-9Xx ０-９]{0,20}") {
            let owned = normalize_id(Some(&raw));
            let borrowed = normalize_id_ref(Some(&raw));
            prop_assert_eq!(borrowed.value.as_deref(), owned.value.as_deref());
            prop_assert_eq!((borrowed.valid, borrowed.problems), (owned.valid, owned.problems));
        }
    }

    #[test]
    fn check_digit_of_the_standard_example_is_x() {
        assert_eq!(check_digit("11010519491231002"), Some('X'));
        assert_eq!(check_digit("1101051949123100"), None);
        assert_eq!(check_digit("1101051949123100A"), None);
    }

    #[test]
    fn clean_id_has_no_problems() {
        let n = normalize_id(Some(EXAMPLE));
        assert_eq!(n.value.as_deref(), Some(EXAMPLE));
        assert!(n.valid);
        assert!(n.problems.is_empty());
        assert_eq!(n.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31));
        assert_eq!(n.is_male(), Some(false));
    }

    #[test]
    fn dirty_forms_normalise_to_the_same_id() {
        let cases = [
            (
                " 110105 19491231002x ",
                vec![IdProblem::Whitespace, IdProblem::LowercaseX],
            ),
            (
                "１１０１０５１９４９１２３１００２Ｘ",
                vec![IdProblem::FullWidth],
            ),
            ("110105\u{3000}19491231002X", vec![IdProblem::Whitespace]),
            ("11010519491231002ｘ", vec![IdProblem::FullWidth]),
        ];
        for (raw, problems) in cases {
            let n = normalize_id(Some(raw));
            assert_eq!(n.value.as_deref(), Some(EXAMPLE), "{raw}");
            assert!(n.valid, "{raw}");
            assert_eq!(n.problems, problems, "{raw}");
        }
    }

    #[test]
    fn legacy_15_digit_gets_century_and_check_digit() {
        let n = normalize_id(Some("110105491231002"));
        assert_eq!(n.value.as_deref(), Some(EXAMPLE));
        assert!(n.valid);
        assert_eq!(n.problems, vec![IdProblem::Legacy15]);
    }

    #[test]
    fn wrong_check_digit_is_kept_but_invalid() {
        let n = normalize_id(Some("110105194912310021"));
        assert_eq!(n.value.as_deref(), Some("110105194912310021"));
        assert!(!n.valid);
        assert_eq!(n.problems, vec![IdProblem::BadChecksum]);
    }

    #[test]
    fn impossible_birth_date_is_invalid() {
        let body = "11010519490231002";
        let id = format!("{body}{}", check_digit(body).unwrap());
        let n = normalize_id(Some(&id));
        assert!(!n.valid);
        assert_eq!(n.problems, vec![IdProblem::BadBirthDate]);
        assert_eq!(n.birth_date(), None);
    }

    #[test]
    fn missing_short_and_garbage() {
        assert_eq!(normalize_id(None).problems, vec![IdProblem::Missing]);
        assert_eq!(normalize_id(Some("  ")).value, None);
        assert_eq!(normalize_id(Some("  ")).problems, vec![IdProblem::Missing]);
        let short = normalize_id(Some("11010519491231"));
        assert_eq!(short.problems, vec![IdProblem::BadLength]);
        assert!(!short.valid);
        let letters = normalize_id(Some("11010519491231002A"));
        assert_eq!(letters.problems, vec![IdProblem::BadCharacters]);
        assert!(!letters.valid);
        // A truncated spreadsheet id (scientific notation) is garbage, kept.
        let sci = normalize_id(Some("1.10105E+17"));
        assert_eq!(sci.problems, vec![IdProblem::BadCharacters]);
        assert_eq!(sci.value.as_deref(), Some("1.10105E+17"));
    }

    #[test]
    fn masking_keeps_six_and_four() {
        assert_eq!(mask_id(EXAMPLE), "110105********002X");
        assert_eq!(mask_id("1234567890"), "**********");
        assert_eq!(mask_id(""), "");
    }

    /// Issue 13, finding 8: a 12-digit id was masked as `512022**8001`
    /// (10 of 12 digits shown).
    #[test]
    fn a_12_digit_id_is_masked_beyond_recognition() {
        assert_eq!(mask_id("512022198001"), "5120********");
        assert_eq!(mask_id("51202219800101100"), "512022***********");
        assert_eq!(mask_id("512022800101100"), "512022*********");
        for n in 0..30 {
            let id: String = "5".repeat(n);
            let shown = mask_id(&id).chars().filter(|c| *c != '*').count();
            assert!(n - shown >= n.min(8), "{n}: {}", mask_id(&id));
        }
    }

    proptest! {
        /// Every 17-digit body with its check digit is valid, and any single
        /// changed digit breaks the checksum (the property rules.md relies on
        /// to never link a valid but different id).
        #[test]
        fn single_digit_errors_break_the_checksum(
            body in "[1-6][0-9]{5}19[5-9][0-9](0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
            pos in 0usize..18,
            delta in 1u8..10,
        ) {
            let id = format!("{body}{}", check_digit(&body).unwrap());
            prop_assert!(normalize_id(Some(&id)).valid);
            let mut bytes = id.clone().into_bytes();
            if pos < 17 {
                bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            } else {
                let c = bytes[17];
                let cycle = b"0123456789X";
                let i = cycle.iter().position(|&x| x == c).unwrap();
                bytes[17] = cycle[(i + delta as usize) % 11];
            }
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(!normalize_id(Some(&changed)).valid || changed == id);
        }

        #[test]
        fn normalising_never_panics_and_is_idempotent(raw in "\\PC{0,24}") {
            let once = normalize_id(Some(&raw));
            if let Some(v) = &once.value {
                let twice = normalize_id(Some(v));
                prop_assert_eq!(twice.value.as_ref(), Some(v));
                prop_assert_eq!(twice.valid, once.valid);
            }
        }
    }
}
