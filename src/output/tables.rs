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
use polars_arrow::array::MutableBinaryViewArray;
use polars_arrow::bitmap::{Bitmap, MutableBitmap};
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

/// A number column from per-row options, as one values buffer and one
/// validity mask (none when no row is null, so Parquet writes no definition
/// level per row): cheaper than polars' collecting of options, on the
/// `matches` columns of 20M mostly-null rows.
pub(super) fn nullable<T: PolarsNumericType>(
    name: &str,
    values: &[Option<T::Native>],
) -> ChunkedArray<T> {
    let plain = values.iter().map(|v| v.unwrap_or_default()).collect();
    let validity = values
        .iter()
        .any(Option::is_none)
        .then(|| values.iter().map(Option::is_some).collect());
    ChunkedArray::from_vec_validity(name.into(), plain, validity)
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
    let positions: Vec<Option<u8>> = positions.into_iter().collect();
    codes_of(codes, nullable(name, &positions))
}

/// [`codes`] from the positions as a column (named as the result).
fn codes_of(codes: &[&'static str], positions: UInt8Chunked) -> Column {
    let categories = FrozenCategories::new(codes.iter().copied()).expect("codes are unique");
    // The largest position, not each row's: a row at a time through
    // polars' iterator cost more than building the column.
    assert!(
        positions.max().is_none_or(|p| usize::from(p) < codes.len()),
        "a position outside the codes of `{}`",
        positions.name()
    );
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

/// A column of `n` rows, null but at the positions given (each once).
/// `matches` is nine rows in ten strangers', null in most columns: the
/// linked rows are filled into zeroed values and a cleared validity mask
/// rather than every row going through an `Option`.
fn sparse<T: PolarsNumericType>(
    name: &str,
    n: usize,
    present: impl IntoIterator<Item = (usize, T::Native)>,
) -> ChunkedArray<T> {
    let mut values = vec![T::Native::default(); n];
    let mut validity = MutableBitmap::from_len_zeroed(n);
    for (k, v) in present {
        values[k] = v;
        validity.set(k, true);
    }
    let validity: Bitmap = validity.into();
    let validity = (validity.unset_bits() > 0).then_some(validity);
    ChunkedArray::from_vec_validity(name.into(), values, validity)
}

/// [`sparse`] for `N` string columns at once (the positions ascending),
/// so that each row's values are read together, once.
fn sparse_strings<'a, const N: usize>(
    names: [&str; N],
    n: usize,
    present: impl IntoIterator<Item = (usize, [&'a str; N])>,
) -> [Column; N] {
    let mut arrays: [MutableBinaryViewArray<str>; N] =
        std::array::from_fn(|_| MutableBinaryViewArray::with_capacity(n));
    let mut next = 0;
    for (k, values) in present {
        assert!(k >= next, "`{}`: positions out of order", names[0]);
        for (array, s) in arrays.iter_mut().zip(values) {
            array.extend_null(k - next);
            array.push_value(s);
        }
        next = k + 1;
    }
    let mut arrays = arrays.into_iter();
    names.map(|name| {
        let mut array = arrays.next().expect("one array per name");
        array.extend_null(n - next);
        StringChunked::with_chunk(name.into(), array.freeze())
            .into_series()
            .into_column()
    })
}

/// Each link's member id and household id, in link order. The links come
/// in row order and their members from anywhere in a roster of millions:
/// what a link reads is asked for a few links ahead (its member; then the
/// member's id text and household; then the household's id), so that the
/// cache misses overlap instead of following one another.
fn member_ids<'r>(
    roster: &'r Roster,
    linked: &'r [crate::link::Link],
) -> impl Iterator<Item = [&'r str; 2]> + 'r {
    use crate::link::prefetch;
    const AHEAD: usize = 4;
    let member = move |k: usize| linked.get(k).map(|l| &roster.members[l.member as usize]);
    let household = move |m: &crate::normalise::Member| &roster.households[m.household as usize];
    let text = |s: &str| {
        if let Some(b) = s.as_bytes().first() {
            prefetch(b);
        }
    };
    (0..linked.len()).map(move |k| {
        if let Some(m) = member(k + 3 * AHEAD) {
            prefetch(&m.id.value);
            prefetch(&m.household);
        }
        if let Some(m) = member(k + 2 * AHEAD) {
            text(m.id_number());
            prefetch(&household(m).household_id);
        }
        if let Some(m) = member(k + AHEAD) {
            text(&household(m).household_id);
        }
        let m = member(k).expect("a link of this range");
        [m.id_number(), household(m).household_id.as_str()]
    })
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
    frame(
        [
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
        ]
        .into_iter()
        .chain(roster_columns(roster, results, &order))
        .collect(),
    )
}

/// What the lists show of the roster beside a decision (docs/DECISIONS.md
/// "Reports read only the output tables"): `area`, `household_size` (members
/// on the roster), the head's id and name (户主: the member marked `head`,
/// else the first listed), and the name of the member `covered_id_number`
/// names. Extra columns of `decisions`, so the reports need no roster.
fn roster_columns(roster: &Roster, results: &[HouseholdResult], order: &[usize]) -> [Column; 5] {
    use rayon::prelude::*;
    let member = |m: u32| &roster.members[m as usize];
    // Found in roster order, where a household's members are near each
    // other; in id order each look-up was a few cache misses.
    let heads: Vec<Option<u32>> = roster
        .households
        .par_iter()
        .map(|h| {
            let is_head = |&&m: &&u32| member(m).relation == Some(crate::schema::Relation::Head);
            h.members
                .iter()
                .find(is_head)
                .or(h.members.first())
                .copied()
        })
        .collect();
    let head = |i: usize| heads[i].map(member);
    let covered_name = |i: usize| {
        let covered = results[i].decision.covered_id_number.as_deref()?;
        let h = &roster.households[i];
        h.members
            .iter()
            .map(|&m| member(m))
            .find(|m| m.id_number() == covered)
            .and_then(|m| m.display_name())
    };
    [
        strings(
            "area",
            order
                .iter()
                .map(|&i| roster.households[i].area.map(|a| a.code())),
        ),
        Column::new(
            "household_size".into(),
            order
                .iter()
                .map(|&i| roster.households[i].members.len() as u32)
                .collect::<Vec<u32>>(),
        ),
        strings(
            "head_id_number",
            order
                .iter()
                .map(|&i| head(i).map(|m| m.id_number()).filter(|id| !id.is_empty())),
        ),
        strings(
            "head_name",
            order
                .iter()
                .map(|&i| head(i).and_then(|m| m.display_name())),
        ),
        strings("covered_name", order.iter().map(|&i| covered_name(i))),
    ]
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
            rows.len(),
            rows.iter()
                .enumerate()
                .filter_map(|(i, (_, f))| f.source.map(|s| (i, (s.method, s.levels)))),
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
    n: usize,
    linked: impl Iterator<Item = (usize, (crate::link::MatchMethod, crate::link::Levels))> + Clone,
) -> [Column; 5] {
    use crate::link::{score, BirthDateLevel, IdLevel, MatchMethod, NameLevel, RegionLevel};
    fn level<T: Copy + PartialEq>(
        name: &str,
        n: usize,
        all: &[T],
        code: fn(T) -> &'static str,
        values: impl Iterator<Item = (usize, Option<T>)>,
    ) -> Column {
        let list: Vec<&'static str> = all.iter().map(|l| code(*l)).collect();
        let present = values.filter_map(|(k, v)| Some((k, position(all, v?))));
        codes_of(&list, sparse(name, n, present))
    }
    let fuzzy = |m: &MatchMethod| matches!(m, MatchMethod::Fuzzy | MatchMethod::FuzzyTie);
    [
        sparse::<Float64Type>(
            "match_weight",
            n,
            linked
                .clone()
                .filter(|(_, (m, _))| fuzzy(m))
                .map(|(k, (_, lv))| (k, score::match_weight(&lv))),
        )
        .into_column(),
        level(
            "id_level",
            n,
            IdLevel::ALL,
            IdLevel::code,
            linked.clone().map(|(k, (_, lv))| (k, Some(lv.id))),
        ),
        level(
            "name_level",
            n,
            NameLevel::ALL,
            NameLevel::code,
            linked.clone().map(|(k, (_, lv))| (k, lv.name)),
        ),
        level(
            "birth_date_level",
            n,
            BirthDateLevel::ALL,
            BirthDateLevel::code,
            linked.clone().map(|(k, (_, lv))| (k, lv.birth_date)),
        ),
        level(
            "region_level",
            n,
            RegionLevel::ALL,
            RegionLevel::code,
            linked.map(|(k, (_, lv))| (k, lv.region)),
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
    use crate::link::{Link, MatchMethod, MatchStatus};
    use crate::schema::Dataset;
    let n = (rows.end - rows.start) as usize;
    let first = l.links.partition_point(|link| link.row_index < rows.start);
    let last = l.links.partition_point(|link| link.row_index < rows.end);
    let linked = &l.links[first..last];
    let at = |link: &Link| (link.row_index - rows.start) as usize;
    // `matches` lists the status codes most trusted first; a row no one
    // was linked to is `unmatched`.
    let statuses: Vec<MatchStatus> = MatchStatus::ALL.iter().rev().copied().collect();
    let mut status = vec![position(&statuses, MatchStatus::Unmatched); n];
    for link in linked {
        status[at(link)] = position(&statuses, link.status);
    }
    let names = |all: &[Dataset]| all.iter().map(|d| d.name()).collect::<Vec<_>>();
    let dataset = position(&Dataset::LINKED, l.dataset);
    let method_codes: Vec<&'static str> = MatchMethod::ALL.iter().map(|m| m.code()).collect();
    let [id_number, household_id] = sparse_strings(
        ["id_number", "household_id"],
        n,
        linked
            .iter()
            .zip(member_ids(roster, linked))
            .map(|(link, ids)| (at(link), ids)),
    );
    frame(
        [
            codes_of(
                &names(&Dataset::LINKED),
                UInt8Chunked::full("dataset".into(), dataset, n),
            ),
            Column::new("row_index".into(), rows.clone().collect::<Vec<u64>>()),
            id_number,
            household_id,
            sparse::<Float64Type>(
                "match_score",
                n,
                linked.iter().map(|link| (at(link), link.score)),
            )
            .into_column(),
            codes_of(
                &method_codes,
                sparse(
                    "match_method",
                    n,
                    linked
                        .iter()
                        .map(|link| (at(link), position(MatchMethod::ALL, link.method))),
                ),
            ),
            codes_of(
                &statuses.iter().map(|s| s.code()).collect::<Vec<_>>(),
                UInt8Chunked::from_vec("status".into(), status),
            ),
        ]
        .into_iter()
        .chain(level_columns(
            n,
            linked
                .iter()
                .map(|link| (at(link), (link.method, link.levels))),
        ))
        .collect(),
    )
}

/// Problems counted per dataset, column and problem, with the first row of
/// each (the lowest `row_index`, then value) and its value: what the reports
/// show (a province has millions of problems; the reports need only these
/// counts). Read from a `data_quality` table, in memory (code columns as
/// Enums) or read back from any run's Parquet (strings, in any row order),
/// so `hedui run` and `hedui report --from` count alike.
pub fn quality_counts(data_quality: &DataFrame) -> Result<DataFrame, super::OutputError> {
    /// Dataset, column, problem.
    type Key<'a> = (&'a str, &'a str, &'a str);
    /// Rows of a key, and its first row with that row's value.
    struct Group<'a> {
        count: u64,
        first: (u64, Option<&'a str>),
    }
    let unusable = |name: &str, e: PolarsError| super::OutputError::ReportColumn {
        frame: "data_quality",
        column: name.to_string(),
        reason: e.to_string(),
    };
    let column = |name: &str| data_quality.column(name).map_err(|e| unusable(name, e));
    let text = |name: &str| texts(column(name)?).map_err(|e| unusable(name, e));
    let (dataset, column_name, problem) = (text("dataset")?, text("column")?, text("problem")?);
    let value = text("value")?;
    let row_index = column("row_index")?
        .cast(&DataType::UInt64)
        .map_err(|e| unusable("row_index", e))?;
    let row_index = row_index.u64().expect("cast to UInt64");
    // Few groups (datasets × columns × problems) of millions of rows: a
    // hash map, sorted into output order at the end.
    let mut groups: std::collections::HashMap<Key, Group, foldhash::fast::FixedState> =
        Default::default();
    let rows = dataset
        .zip(column_name)
        .zip(problem)
        .zip(row_index.iter().zip(value));
    for (((d, c), p), (r, v)) in rows {
        let key = (d.unwrap_or(""), c.unwrap_or(""), p.unwrap_or(""));
        let first = (r.unwrap_or(0), v);
        groups
            .entry(key)
            .and_modify(|g| {
                g.count += 1;
                g.first = g.first.min(first);
            })
            .or_insert(Group { count: 1, first });
    }
    let mut groups: Vec<(Key, Group)> = groups.into_iter().collect();
    groups.sort_unstable_by_key(|g| g.0);
    Ok(frame(vec![
        strings("dataset", groups.iter().map(|g| Some(g.0 .0))),
        strings("column", groups.iter().map(|g| Some(g.0 .1))),
        strings("problem", groups.iter().map(|g| Some(g.0 .2))),
        Column::new(
            "count".into(),
            groups.iter().map(|g| g.1.count).collect::<Vec<u64>>(),
        ),
        Column::new(
            "first_row_index".into(),
            groups.iter().map(|g| g.1.first.0).collect::<Vec<u64>>(),
        ),
        strings("first_value", groups.iter().map(|g| g.1.first.1)),
    ]))
}

/// A text column's values as they are: a code column (a polars Enum, as
/// the run builds `data_quality`) through its categories, without building
/// a string per row (3.7M rows at 1M households), or a string column.
fn texts(c: &Column) -> PolarsResult<Box<dyn Iterator<Item = Option<&str>> + '_>> {
    match c.dtype() {
        DataType::String => Ok(Box::new(c.str()?.iter())),
        DataType::Enum(..) | DataType::Categorical(..) => Ok(Box::new(c.cat8()?.iter_str())),
        other => polars_bail!(SchemaMismatch: "a string column, not {other}"),
    }
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

    /// The counts the reports show are the same from the table in memory
    /// (codes as Enums, sorted) and from a table read back in another row
    /// order (strings, as another engine may write it).
    #[test]
    fn quality_counts_do_not_depend_on_row_order_or_column_types() {
        use crate::quality::{DataQuality, Problem};
        use crate::schema::Dataset;
        let q = |row, column, value: Option<&str>| DataQuality {
            dataset: Dataset::Members,
            row_index: row,
            column,
            problem: Problem::Id(crate::text::IdProblem::BadChecksum),
            value: value.map(str::to_string),
        };
        let mut problems = vec![
            q(7, "id_number", Some("b")),
            q(3, "id_number", Some("a")),
            q(5, "name", None),
            q(3, "id_number", None),
        ];
        let table = quality_frame(&mut problems);
        let counts = quality_counts(&table).unwrap();
        let reversed = table.reverse();
        let as_strings = frame(
            reversed
                .columns()
                .iter()
                .map(|c| c.cast(&DataType::String).unwrap())
                .collect(),
        )
        .with_column(reversed.column("row_index").unwrap().clone())
        .unwrap()
        .clone();
        assert!(counts.equals_missing(&quality_counts(&as_strings).unwrap()));
        let first: Vec<Option<&str>> = counts
            .column("first_value")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            first,
            [None, None],
            "row 3's null value comes before its `a`"
        );
        let n: Vec<Option<u64>> = counts
            .column("count")
            .unwrap()
            .u64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(n, [Some(3), Some(1)]);
    }

    /// Codes in order of first appearance; more than 256 stay plain strings.
    #[test]
    fn sparse_columns_are_null_but_where_given() {
        let scores = sparse::<Float64Type>("match_score", 5, [(1, 0.5), (3, 2.0)]);
        let got: Vec<Option<f64>> = scores.iter().collect();
        assert_eq!(got, [None, Some(0.5), None, Some(2.0), None]);
        let full = sparse::<UInt8Type>("status", 2, [(0, 7), (1, 9)]);
        assert_eq!(full.null_count(), 0);
        assert_eq!(full.iter().collect::<Vec<_>>(), [Some(7), Some(9)]);
        let [ids, households] = sparse_strings(
            ["id_number", "household_id"],
            5,
            [(0, ["a", "h1"]), (4, ["b", "h2"])],
        );
        let got: Vec<Option<&str>> = ids.str().unwrap().iter().collect();
        assert_eq!(got, [Some("a"), None, None, None, Some("b")]);
        let got: Vec<Option<&str>> = households.str().unwrap().iter().collect();
        assert_eq!(got, [Some("h1"), None, None, None, Some("h2")]);
        let [none] = sparse_strings(["none"], 3, []);
        assert_eq!(none.null_count(), 3);
    }

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
