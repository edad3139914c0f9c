//! Personal names, normalised for comparison.
//!
//! The contract (data-contract.md, "Names") warns of surrounding and inner
//! spaces, full-width letters, traditional characters (張/张), middle-dot
//! variants in minority names (`·` `•` `・` `.`), rare characters replaced by
//! `*`, `?` or pinyin, and nulls. The normalised form has no whitespace,
//! half-width ASCII, `·` as the only middle dot, simplified characters
//! (fast2s, MIT), `*` as the only placeholder and lower-case Latin letters.
//! Names are never used to *reject* an exact id link; they only feed
//! comparisons, so normalising aggressively is safe.

use crate::schema::code_enum;

code_enum!(
    /// Something the normaliser fixed or found in a name.
    NameProblem {
        /// Null or blank.
        Missing = "null_name" / "姓名为空",
        /// Surrounding or inner whitespace (removed).
        Whitespace = "name_whitespace" / "姓名含空格",
        /// Full-width ASCII letters or signs (converted).
        FullWidth = "name_full_width" / "姓名含全角字母",
        /// A middle dot other than `·` U+00B7 (converted).
        MiddleDotVariant = "name_middle_dot_variant" / "姓名间隔号不规范",
        /// Traditional characters (converted to simplified).
        Traditional = "name_traditional" / "姓名含繁体字",
        /// `*` or `?` standing for a character the source could not write.
        Placeholder = "name_placeholder" / "姓名含生僻字替代符",
        /// Latin letters, usually pinyin for a rare character.
        Latin = "name_latin" / "姓名为拼音或字母",
    }
);

impl NameProblem {
    /// Problems that were repaired: the name still identifies its person.
    pub fn is_repaired(self) -> bool {
        matches!(
            self,
            NameProblem::Whitespace
                | NameProblem::FullWidth
                | NameProblem::MiddleDotVariant
                | NameProblem::Traditional
        )
    }
}

/// A name after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedName {
    /// `None` only when the input was null or blank.
    pub value: Option<String>,
    pub problems: Vec<NameProblem>,
}

/// The canonical middle dot of minority names (e.g. 阿依古丽·买买提).
pub const MIDDLE_DOT: char = '\u{00B7}';

fn is_middle_dot_variant(c: char) -> bool {
    matches!(
        c,
        '\u{2022}' // • bullet
            | '\u{30FB}' // ・ katakana middle dot
            | '\u{FF65}' // ･ half-width katakana middle dot
            | '\u{2027}' // ‧ hyphenation point
            | '\u{2219}' // ∙ bullet operator
            | '\u{22C5}' // ⋅ dot operator
            | '\u{0387}' // · Greek ano teleia
            | '\u{16EB}' // ᛫ runic punctuation
            | '.'
            | '\u{3002}' // 。 ideographic full stop, typed for a dot
    )
}

/// Normalises one name; never fails.
pub fn normalize_name(raw: Option<&str>) -> NormalizedName {
    let Some(raw) = raw else {
        return missing();
    };
    let mut text = String::with_capacity(raw.len());
    let scan = scan(raw, |c| text.push(c));
    if text.is_empty() {
        return missing();
    }
    let mut problems = scan.problems;
    // fast2s copies every name it is given; most names have no character
    // it could change, and then the copy would only be compared and dropped.
    if scan.may_be_traditional {
        let simplified = fast2s::convert(&text);
        if simplified != text {
            problems.push(NameProblem::Traditional);
            text = simplified;
        }
    }
    problems.sort();
    NormalizedName {
        value: Some(text),
        problems,
    }
}

/// The problems [`normalize_name`] reports, without building the name: most
/// extract rows are about people whose name is never compared, yet their
/// problems are still reported.
pub fn name_problems(raw: Option<&str>) -> Vec<NameProblem> {
    let Some(raw) = raw else {
        return vec![NameProblem::Missing];
    };
    let mut kept = false;
    let scan = scan(raw, |_| kept = true);
    if !kept {
        return vec![NameProblem::Missing];
    }
    if scan.may_be_traditional {
        // Whether fast2s changes a character depends on its neighbours.
        return normalize_name(Some(raw)).problems;
    }
    let mut problems = scan.problems;
    problems.sort();
    problems
}

/// What one pass over a name found: every problem but `Traditional`, and
/// whether fast2s might find that one.
struct Scan {
    problems: Vec<NameProblem>,
    may_be_traditional: bool,
}

/// The character-level normalisation: each character kept goes to `keep`,
/// in its normalised form.
fn scan(raw: &str, mut keep: impl FnMut(char)) -> Scan {
    let mut problems = Vec::new();
    let mut may_be_traditional = false;
    for c in raw.chars() {
        // Common CJK ideographs, nearly every character of a name: none is a
        // space, a full-width sign, a dot, a placeholder or Latin.
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            may_be_traditional |= fast2s_may_change(c);
            keep(c);
            continue;
        }
        if c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}' {
            push_once(&mut problems, NameProblem::Whitespace);
            continue;
        }
        // Full-width ASCII block (！ … ～) → ASCII.
        let c = if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
            push_once(&mut problems, NameProblem::FullWidth);
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        } else {
            c
        };
        let c = if is_middle_dot_variant(c) {
            push_once(&mut problems, NameProblem::MiddleDotVariant);
            MIDDLE_DOT
        } else {
            c
        };
        let c = match c {
            '*' | '?' => {
                push_once(&mut problems, NameProblem::Placeholder);
                '*'
            }
            c if c.is_ascii_alphabetic() => {
                push_once(&mut problems, NameProblem::Latin);
                c.to_ascii_lowercase()
            }
            c => c,
        };
        may_be_traditional |= fast2s_may_change(c);
        keep(c);
    }
    Scan {
        problems,
        may_be_traditional,
    }
}

