//! The output tables as polars frames, columns in contract order, rows
//! sorted by key. Money is `Decimal(38, 2)`, rounded half-even only here.

use crate::decide::Decision;
use crate::link::DatasetLinks;
use crate::load::date_to_days;
use crate::normalise::Roster;
use crate::quality::DataQuality;
use crate::rules::Assessment;
use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

/// What the run produced for one household (roster order).
pub struct HouseholdResult {
    pub assessment: Assessment,
    pub decision: Decision,
}

pub(super) fn cents(d: Decimal) -> i128 {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    r.rescale(2);
    r.mantissa()
}

pub(super) fn money(name: &str, values: impl IntoIterator<Item = Option<Decimal>>) -> Column {
    Int128Chunked::from_iter_options(name.into(), values.into_iter().map(|v| v.map(cents)))
        .into_decimal(38, 2)
        .expect("amounts fit 38 digits")
        .into_series()
        .into_column()
}

pub(super) fn dates(name: &str, values: impl IntoIterator<Item = Option<NaiveDate>>) -> Column {
    Int32Chunked::from_iter_options(name.into(), values.into_iter().map(|v| v.map(date_to_days)))
        .into_series()
        .cast(&DataType::Date)
        .expect("Int32 casts to Date")
        .into_column()
}

pub(super) fn strings<S: AsRef<str>>(
    name: &str,
    values: impl IntoIterator<Item = Option<S>>,
) -> Column {
    StringChunked::from_iter_options(name.into(), values.into_iter())
        .into_series()
        .into_column()
}

pub(super) fn string_lists(
    name: &str,
    values: impl IntoIterator<Item = Vec<&'static str>>,
) -> Column {
    let mut builder = ListStringChunkedBuilder::new(name.into(), 0, 0);
    for v in values {
        builder.append_values_iter(v.into_iter());
    }
    builder.finish().into_series().into_column()
}

