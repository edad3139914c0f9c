//! The linking as Spark joins (docs/DISTRIBUTED.md "Linking"): what each
//! side of a join emits, and what is decided after it, all with hedui's
//! linker (`link::route`, `FuzzyRow::keys`, `link::member_keys`,
//! `link::link_candidates`). Frames cross as Parquet bytes (polars here,
//! pyarrow in the job); rows are `(dataset, part, row)` with `row` the row
//! within its file.

use crate::frames::{self, Columns};
use hedui::calendar::RunMonth;
use hedui::link::{self, Candidate, FuzzyRow, Link, LinkStats, Route, Thresholds};
use hedui::load::Discovered;
use hedui::normalise::{self, Roster};
use hedui::schema::Dataset;
use polars::prelude::*;
use std::collections::BTreeMap;

/// What a row adds to its file's `LinkStats` when none of its ids is a
/// member's: the path `route` gives it then. A fuzzy row's are counted
/// when it is scored.
fn missed_stats(route: &Route<'_>, keys: usize) -> LinkStats {
    match route {
        Route::OtherPerson => LinkStats {
            id_other_person: 1,
            ..LinkStats::default()
        },
        Route::Fuzzy(_) if keys == 0 => LinkStats {
            no_key: 1,
            ..LinkStats::default()
        },
        _ => LinkStats::default(),
    }
}