/// Whether fast2s could change `c` in some context: it maps a character by
/// a table, except a few whose result depends on the neighbours. A text
/// with no such character comes back from fast2s unchanged.
fn fast2s_may_change(c: char) -> bool {
    // fast2s only looks at characters of three UTF-8 bytes (U+0800–U+FFFF).
    if c.len_utf8() != 3 {
        return false;
    }
    static CHANGED: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let bits = CHANGED.get_or_init(|| {
        let mut bits = vec![0u64; 0x10000 / 64];
        let mut buf = [0u8; 4];
        for c in ('\u{0800}'..='\u{FFFF}').filter(|c| c.len_utf8() == 3) {
            let s: &str = c.encode_utf8(&mut buf);
            // Characters fast2s converts only next to certain others (its
            // `T2S_SPECIAL_CONVERT_TYPE`), e.g. 藉口 → 借口.
            if fast2s::convert(s) != s || "藉著苧闔鍾讎畫".contains(c) {
                bits[c as usize / 64] |= 1 << (c as usize % 64);
            }
        }
        bits
    });
    bits[c as usize / 64] & (1 << (c as usize % 64)) != 0
}

fn missing() -> NormalizedName {
    NormalizedName {
        value: None,
        problems: vec![NameProblem::Missing],
    }
}

fn push_once(problems: &mut Vec<NameProblem>, p: NameProblem) {
    if !problems.contains(&p) {
        problems.push(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(raw: &str) -> (Option<String>, Vec<NameProblem>) {
        let n = normalize_name(Some(raw));
        (n.value, n.problems)
    }

    #[test]
    fn clean_name_is_unchanged() {
        assert_eq!(norm("张三"), (Some("张三".into()), vec![]));
        assert_eq!(
            norm("阿依古丽·买买提"),
            (Some("阿依古丽·买买提".into()), vec![])
        );
    }

    #[test]
    fn spaces_are_removed_everywhere() {
        assert_eq!(
            norm(" 张 三\u{3000}"),
            (Some("张三".into()), vec![NameProblem::Whitespace])
        );
    }

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(
            norm("張三"),
            (Some("张三".into()), vec![NameProblem::Traditional])
        );
        assert_eq!(norm("劉國華").0.as_deref(), Some("刘国华"));
    }

    #[test]
    fn every_middle_dot_variant_becomes_the_canonical_dot() {
        for dot in ['•', '・', '.', '･', '‧', '．'] {
            let (value, problems) = norm(&format!("阿依古丽{dot}买买提"));
            assert_eq!(value.as_deref(), Some("阿依古丽·买买提"), "{dot}");
            assert!(problems.contains(&NameProblem::MiddleDotVariant), "{dot}");
        }
    }

    #[test]
    fn placeholders_and_pinyin_are_flagged() {
        assert_eq!(
            norm("王?明"),
            (Some("王*明".into()), vec![NameProblem::Placeholder])
        );
        assert_eq!(
            norm("王＊明"),
            (
                Some("王*明".into()),
                vec![NameProblem::FullWidth, NameProblem::Placeholder]
            )
        );
        assert_eq!(
            norm("王Yan明"),
            (Some("王yan明".into()), vec![NameProblem::Latin])
        );
    }

    #[test]
    fn null_and_blank_are_missing() {
        assert_eq!(normalize_name(None).problems, vec![NameProblem::Missing]);
        assert_eq!(norm(" \u{3000} "), (None, vec![NameProblem::Missing]));
    }

    /// The original normaliser: fast2s on every name.
    fn reference(raw: &str) -> NormalizedName {
        let mut text = String::new();
        let mut problems = scan(raw, |c| text.push(c)).problems;
        let simplified = fast2s::convert(&text);
        problems.extend((simplified != text).then_some(NameProblem::Traditional));
        problems.sort();
        match text.is_empty() {
            true => missing(),
            false => NormalizedName {
                value: Some(simplified),
                problems,
            },
        }
    }

    #[test]
    fn context_dependent_conversions_are_still_found() {
        for raw in [
            "藉口", "憑藉", "計畫", "張藉", "乾隆", "乾淨", "苧麻", "兒寬",
        ] {
            assert_eq!(normalize_name(Some(raw)), reference(raw), "{raw}");
            assert_eq!(name_problems(Some(raw)), reference(raw).problems, "{raw}");
        }
    }

    proptest! {
        #[test]
        fn the_fast_paths_agree_with_fast2s_on_every_name(
            raw in "[ 張三李四王芳藉口憑計畫乾隆淨兒寬劉國華·•.*?a-zA-Z\u{3000}\u{4E00}-\u{9FFF}\u{FF01}-\u{FF5E}]{0,6}"
        ) {
            let want = reference(&raw);
            prop_assert_eq!(normalize_name(Some(&raw)), want.clone());
            prop_assert_eq!(name_problems(Some(&raw)), want.problems);
        }

        #[test]
        fn normalising_is_idempotent(raw in "\\PC{0,12}") {
            let once = normalize_name(Some(&raw));
            if let Some(v) = &once.value {
                let twice = normalize_name(Some(v));
                prop_assert_eq!(twice.value.as_ref(), Some(v));
            }
        }
    }
}