/// A column of codes from a fixed list, given as each row's position in
/// `codes`: a polars Enum, so no string is built or hashed per row, and
/// Parquet gets the codes as a dictionary page and small keys. Read back it
/// is a plain string column (the footer's schema hint says so:
/// [`super::plain_parquet_metadata`]). At 1M households `matches` has seven
/// such columns of 20M rows.
pub(super) fn codes(
    name: &str,
    codes: &[&'static str],
    positions: impl IntoIterator<Item = Option<u8>>,
) -> Column {
    let categories = FrozenCategories::new(codes.iter().copied()).expect("codes are unique");
    let positions: Vec<Option<u8>> = positions.into_iter().collect();
    assert!(
        positions
            .iter()
            .flatten()
            .all(|&p| usize::from(p) < codes.len()),
        "a position outside the codes of `{name}`"
    );
    // A column without nulls is built without a validity mask, so Parquet
    // writes no definition level per row for it.
    let positions: UInt8Chunked = if positions.iter().all(Option::is_some) {
        UInt8Chunked::from_vec(name.into(), positions.into_iter().flatten().collect())
    } else {
        positions.into_iter().collect_ca(name.into())
    };
    // SAFETY: every position names one of `codes` (asserted above); the
    // checked constructor looks every row's string up again, a fifth of
    // the `matches` writer's time.
    unsafe {
        CategoricalChunked::<Categorical8Type>::from_cats_and_dtype_unchecked(
            positions,
            DataType::from_frozen_categories(categories),
        )
    }
    .into_series()
    .into_column()
}

/// A column of short codes from a small set not listed in advance (the
/// data-quality columns' names): [`codes`], with the codes in order of first
/// appearance; plain strings if there are more than 256.
pub(super) fn codes_seen(name: &str, values: &[&'static str]) -> Column {
    let mut seen: std::collections::HashMap<&str, u8, foldhash::fast::FixedState> =
        Default::default();
    let mut list: Vec<&'static str> = Vec::new();
    let mut positions: Vec<Option<u8>> = Vec::with_capacity(values.len());
    for &v in values {
        let k = match seen.get(v) {
            Some(&k) => k,
            None => {
                let Ok(k) = u8::try_from(list.len()) else {
                    return strings(name, values.iter().map(|v| Some(*v)));
                };
                seen.insert(v, k);
                list.push(v);
                k
            }
        };
        positions.push(Some(k));
    }
    codes(name, &list, positions)
}

/// `value`'s position in `all`, for [`codes`].
pub(super) fn position<T: PartialEq>(all: &[T], value: T) -> u8 {
    all.iter()
        .position(|x| *x == value)
        .expect("value is listed") as u8
}

pub(super) fn frame(columns: Vec<Column>) -> DataFrame {
    let height = columns.first().map_or(0, |c| c.len());
    DataFrame::new(height, columns).expect("columns of equal length")
}

/// Indices of the roster's households in household_id order (equal ids in
/// roster order). Sorted on the id's first 16 bytes held inline, so most
/// comparisons follow no pointer; the whole id decides only on a tie. At 1M
/// households a plain sort on the strings took 0.6 s, in a stage every
/// output waits for.
pub fn households_by_id(roster: &Roster) -> Vec<usize> {
    use rayon::prelude::*;
    let id = |i: usize| roster.households[i].household_id.as_bytes();
    let prefix = |i: usize| {
        let mut head = [0u8; 16];
        let n = id(i).len().min(16);
        head[..n].copy_from_slice(&id(i)[..n]);
        u128::from_be_bytes(head)
    };
    let mut keyed: Vec<(u128, usize)> = (0..roster.households.len())
        .map(|i| (prefix(i), i))
        .collect();
    keyed.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| id(a.1).cmp(id(b.1)))
            .then(a.1.cmp(&b.1))
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// `decisions`: one row per household, sorted by household_id.
pub fn decisions_frame(roster: &Roster, results: &[HouseholdResult]) -> DataFrame {
    let order = households_by_id(roster);
    let h = |i: usize| &roster.households[i];
    let r = |i: usize| &results[i];
    let per_member = |i: usize, total: Decimal| {
        let n = r(i).assessment.income.living_members;
        (n > 0).then(|| total / Decimal::from(n))
    };
    frame(vec![
        strings(
            "household_id",
            order.iter().map(|&i| Some(h(i).household_id.as_str())),
        ),
        strings(
            "region_code",
            order.iter().map(|&i| Some(h(i).region_code.as_str())),
        ),
        strings(
            "program",
            order.iter().map(|&i| h(i).program.map(|p| p.code())),
        ),
        strings(
            "status",
            order.iter().map(|&i| h(i).status.map(|s| s.code())),
        ),
        strings(
            "action",
            order.iter().map(|&i| Some(r(i).decision.action.code())),
        ),
        string_lists(
            "reasons",
            order
                .iter()
                .map(|&i| r(i).decision.reasons.iter().map(|x| x.code()).collect()),
        ),
        money(
            "per_capita_income",
            order
                .iter()
                .map(|&i| per_member(i, r(i).assessment.income.household_income)),
        ),
        money(
            "standard",
            order.iter().map(|&i| Some(r(i).assessment.standard)),
        ),
        money(
            "household_income",
            order
                .iter()
                .map(|&i| Some(r(i).assessment.income.household_income)),
        ),
        Column::new(
            "living_members".into(),
            order
                .iter()
                .map(|&i| r(i).assessment.income.living_members)
                .collect::<Vec<u32>>(),
        ),
        money(
            "financial_assets_per_capita",
            order
                .iter()
                .map(|&i| per_member(i, r(i).assessment.financial_assets)),
        ),
        dates(
            "phase_out_until",
            order.iter().map(|&i| r(i).decision.phase_out_until),
        ),
        strings(
            "covered_id_number",
            order
                .iter()
                .map(|&i| r(i).decision.covered_id_number.as_deref()),
        ),
        Column::new(
            "confidence".into(),
            order
                .iter()
                .map(|&i| r(i).decision.confidence)
                .collect::<Vec<f64>>(),
        ),
        money(
            "monthly_benefit",
            order.iter().map(|&i| h(i).monthly_benefit),
        ),
        string_lists(
            "not_checked",
            order.iter().map(|&i| {
                r(i).assessment
                    .not_checked
                    .iter()
                    .map(|x| x.code())
                    .collect()
            }),
        ),
    ])
}

/// `findings`: one row per rule hit, sorted by household, rule, dataset, row.
pub fn findings_frame(roster: &Roster, results: &[HouseholdResult]) -> DataFrame {
    let mut rows = Vec::new();
    for (i, r) in results.iter().enumerate() {
        for f in &r.assessment.findings {
            rows.push((&roster.households[i], f));
        }
    }
    // Ids compared borrowed: a key with an owned id cost an allocation per
    // comparison (0.4 s at 1M households).
    rows.sort_by(|(ha, a), (hb, b)| {
        let rest = |f: &crate::rules::Finding| {
            (
                f.rule,
                f.source.map(|s| (s.dataset.name(), s.row_index)),
                f.member,
            )
        };
        ha.household_id
            .cmp(&hb.household_id)
            .then_with(|| rest(a).cmp(&rest(b)))
    });
    let member_id =
        |f: &crate::rules::Finding| f.member.map(|m| roster.members[m as usize].id_number());
    frame(
        [
            strings(
                "household_id",
                rows.iter().map(|(h, _)| Some(h.household_id.as_str())),
            ),
            strings("id_number", rows.iter().map(|(_, f)| member_id(f))),
            strings("rule_id", rows.iter().map(|(_, f)| Some(f.rule.code()))),
            strings(
                "dataset",
                rows.iter().map(|(_, f)| f.source.map(|s| s.dataset.name())),
            ),
            Column::new(
                "row_index".into(),
                rows.iter()
                    .map(|(_, f)| f.source.map(|s| s.row_index))
                    .collect::<Vec<Option<u64>>>(),
            ),
            Column::new(
                "match_score".into(),
                rows.iter()
                    .map(|(_, f)| f.source.map(|s| s.score))
                    .collect::<Vec<Option<f64>>>(),
            ),
            strings(
                "match_method",
                rows.iter().map(|(_, f)| f.source.map(|s| s.method.code())),
            ),
            strings(
                "match_status",
                rows.iter().map(|(_, f)| f.source.map(|s| s.status.code())),
            ),
        ]
        .into_iter()
        .chain(level_columns(
            rows.iter()
                .map(|(_, f)| f.source.map(|s| (s.method, s.levels))),
        ))
        .chain([
            strings("action", rows.iter().map(|(_, f)| Some(f.action.code()))),
            Column::new(
                "certain".into(),
                rows.iter().map(|(_, f)| f.certain).collect::<Vec<bool>>(),
            ),
            strings("detail", rows.iter().map(|(_, f)| Some(f.detail.as_str()))),
        ])
        .collect(),
    )
}

/// `match_weight` and the comparison level of each field (`id_level`,
/// `name_level`, `birth_date_level`, `region_level`), null where nothing was
/// linked or a field was not compared (the exact id path compares ids only).
fn level_columns(
    links: impl Iterator<Item = Option<(crate::link::MatchMethod, crate::link::Levels)>> + Clone,
) -> [Column; 5] {
    use crate::link::{score, BirthDateLevel, IdLevel, MatchMethod, NameLevel, RegionLevel};
    fn level<T: Copy + PartialEq>(
        name: &str,
        all: &[T],
        code: fn(T) -> &'static str,
        values: impl Iterator<Item = Option<T>>,
    ) -> Column {
        let list: Vec<&'static str> = all.iter().map(|l| code(*l)).collect();
        codes(name, &list, values.map(|v| v.map(|v| position(all, v))))
    }
    let weight = |l: &Option<(MatchMethod, crate::link::Levels)>| {
        l.filter(|(m, _)| matches!(m, MatchMethod::Fuzzy | MatchMethod::FuzzyTie))
            .map(|(_, lv)| score::match_weight(&lv))
    };
    [
        Column::new(
            "match_weight".into(),
            links
                .clone()
                .map(|l| weight(&l))
                .collect::<Vec<Option<f64>>>(),
        ),
        level(
            "id_level",
            IdLevel::ALL,
            IdLevel::code,
            links.clone().map(|l| l.map(|(_, lv)| lv.id)),
        ),
        level(
            "name_level",
            NameLevel::ALL,
            NameLevel::code,
            links.clone().map(|l| l.and_then(|(_, lv)| lv.name)),
        ),
        level(
            "birth_date_level",
            BirthDateLevel::ALL,
            BirthDateLevel::code,
            links.clone().map(|l| l.and_then(|(_, lv)| lv.birth_date)),
        ),
        level(
            "region_level",
            RegionLevel::ALL,
            RegionLevel::code,
            links.map(|l| l.and_then(|(_, lv)| lv.region)),
        ),
    ]
}

/// `matches` in frames of at most `batch_rows` rows, in output order
/// (datasets by name, rows in order): written one at a time, so the 20M-row
/// table of a province never exists in memory at once. Always at least one
/// frame (empty when no extract was supplied).
pub fn matches_batches<'a>(
    roster: &'a Roster,
    links: &'a [DatasetLinks],
    batch_rows: usize,
) -> impl Iterator<Item = DataFrame> + 'a {
    let mut sorted: Vec<&DatasetLinks> = links.iter().collect();
    sorted.sort_by_key(|l| l.dataset.name());
    let batch_rows = batch_rows.max(1);
    let mut ranges: Vec<(&DatasetLinks, u64, u64)> = Vec::new();
    for l in sorted {
        let mut start = 0;
        while start < l.rows {
            let end = start.saturating_add(batch_rows).min(l.rows);
            ranges.push((l, start as u64, end as u64));
            start = end;
        }
    }
    let empty = ranges.is_empty();
    let frames = ranges
        .into_iter()
        .map(move |(l, start, end)| matches_rows(roster, l, start..end));
    let none: Option<DataFrame> = empty.then(|| {
        let nothing = DatasetLinks {
            dataset: crate::schema::Dataset::Deposits,
            rows: 0,
            links: Vec::new(),
            stats: Default::default(),
        };
        matches_rows(roster, &nothing, 0..0)
    });
    none.into_iter().chain(frames)
}