/// The code of a missed row's path (`other`, `fuzzy`, `no_key`).
fn missed_code(route: &Route<'_>, keys: usize) -> &'static str {
    match route {
        Route::OtherPerson => "other",
        Route::Fuzzy(_) if keys == 0 => "no_key",
        _ => "fuzzy",
    }
}

/// The extract side of the joins, for file `k` of `dataset`: per row its
/// normalised id (`id`, `valid`), the id inside its separators when the
/// linker would also try it (`probe1`), its path if no id is a member's
/// (`miss`, with that path's stats), and for the fuzzy path its blocking
/// keys and what the comparisons read (`f_*`).
/// Birth dates after `month` are not linked on, as in `hedui run`.
pub fn extract_rows(
    data: &Discovered,
    (dataset, k): (Dataset, usize),
    month: RunMonth,
) -> PolarsResult<DataFrame> {
    let mut quality = Vec::new();
    let table = data
        .read_part(dataset, k, &mut quality)
        .map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
    let mut keys = normalise::person_keys(&table, &mut quality);
    normalise::drop_births_after(month, &mut keys, table.first_row, &mut quality);
    let mut out = Columns::default();
    let mut row_keys = Vec::new();
    for row in 0..keys.len() {
        let id = &keys.ids[row];
        let mut probes = Vec::new();
        let route = link::route(id.value.as_deref(), id.valid, |t| {
            probes.push(t.to_string());
            None
        });
        row_keys.clear();
        let fuzzy = match &route {
            Route::Fuzzy(text) => {
                let r = FuzzyRow::of(&keys, row, text.as_deref());
                r.keys(&mut row_keys);
                Some(r)
            }
            _ => None,
        };
        out.text("dataset", Some(dataset.name()));
        out.int("part", Some(k as i64));
        out.int("row", Some(row as i64));
        out.text("id", id.value.as_deref());
        out.flag("valid", id.valid);
        out.text("probe1", probes.get(1).map(String::as_str));
        out.text("miss", Some(missed_code(&route, row_keys.len())));
        let fuzzy = fuzzy.filter(|_| !row_keys.is_empty());
        let keys_of_row: Vec<i64> = row_keys.iter().map(|&k| k as i64).collect();
        out.keys("keys", fuzzy.is_some().then_some(keys_of_row.as_slice()));
        fuzzy_row_columns(&mut out, fuzzy.as_ref());
        out.stats(&missed_stats(&route, row_keys.len()));
    }
    out.frame()
}

fn fuzzy_row_columns(out: &mut Columns, row: Option<&FuzzyRow<'_>>) {
    out.text("f_id", row.and_then(|r| r.id));
    out.text("f_name", row.and_then(|r| r.name));
    out.date("f_birth", row.and_then(|r| r.birth_date));
    out.date("f_id_birth", row.and_then(|r| r.id_birth_date));
    out.text("f_region", row.and_then(|r| r.region));
}

/// The member side of the joins, for members `range` of the roster: each
/// member's normalised id, blocking keys (as the single-node index holds
/// them) and what the comparisons read of it (`Candidate`).
pub fn member_rows(
    roster: &Roster,
    thresholds: &[Thresholds],
    range: std::ops::Range<usize>,
) -> PolarsResult<DataFrame> {
    let mut out = Columns::default();
    let mut keys = Vec::new();
    for m in range {
        let c = Candidate::of(roster, m as u32, thresholds);
        link::member_keys(roster, &roster.members[m], &mut keys);
        let keys: Vec<i64> = keys.iter().map(|&k| k as i64).collect();
        out.int("member", Some(m as i64));
        out.text("id", c.id.as_deref());
        out.date("birth", c.birth_date);
        out.text("region", c.region.as_deref());
        out.text("name", c.name_norm.as_deref());
        out.float("accept", c.thresholds.accept);
        out.float("review", c.thresholds.review);
        out.keys("keys", Some(&keys));
    }
    out.frame()
}

/// A file's row: `(dataset, part, row)`.
type RowRef = (String, i64, i64);

/// The rows of `frame` grouped by their `(dataset, part, row)`, in order.
fn groups(frame: &DataFrame) -> PolarsResult<BTreeMap<RowRef, Vec<usize>>> {
    let (d, p, r) = (
        frames::texts(frame, "dataset")?,
        frames::ints(frame, "part")?,
        frames::ints(frame, "row")?,
    );
    let mut out: BTreeMap<RowRef, Vec<usize>> = BTreeMap::new();
    for i in 0..frame.height() {
        let key = (
            d[i].clone().unwrap_or_default(),
            p[i].unwrap_or(0),
            r[i].unwrap_or(0),
        );
        out.entry(key).or_default().push(i);
    }
    Ok(out)
}

/// The exact path after the join on ids: `frame` has a row per (extract
/// row, id that is a member's): the row's `id`, `valid` and `miss`, the id
/// looked up (`probe`), its first member (`first`) and whether others
/// share it (`shared`). Each row's link is `route`'s with those finds; its
/// stats count it `id_exact` and take back what its miss counted.
pub fn exact_links(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let (ids, valid, miss) = (
        frames::texts(frame, "id")?,
        frames::flags(frame, "valid")?,
        frames::texts(frame, "miss")?,
    );
    let (probes, first, shared) = (
        frames::texts(frame, "probe")?,
        frames::ints(frame, "first")?,
        frames::flags(frame, "shared")?,
    );
    let mut out = Columns::default();
    for ((dataset, part, row), at) in groups(frame)? {
        let i = at[0];
        let found = |t: &str| {
            at.iter()
                .find(|&&j| probes[j].as_deref() == Some(t))
                .map(|&j| (first[j].unwrap_or(0) as u32, shared[j]))
        };
        let Route::Exact { member, shared } = link::route(ids[i].as_deref(), valid[i], found)
        else {
            continue;
        };
        let link = link::exact(row as u64, member, shared);
        let took_back = |code: &str| -i64::from(miss[i].as_deref() == Some(code));
        link_row(&mut out, &dataset, part, Some(&link));
        out.counts([1, took_back("other"), 0, took_back("no_key"), 0, 0]);
    }
    out.frame()
}

/// The fuzzy path after the join on blocking keys: `frame` has a row per
/// (fuzzy row, candidate member): the row's `f_*` columns and `skewed`
/// (its keys over `MAX_BLOCK` members), the candidate's `c_*` columns
/// (null: the row met no member). Each row is scored by
/// `link::link_candidates`.
pub fn fuzzy_links(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let f = FuzzyColumns::of(frame)?;
    let mut out = Columns::default();
    for ((dataset, part, row), at) in groups(frame)? {
        let i = at[0];
        let fuzzy_row = FuzzyRow {
            id: f.id[i].as_deref(),
            name: f.name[i].as_deref(),
            birth_date: f.birth[i],
            id_birth_date: f.id_birth[i],
            region: f.region[i].as_deref(),
        };
        let mut candidates: Vec<Candidate> = at.iter().filter_map(|&j| f.candidate(j)).collect();
        let skewed = f.skewed[i].unwrap_or(0) as u64;
        let (link, stats) =
            link::link_candidates(&fuzzy_row, row as usize, &mut candidates, skewed);
        link_row(&mut out, &dataset, part, link.as_ref());
        out.stats(&stats);
    }
    out.frame()
}

/// The columns `fuzzy_links` reads.
struct FuzzyColumns {
    id: Vec<Option<String>>,
    name: Vec<Option<String>>,
    birth: Vec<Option<chrono::NaiveDate>>,
    id_birth: Vec<Option<chrono::NaiveDate>>,
    region: Vec<Option<String>>,
    skewed: Vec<Option<i64>>,
    member: Vec<Option<i64>>,
    c_id: Vec<Option<String>>,
    c_birth: Vec<Option<chrono::NaiveDate>>,
    c_region: Vec<Option<String>>,
    c_name: Vec<Option<String>>,
    accept: Vec<Option<f64>>,
    review: Vec<Option<f64>>,
}

impl FuzzyColumns {
    fn of(frame: &DataFrame) -> PolarsResult<FuzzyColumns> {
        Ok(FuzzyColumns {
            id: frames::texts(frame, "f_id")?,
            name: frames::texts(frame, "f_name")?,
            birth: frames::dates(frame, "f_birth")?,
            id_birth: frames::dates(frame, "f_id_birth")?,
            region: frames::texts(frame, "f_region")?,
            skewed: frames::ints(frame, "skewed")?,
            member: frames::ints(frame, "c_member")?,
            c_id: frames::texts(frame, "c_id")?,
            c_birth: frames::dates(frame, "c_birth")?,
            c_region: frames::texts(frame, "c_region")?,
            c_name: frames::texts(frame, "c_name")?,
            accept: frames::floats(frame, "c_accept")?,
            review: frames::floats(frame, "c_review")?,
        })
    }

    fn candidate(&self, j: usize) -> Option<Candidate> {
        Some(Candidate {
            member: self.member[j]? as u32,
            id: self.c_id[j].clone(),
            birth_date: self.c_birth[j],
            region: self.c_region[j].clone(),
            name_norm: self.c_name[j].clone(),
            thresholds: Thresholds {
                accept: self.accept[j].unwrap_or(Thresholds::DEFAULT.accept),
                review: self.review[j].unwrap_or(Thresholds::DEFAULT.review),
            },
        })
    }
}

/// One row of the links table: the row and its link (all null: none).
fn link_row(out: &mut Columns, dataset: &str, part: i64, link: Option<&Link>) {
    out.text("dataset", Some(dataset));
    out.int("part", Some(part));
    out.int("row", link.map(|l| l.row_index as i64));
    out.int("member", link.map(|l| i64::from(l.member)));
    out.opt_float("score", link.map(|l| l.score));
    out.text("method", link.map(|l| l.method.code()));
    out.text("status", link.map(|l| l.status.code()));
    out.text("id_level", link.map(|l| l.levels.id.code()));
    let levels = link.map(|l| l.levels);
    out.text("name_level", levels.and_then(|l| l.name).map(|x| x.code()));
    let birth = levels.and_then(|l| l.birth_date).map(|x| x.code());
    out.text("birth_level", birth);
    out.text(
        "region_level",
        levels.and_then(|l| l.region).map(|x| x.code()),
    );
}

/// The links of one file back from the links table's rows (`member` not
/// null), sorted by row.
pub fn links_of(frame: &DataFrame) -> PolarsResult<Vec<Link>> {
    use hedui::link::{
        BirthDateLevel, IdLevel, Levels, MatchMethod, MatchStatus, NameLevel, RegionLevel,
    };
    let text = |name: &str| frames::texts(frame, name);
    let (rows, members, scores) = (
        frames::ints(frame, "row")?,
        frames::ints(frame, "member")?,
        frames::floats(frame, "score")?,
    );
    let (method, status, id, name, birth, region) = (
        text("method")?,
        text("status")?,
        text("id_level")?,
        text("name_level")?,
        text("birth_level")?,
        text("region_level")?,
    );
    let bad = || PolarsError::ComputeError("a link code the job did not write".into());
    let mut links = Vec::new();
    for i in 0..frame.height() {
        let Some(member) = members[i] else { continue };
        let code = |v: &Option<String>| v.as_deref().unwrap_or_default().to_string();
        links.push(Link {
            row_index: rows[i].unwrap_or(0) as u64,
            member: member as u32,
            score: scores[i].unwrap_or(0.0),
            method: MatchMethod::from_code(&code(&method[i])).ok_or_else(bad)?,
            status: MatchStatus::from_code(&code(&status[i])).ok_or_else(bad)?,
            levels: Levels {
                id: IdLevel::from_code(&code(&id[i])).ok_or_else(bad)?,
                name: name[i].as_deref().and_then(NameLevel::from_code),
                birth_date: birth[i].as_deref().and_then(BirthDateLevel::from_code),
                region: region[i].as_deref().and_then(RegionLevel::from_code),
            },
        });
    }
    links.sort_by_key(|l| l.row_index);
    Ok(links)
}
