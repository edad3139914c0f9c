//! The linked rows of one extract file bound for one partition of
//! households, as one Parquet blob: the rows in their canonical types (as
//! `load` made them), each row's link, and the problems recorded on it.
//! Polars writes and reads it, so no value changes type on the way through
//! Spark's shuffle, which only moves the bytes.

use hedui::link::{
    BirthDateLevel, IdLevel, Levels, Link, MatchMethod, MatchStatus, NameLevel, RegionLevel,
};
use hedui::load::Table;
use hedui::quality::{DataQuality, Problem};
use hedui::schema::Dataset;
use polars::prelude::*;
use std::io::Cursor;

const ROW_INDEX: &str = "__row_index";
const MEMBER: &str = "__member";
const SCORE: &str = "__score";
const METHOD: &str = "__method";
const STATUS: &str = "__status";
const LEVELS: [&str; 4] = [
    "__id_level",
    "__name_level",
    "__birth_date_level",
    "__region_level",
];
/// Per row: its problems, one `column\tproblem\tvalue` line each (value
/// absent: no tab).
const PROBLEMS: &str = "__problems";

/// Encodes the rows of `table` behind `links` (all in the table), with
/// the problems `quality` holds on them.
pub fn encode(table: &Table, links: &[Link], quality: &[DataQuality]) -> PolarsResult<Vec<u8>> {
    let positions: Vec<u32> = links
        .iter()
        .map(|l| (l.row_index - table.first_row) as u32)
        .collect();
    let mut frame = table.take(&positions).frame;
    let problems = problems_by_row(links, quality);
    let level = |f: fn(&Levels) -> Option<&'static str>| -> Vec<Option<&'static str>> {
        links.iter().map(|l| f(&l.levels)).collect()
    };
    let extra = [
        Column::new(
            ROW_INDEX.into(),
            links.iter().map(|l| l.row_index).collect::<Vec<_>>(),
        ),
        Column::new(
            MEMBER.into(),
            links.iter().map(|l| l.member).collect::<Vec<_>>(),
        ),
        Column::new(
            SCORE.into(),
            links.iter().map(|l| l.score).collect::<Vec<_>>(),
        ),
        Column::new(
            METHOD.into(),
            links.iter().map(|l| l.method.code()).collect::<Vec<_>>(),
        ),
        Column::new(
            STATUS.into(),
            links.iter().map(|l| l.status.code()).collect::<Vec<_>>(),
        ),
        Column::new(LEVELS[0].into(), level(|l| Some(l.id.code()))),
        Column::new(LEVELS[1].into(), level(|l| l.name.map(|x| x.code()))),
        Column::new(LEVELS[2].into(), level(|l| l.birth_date.map(|x| x.code()))),
        Column::new(LEVELS[3].into(), level(|l| l.region.map(|x| x.code()))),
        Column::new(PROBLEMS.into(), problems),
    ];
    for c in extra {
        frame.with_column(c)?;
    }
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut frame)?;
    Ok(bytes)
}

/// Each linked row's problems as text lines (`None`: none).
fn problems_by_row(links: &[Link], quality: &[DataQuality]) -> Vec<Option<String>> {
    let mut by_row: std::collections::HashMap<u64, String> = Default::default();
    let linked: std::collections::HashSet<u64> = links.iter().map(|l| l.row_index).collect();
    for q in quality.iter().filter(|q| linked.contains(&q.row_index)) {
        let line = by_row.entry(q.row_index).or_default();
        if !line.is_empty() {
            line.push('\n');
        }
        line.push_str(q.column);
        line.push('\t');
        line.push_str(q.problem.code());
        if let Some(v) = &q.value {
            line.push('\t');
            line.push_str(&v.replace(['\n', '\t'], " "));
        }
    }
    links.iter().map(|l| by_row.remove(&l.row_index)).collect()
}

/// A decoded blob: the rows (one per link, in link order), their links
/// and the problems recorded on them.
pub struct Decoded {
    pub rows: Table,
    pub links: Vec<Link>,
    pub quality: Vec<DataQuality>,
}

/// Decodes a blob of `dataset`; `member` renumbers the links' members.
pub fn decode(
    dataset: Dataset,
    bytes: &[u8],
    member: impl Fn(u32) -> u32,
) -> PolarsResult<Decoded> {
    let frame = ParquetReader::new(Cursor::new(bytes)).finish()?;
    let text = |name: &str| -> PolarsResult<Vec<Option<String>>> {
        Ok(frame
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let rows_index: Vec<u64> = frame
        .column(ROW_INDEX)?
        .u64()?
        .into_no_null_iter()
        .collect();
    let members: Vec<u32> = frame.column(MEMBER)?.u32()?.into_no_null_iter().collect();
    let scores: Vec<f64> = frame.column(SCORE)?.f64()?.into_no_null_iter().collect();
    let (methods, statuses) = (text(METHOD)?, text(STATUS)?);
    let levels: Vec<Vec<Option<String>>> = LEVELS
        .iter()
        .map(|l| text(l))
        .collect::<PolarsResult<_>>()?;
    let problems = text(PROBLEMS)?;
    let code = |v: &Option<String>| v.as_deref().unwrap_or_default().to_string();
    let mut links = Vec::with_capacity(frame.height());
    let mut quality = Vec::new();
    for i in 0..frame.height() {
        let at = |k: usize| levels[k][i].as_deref();
        links.push(Link {
            row_index: rows_index[i],
            member: member(members[i]),
            score: scores[i],
            method: MatchMethod::from_code(&code(&methods[i])).expect("written by encode"),
            status: MatchStatus::from_code(&code(&statuses[i])).expect("written by encode"),
            levels: Levels {
                id: IdLevel::from_code(at(0).unwrap_or_default()).expect("written by encode"),
                name: at(1).and_then(NameLevel::from_code),
                birth_date: at(2).and_then(BirthDateLevel::from_code),
                region: at(3).and_then(RegionLevel::from_code),
            },
        });
        for line in problems[i].iter().flat_map(|p| p.split('\n')) {
            quality.extend(problem_of(dataset, rows_index[i], line));
        }
    }
    let columns: Vec<Column> = dataset
        .columns()
        .iter()
        .map(|c| frame.column(c.name).cloned())
        .collect::<PolarsResult<_>>()?;
    let rows = Table {
        dataset,
        frame: DataFrame::new(frame.height(), columns)?,
        files: Vec::new(),
        first_row: 0,
    };
    Ok(Decoded {
        rows,
        links,
        quality,
    })
}

/// One problem line back as a `data_quality` row.
fn problem_of(dataset: Dataset, row_index: u64, line: &str) -> Option<DataQuality> {
    let mut parts = line.splitn(3, '\t');
    let column = parts.next()?;
    let column = dataset
        .columns()
        .into_iter()
        .find(|c| c.name == column)?
        .name;
    let problem = Problem::from_code(parts.next()?)?;
    let value = parts.next().map(str::to_string);
    Some(DataQuality::new(dataset, row_index, column, problem, value))
}