/// The `matches` rows `rows` of one dataset (all of `l`'s links, or those
/// of the files holding those rows: the Spark job writes one part per file).
pub fn matches_rows(roster: &Roster, l: &DatasetLinks, rows: std::ops::Range<u64>) -> DataFrame {
    use crate::link::{MatchMethod, MatchStatus};
    use crate::schema::Dataset;
    let n = (rows.end - rows.start) as usize;
    // Most rows are strangers' (unmatched): every column starts as theirs,
    // then the linked rows are filled in.
    let first = l.links.partition_point(|link| link.row_index < rows.start);
    let last = l.links.partition_point(|link| link.row_index < rows.end);
    let row_index: Vec<u64> = rows.clone().collect();
    let mut id_number: Vec<Option<&str>> = vec![None; n];
    let mut household_id: Vec<Option<&str>> = vec![None; n];
    let mut score: Vec<Option<f64>> = vec![None; n];
    let mut method: Vec<Option<u8>> = vec![None; n];
    // `matches` lists the status codes most trusted first.
    let statuses: Vec<MatchStatus> = MatchStatus::ALL.iter().rev().copied().collect();
    let unmatched = position(&statuses, MatchStatus::Unmatched);
    let mut status: Vec<Option<u8>> = vec![Some(unmatched); n];
    let mut levels = vec![None; n];
    for link in &l.links[first..last] {
        let k = (link.row_index - rows.start) as usize;
        let m = &roster.members[link.member as usize];
        id_number[k] = Some(m.id_number());
        household_id[k] = Some(
            roster.households[m.household as usize]
                .household_id
                .as_str(),
        );
        score[k] = Some(link.score);
        method[k] = Some(position(MatchMethod::ALL, link.method));
        status[k] = Some(position(&statuses, link.status));
        levels[k] = Some((link.method, link.levels));
    }
    let names = |all: &[Dataset]| all.iter().map(|d| d.name()).collect::<Vec<_>>();
    let dataset = position(&Dataset::LINKED, l.dataset);
    frame(
        [
            codes(
                "dataset",
                &names(&Dataset::LINKED),
                std::iter::repeat_n(Some(dataset), n),
            ),
            Column::new("row_index".into(), row_index),
            Column::new("id_number".into(), id_number),
            Column::new("household_id".into(), household_id),
            Column::new("match_score".into(), score),
            codes(
                "match_method",
                &MatchMethod::ALL
                    .iter()
                    .map(|m| m.code())
                    .collect::<Vec<_>>(),
                method,
            ),
            codes(
                "status",
                &statuses.iter().map(|s| s.code()).collect::<Vec<_>>(),
                status,
            ),
        ]
        .into_iter()
        .chain(level_columns(levels.iter().copied()))
        .collect(),
    )
}

/// Problems counted per dataset, column and problem, with the first row
/// of each and its value, from `quality` sorted as [`quality_frame`] sorts
/// it: what the reports show (a province has millions of problems; the
/// reports need only these counts, so the full list is not kept for them).
pub fn quality_counts_frame(quality: &[DataQuality]) -> DataFrame {
    let mut groups: std::collections::BTreeMap<(&str, &str, &str), (u64, usize)> =
        std::collections::BTreeMap::new();
    for (i, q) in quality.iter().enumerate() {
        let key = (q.dataset.name(), q.column, q.problem.code());
        groups.entry(key).or_insert((0, i)).0 += 1;
    }
    let first = |g: &(u64, usize)| &quality[g.1];
    frame(vec![
        Column::new(
            "dataset".into(),
            groups.keys().map(|k| k.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "column".into(),
            groups.keys().map(|k| k.1).collect::<Vec<_>>(),
        ),
        Column::new(
            "problem".into(),
            groups.keys().map(|k| k.2).collect::<Vec<_>>(),
        ),
        Column::new(
            "count".into(),
            groups.values().map(|g| g.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "first_row_index".into(),
            groups
                .values()
                .map(|g| first(g).row_index)
                .collect::<Vec<_>>(),
        ),
        strings(
            "first_value",
            groups.values().map(|g| first(g).value.as_deref()),
        ),
    ])
}

/// `data_quality`: one row per problem, sorted by dataset, row, column, problem.
pub fn quality_frame(quality: &mut [DataQuality]) -> DataFrame {
    use rayon::slice::ParallelSliceMut;
    // Stable, so equal problems keep the order they were found in.
    quality.par_sort_by(|a, b| {
        (
            a.dataset.name(),
            a.row_index,
            a.column,
            a.problem.code(),
            &a.value,
        )
            .cmp(&(
                b.dataset.name(),
                b.row_index,
                b.column,
                b.problem.code(),
                &b.value,
            ))
    });
    // Dataset, column and problem as code columns: 3.7M rows at 1M households.
    let code_column = |name: &str, code: fn(&DataQuality) -> &'static str| {
        codes_seen(name, &quality.iter().map(code).collect::<Vec<_>>())
    };
    frame(vec![
        code_column("dataset", |q| q.dataset.name()),
        Column::new(
            "row_index".into(),
            quality.iter().map(|q| q.row_index).collect::<Vec<_>>(),
        ),
        code_column("column", |q| q.column),
        code_column("problem", |q| q.problem.code()),
        strings("value", quality.iter().map(|q| q.value.as_deref())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::Household;

    /// Codes in order of first appearance; more than 256 stay plain strings.
    #[test]
    fn codes_seen_are_an_enum_unless_there_are_too_many() {
        let few = codes_seen("column", &["name", "id_number", "name"]);
        assert!(matches!(few.dtype(), DataType::Enum(..)));
        let back = few.cast(&DataType::String).unwrap();
        let back: Vec<Option<&str>> = back.str().unwrap().iter().collect();
        assert_eq!(back, [Some("name"), Some("id_number"), Some("name")]);
        let many: Vec<&'static str> = (0..300)
            .map(|i| &*Box::leak(format!("c{i}").into_boxed_str()))
            .collect();
        let many = codes_seen("column", &many);
        assert_eq!(many.dtype(), &DataType::String);
        assert_eq!(many.str().unwrap().get(299), Some("c299"));
    }

    /// The inline-prefix sort gives exactly the order of sorting the ids as
    /// strings, with equal ids in roster order.
    #[test]
    fn households_by_id_is_string_order_with_ties_in_roster_order() {
        let ids = [
            "512022-0000010",
            "512022-0000002",
            "ab",
            "ab\u{0}",
            "a",
            "512022-00000020-long-suffix-b",
            "512022-00000020-long-suffix-a",
            "512022-0000002",
            "",
            "Z",
        ];
        let roster = Roster {
            households: ids.iter().map(|id| Household::bare(id, "")).collect(),
            members: Vec::new(),
        };
        let mut expected: Vec<usize> = (0..ids.len()).collect();
        expected.sort_by(|&a, &b| ids[a].cmp(ids[b]));
        assert_eq!(households_by_id(&roster), expected);
    }
}
