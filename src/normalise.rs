//! Normalise: loaded tables → the roster ([`Household`]s and their
//! [`Member`]s) and the person keys of every extract row, with ids and names
//! normalised and every problem recorded as a `data_quality` row.
//!
//! Architecture invariant: no row is dropped silently. A member whose
//! household does not exist, a second row of a duplicated household id, an
//! unreadable code: each leaves a `data_quality` row, and a household whose
//! roster data cannot be trusted is flagged for manual review
//! (`Household::roster_problems`).

use crate::load::Table;
use crate::quality::{DataQuality, Problem};
use crate::schema::*;
use crate::text::{
    id_birth_date, normalize_id, normalize_id_ref, normalize_name, IdProblem, IdRef, NormalizedId,
    NormalizedName,
};
use chrono::NaiveDate;
use polars::prelude::PlHashMap;
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::str::FromStr;

/// A household of the roster (`households`).
#[derive(Debug, Clone)]
pub struct Household {
    pub row_index: u64,
    pub household_id: String,
    pub region_code: String,
    pub area: Option<Area>,
    pub program: Option<Program>,
    pub status: Option<HouseholdStatus>,
    pub tier: Option<i64>,
    pub single_person_coverage: bool,
    pub benefit_start: Option<NaiveDate>,
    pub phase_out_until: Option<NaiveDate>,
    pub monthly_benefit: Option<Decimal>,
    pub last_review_date: Option<NaiveDate>,
    /// Indices into [`Roster::members`], in member row order.
    pub members: Vec<u32>,
    /// Columns whose values make the roster entry unusable for a decision
    /// (unknown area/program/status, bad region code, no members, an
    /// unreadable amount of a member): the household goes to manual review.
    pub roster_problems: Vec<&'static str>,
}

#[cfg(test)]
impl Household {
    /// A household with only an id and a region code, for tests.
    pub fn bare(household_id: &str, region_code: &str) -> Household {
        Household {
            row_index: 0,
            household_id: household_id.to_string(),
            region_code: region_code.to_string(),
            area: None,
            program: None,
            status: None,
            tier: None,
            single_person_coverage: false,
            benefit_start: None,
            phase_out_until: None,
            monthly_benefit: None,
            last_review_date: None,
            members: Vec::new(),
            roster_problems: Vec::new(),
        }
    }
}

/// Declared monthly amounts of a member (money, yuan).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Declared {
    pub wage: Decimal,
    pub business: Decimal,
    pub property_income: Decimal,
    pub transfer: Decimal,
    pub basic_pension: Decimal,
    pub medical_expense: Decimal,
    pub education_expense: Decimal,
}

/// A household member (`members`).
#[derive(Debug, Clone)]
pub struct Member {
    pub row_index: u64,
    /// Index into [`Roster::households`].
    pub household: u32,
    pub name: Option<String>,
    pub name_norm: Option<String>,
    pub id: NormalizedId,
    pub relation: Option<Relation>,
    pub covered: bool,
    pub disability_grade: Option<i64>,
    pub severe_illness: bool,
    pub labor_capacity: Option<LaborCapacity>,
    pub in_school: bool,
    pub declared: Declared,
}

impl Member {
    /// The normalised id, or "" when the member has none.
    pub fn id_number(&self) -> &str {
        self.id.value.as_deref().unwrap_or("")
    }

    /// Disability grade 1–2 or 重病: raises the asset limit and sets the annual cadence.
    pub fn is_severe(&self) -> bool {
        self.severe_illness || matches!(self.disability_grade, Some(1 | 2))
    }
}

/// Households and members, linked both ways.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    pub households: Vec<Household>,
    pub members: Vec<Member>,
}

/// An extract row's normalised id, borrowing the table's text when it
/// needed no change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowId<'a> {
    pub value: Option<Cow<'a, str>>,
    /// As [`NormalizedId::valid`].
    pub valid: bool,
}

impl RowId<'_> {
    /// The birth date encoded in an 18-character id, if it is a real date.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        id_birth_date(self.value.as_deref()?)
    }
}

impl From<NormalizedId> for RowId<'static> {
    fn from(id: NormalizedId) -> RowId<'static> {
        RowId {
            value: id.value.map(Cow::Owned),
            valid: id.valid,
        }
    }
}

impl<'a> From<IdRef<'a>> for RowId<'a> {
    fn from(id: IdRef<'a>) -> RowId<'a> {
        RowId {
            value: id.value,
            valid: id.valid,
        }
    }
}

/// Who an extract row is about, normalised. One per row, in `row_index` order.
///
/// Names and region codes are only kept for rows whose id is not valid: a
/// valid id links by exact look-up alone (link.rs), and in an extract most
/// rows are about people who are not on the roster at all.
#[derive(Debug, Clone, Default)]
pub struct PersonKeys<'a> {
    pub dataset: Option<Dataset>,
    pub ids: Vec<RowId<'a>>,
    pub names: Vec<Option<String>>,
    pub birth_dates: Vec<Option<NaiveDate>>,
    pub region_codes: Vec<Option<String>>,
}

impl PersonKeys<'_> {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

fn code<T: FromStr>(
    table: &Table,
    column: &'static str,
    row: usize,
    value: Option<&str>,
    quality: &mut Vec<DataQuality>,
) -> Option<T> {
    let v = value?.trim();
    if v.is_empty() {
        return None;
    }
    let parsed = v.parse::<T>().ok();
    if parsed.is_none() {
        quality.push(DataQuality::new(
            table.dataset,
            row as u64,
            column,
            Problem::UnknownCode,
            Some(v.to_string()),
        ));
    }
    parsed
}

fn id_problems(
    dataset: Dataset,
    column: &'static str,
    row: usize,
    raw: Option<&str>,
    id: &NormalizedId,
    quality: &mut Vec<DataQuality>,
) {
    record_id_problems(dataset, column, row, raw, &id.problems, quality);
}

fn record_id_problems(
    dataset: Dataset,
    column: &'static str,
    row: usize,
    raw: Option<&str>,
    problems: &[IdProblem],
    quality: &mut Vec<DataQuality>,
) {
    for p in problems {
        quality.push(DataQuality::new(
            dataset,
            row as u64,
            column,
            Problem::Id(*p),
            raw.map(str::to_string),
        ));
    }
}

fn name_of(
    dataset: Dataset,
    column: &'static str,
    row: usize,
    raw: Option<&str>,
    quality: &mut Vec<DataQuality>,
) -> Option<String> {
    name_problems(dataset, column, row, raw, normalize_name(raw), quality)
}

/// Records a normalised name's problems; returns its value.
fn name_problems(
    dataset: Dataset,
    column: &'static str,
    row: usize,
    raw: Option<&str>,
    n: NormalizedName,
    quality: &mut Vec<DataQuality>,
) -> Option<String> {
    for p in &n.problems {
        quality.push(DataQuality::new(
            dataset,
            row as u64,
            column,
            Problem::Name(*p),
            raw.map(str::to_string),
        ));
    }
    n.value
}

pub fn region_code(raw: Option<&str>) -> Option<String> {
    let t: String = raw?.chars().filter(|c| !c.is_whitespace()).collect();
    (t.len() >= 6 && t.len() <= 12 && t.bytes().all(|b| b.is_ascii_digit())).then_some(t)
}

/// Rows per parallel chunk of the roster tables.
const ROSTER_CHUNK: usize = 16 * 1024;

/// `row` over every row of a table, in parallel chunks; returns what each
/// chunk kept and its problems, chunks in row order. The problems of the
/// chunks, appended in that order, are in row order as a plain loop's.
fn rows_in_chunks<T: Send>(
    height: usize,
    row: impl Fn(usize, &mut Vec<T>, &mut Vec<DataQuality>) + Sync,
) -> Vec<(Vec<T>, Vec<DataQuality>)> {
    (0..height.div_ceil(ROSTER_CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let rows = chunk * ROSTER_CHUNK..((chunk + 1) * ROSTER_CHUNK).min(height);
            let (mut kept, mut quality) = (Vec::with_capacity(rows.len()), Vec::new());
            for r in rows {
                row(r, &mut kept, &mut quality);
            }
            (kept, quality)
        })
        .collect()
}

/// What the first pass over `households` made of a row.
#[derive(Clone, Copy)]
enum HouseholdRow {
    Kept,
    NullId,
    DuplicateId,
}

/// Builds the roster from `households` and `members`.
pub fn roster(households: &Table, members: &Table, quality: &mut Vec<DataQuality>) -> Roster {
    // Sized up front: growing a Vec of 2.4M members by doubling copies it
    // and touches fresh pages at every step (a fifth of a province run's
    // roster stage).
    let mut roster = Roster {
        households: Vec::with_capacity(households.height()),
        members: Vec::with_capacity(members.height()),
    };
    let ids = households.text("household_id");
    // Which row of an id is its household depends on the rows before it:
    // one pass in order, cheap; the rest of each row is its own (below, in
    // parallel). polars' hash map: faster than std's SipHash for millions
    // of short ids; only looked up, never iterated (no order to depend on).
    let mut by_id: PlHashMap<&str, u32> =
        PlHashMap::with_capacity_and_hasher(households.height(), Default::default());
    let kinds: Vec<HouseholdRow> = ids
        .iter()
        .map(|id| match id.map(str::trim).filter(|s| !s.is_empty()) {
            None => HouseholdRow::NullId,
            Some(id) if by_id.contains_key(id) => HouseholdRow::DuplicateId,
            Some(id) => {
                by_id.insert(id, by_id.len() as u32);
                HouseholdRow::Kept
            }
        })
        .collect();

    let regions = households.text("region_code");
    let areas = households.text("area");
    let programs = households.text("program");
    let statuses = households.text("status");
    let tiers = households.int("tier");
    let single = households.boolean("single_person_coverage");
    let benefit_start: Vec<_> = households.date("benefit_start").collect();
    let phase_out_until: Vec<_> = households.date("phase_out_until").collect();
    let benefit: Vec<_> = households.money("monthly_benefit").collect();
    let last_review: Vec<_> = households.date("last_review_date").collect();
    let hh = Dataset::Households;

    let chunks = rows_in_chunks(households.height(), |row, out, quality| {
        let id = ids.get(row).map(str::trim).unwrap_or("");
        match kinds[row] {
            HouseholdRow::Kept => {}
            HouseholdRow::NullId => {
                quality.push(DataQuality::new(
                    hh,
                    row as u64,
                    "household_id",
                    Problem::NullValue,
                    None,
                ));
                return;
            }
            HouseholdRow::DuplicateId => {
                quality.push(DataQuality::new(
                    hh,
                    row as u64,
                    "household_id",
                    Problem::DuplicateHouseholdId,
                    Some(id.to_string()),
                ));
                return;
            }
        }
        let mut roster_problems = Vec::new();
        let region = region_code(regions.get(row));
        if region.is_none() {
            quality.push(DataQuality::new(
                hh,
                row as u64,
                "region_code",
                Problem::BadRegionCode,
                regions.get(row).map(str::to_string),
            ));
            roster_problems.push("region_code");
        }
        let area = code::<Area>(households, "area", row, areas.get(row), quality);
        let program = code::<Program>(households, "program", row, programs.get(row), quality);
        let status = code::<HouseholdStatus>(households, "status", row, statuses.get(row), quality);
        for (column, missing) in [
            ("area", area.is_none()),
            ("program", program.is_none()),
            ("status", status.is_none()),
        ] {
            if missing {
                if quality.last().is_none_or(|q| {
                    q.row_index != row as u64 || q.column != column || q.dataset != hh
                }) {
                    quality.push(DataQuality::new(
                        hh,
                        row as u64,
                        column,
                        Problem::NullValue,
                        None,
                    ));
                }
                roster_problems.push(column);
            }
        }
        if status == Some(HouseholdStatus::PhasingOut) && phase_out_until[row].is_none() {
            quality.push(DataQuality::new(
                hh,
                row as u64,
                "phase_out_until",
                Problem::MissingPhaseOutUntil,
                None,
            ));
            roster_problems.push("phase_out_until");
        }
        out.push(Household {
            row_index: row as u64,
            household_id: id.to_string(),
            region_code: region.unwrap_or_default(),
            area,
            program,
            status,
            tier: tiers.get(row),
            single_person_coverage: single.get(row).unwrap_or(false),
            benefit_start: benefit_start[row],
            phase_out_until: phase_out_until[row],
            monthly_benefit: benefit[row],
            last_review_date: last_review[row],
            members: Vec::new(),
            roster_problems,
        });
    });
    for (kept, q) in chunks {
        roster.households.extend(kept);
        quality.extend(q);
    }

    // Rows whose amounts failed to parse in load: their income is unknown.
    let mut unreadable = vec![false; members.height()];
    for q in quality
        .iter()
        .filter(|q| q.dataset == Dataset::Members && q.problem == Problem::BadMoney)
    {
        if let Some(flag) = unreadable.get_mut(q.row_index as usize) {
            *flag = true;
        }
    }

    let md = Dataset::Members;
    let hh_ids = members.text("household_id");
    let names = members.text("name");
    let id_numbers = members.text("id_number");
    let relations = members.text("relation");
    let covered = members.boolean("covered");
    let grades = members.int("disability_grade");
    let severe = members.boolean("severe_illness");
    let labor = members.text("labor_capacity");
    let school = members.boolean("in_school");
    let money = |c| members.money_by_row(c);
    let [wage, business, property, transfer, pension, medical, education] = [
        "declared_wage",
        "declared_business",
        "declared_property_income",
        "declared_transfer",
        "declared_basic_pension",
        "declared_medical_expense",
        "declared_education_expense",
    ]
    .map(money);
    // Net business and property income may be negative (a loss); the others may not.
    let non_negative =
        |row: usize, column: &'static str, v: Option<Decimal>, quality: &mut Vec<DataQuality>| {
            let v = v.unwrap_or_default();
            if v.is_sign_negative() && !v.is_zero() {
                quality.push(DataQuality::new(
                    md,
                    row as u64,
                    column,
                    Problem::NegativeAmount,
                    Some(v.to_string()),
                ));
                Decimal::ZERO
            } else {
                v
            }
        };

    let households_so_far = &roster.households;
    let chunks = rows_in_chunks(members.height(), |row, out, quality| {
        let hh_id = hh_ids.get(row).map(str::trim).unwrap_or("");
        let Some(&household) = by_id.get(hh_id) else {
            quality.push(DataQuality::new(
                md,
                row as u64,
                "household_id",
                Problem::UnknownHousehold,
                Some(hh_id.to_string()),
            ));
            return;
        };
        let raw_id = id_numbers.get(row);
        let id = normalize_id(raw_id);
        id_problems(md, "id_number", row, raw_id, &id, quality);
        let name = names.get(row).map(str::to_string);
        let name_norm = name_of(md, "name", row, names.get(row), quality);
        let single_person = households_so_far[household as usize].single_person_coverage;
        let is_covered = match covered.get(row) {
            Some(c) => c,
            None => {
                quality.push(DataQuality::new(
                    md,
                    row as u64,
                    "covered",
                    Problem::NullValue,
                    None,
                ));
                !single_person
            }
        };
        let disability_grade = match grades.get(row) {
            Some(g @ 1..=4) => Some(g),
            Some(g) => {
                quality.push(DataQuality::new(
                    md,
                    row as u64,
                    "disability_grade",
                    Problem::OutOfRange,
                    Some(g.to_string()),
                ));
                None
            }
            None => None,
        };
        let declared = Declared {
            wage: non_negative(row, "declared_wage", wage(row), quality),
            business: business(row).unwrap_or_default(),
            property_income: property(row).unwrap_or_default(),
            transfer: non_negative(row, "declared_transfer", transfer(row), quality),
            basic_pension: non_negative(row, "declared_basic_pension", pension(row), quality),
            medical_expense: non_negative(row, "declared_medical_expense", medical(row), quality),
            education_expense: non_negative(
                row,
                "declared_education_expense",
                education(row),
                quality,
            ),
        };
        out.push(Member {
            row_index: row as u64,
            household,
            name,
            name_norm,
            id,
            relation: code(members, "relation", row, relations.get(row), quality),
            covered: is_covered,
            disability_grade,
            severe_illness: severe.get(row).unwrap_or(false),
            labor_capacity: code(members, "labor_capacity", row, labor.get(row), quality),
            in_school: school.get(row).unwrap_or(false),
            declared,
        });
    });
    // Member indices and each household's list follow roster order: in
    // order, after the parallel part.
    for (kept, q) in chunks {
        quality.extend(q);
        for m in kept {
            let index = roster.members.len() as u32;
            let h = &mut roster.households[m.household as usize];
            h.members.push(index);
            if unreadable[m.row_index as usize] && !h.roster_problems.contains(&"declared amounts")
            {
                h.roster_problems.push("declared amounts");
            }
            roster.members.push(m);
        }
    }

    for h in &mut roster.households {
        if h.members.is_empty() {
            quality.push(DataQuality::new(
                hh,
                h.row_index,
                "household_id",
                Problem::NoMembers,
                Some(h.household_id.clone()),
            ));
            h.roster_problems.push("members");
        }
    }
    roster
}

/// Normalises who each row of a linked extract is about.
pub fn person_keys<'a>(table: &'a Table, quality: &mut Vec<DataQuality>) -> PersonKeys<'a> {
    let dataset = table.dataset;
    let (name_col, id_col) = dataset
        .person_columns()
        .expect("linked datasets name a person");
    let names = table.text(name_col);
    let ids = table.text(id_col);
    let regions = table.text("person_region_code");
    let mut keys = PersonKeys {
        dataset: Some(dataset),
        ids: Vec::with_capacity(table.height()),
        names: Vec::with_capacity(table.height()),
        birth_dates: table.date("person_birth_date").collect(),
        region_codes: Vec::with_capacity(table.height()),
    };
    // Problems carry the dataset-wide row_index (a table may be one part).
    let first = table.first_row as usize;
    for (row, ((raw, name), region)) in ids.iter().zip(names.iter()).zip(regions.iter()).enumerate()
    {
        let id = normalize_id_ref(raw);
        record_id_problems(dataset, id_col, first + row, raw, &id.problems, quality);
        if id.valid {
            for p in crate::text::name_problems(name) {
                quality.push(DataQuality::new(
                    dataset,
                    (first + row) as u64,
                    name_col,
                    Problem::Name(p),
                    name.map(str::to_string),
                ));
            }
            keys.names.push(None);
            keys.region_codes.push(None);
        } else {
            keys.names
                .push(name_of(dataset, name_col, first + row, name, quality));
            keys.region_codes
                .push(region.and_then(|r| region_code(Some(r))));
        }
        keys.ids.push(id.into());
    }
    keys
}

/// A row of `staff` (经办人员及村居干部).
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub row_index: u64,
    pub name: Option<String>,
    pub id: NormalizedId,
    pub role: Option<StaffRole>,
    /// Usable 6- to 12-digit code, else `None` (covers no household).
    pub region_code: Option<String>,
}

/// A row of `kinship`: B is A's `relation_of_b_to_a`.
#[derive(Debug, Clone)]
pub struct KinshipRow {
    pub row_index: u64,
    pub a_id: Option<String>,
    pub b_id: Option<String>,
    pub relation_of_b_to_a: Option<Relation>,
    pub source: Option<KinshipSource>,
}

/// A row of `filings` (近亲属备案): the household member is the staff
/// member's `relation`.
#[derive(Debug, Clone)]
pub struct Filing {
    pub row_index: u64,
    pub household_id: String,
    pub staff_id: Option<String>,
    pub relation: Option<Relation>,
}

/// The three near-relative datasets, normalised; an absent dataset is empty.
#[derive(Debug, Clone, Default)]
pub struct Registers {
    pub staff: Vec<StaffMember>,
    pub kinship: Vec<KinshipRow>,
    pub filings: Vec<Filing>,
}

/// `staff` rows with normalised ids; problems go to `data_quality`.
pub fn staff(table: &Table, quality: &mut Vec<DataQuality>) -> Vec<StaffMember> {
    let (names, ids) = (table.text("name"), table.text("id_number"));
    let (roles, regions) = (table.text("role"), table.text("region_code"));
    (0..table.height())
        .map(|row| {
            let raw = ids.get(row);
            let id = normalize_id(raw);
            id_problems(table.dataset, "id_number", row, raw, &id, quality);
            let region = regions.get(row);
            let region_code = region_code(region);
            if region_code.is_none() {
                quality.push(DataQuality::new(
                    table.dataset,
                    row as u64,
                    "region_code",
                    Problem::BadRegionCode,
                    region.map(str::to_string),
                ));
            }
            StaffMember {
                row_index: row as u64,
                name: name_of(table.dataset, "name", row, names.get(row), quality),
                id,
                role: required_code(table, "role", row, roles.get(row), quality),
                region_code,
            }
        })
        .collect()
}

/// `kinship` rows with normalised ids.
pub fn kinship(table: &Table, quality: &mut Vec<DataQuality>) -> Vec<KinshipRow> {
    let (a, b) = (
        table.text("person_a_id_number"),
        table.text("person_b_id_number"),
    );
    let (relations, sources) = (table.text("relation_of_b_to_a"), table.text("source"));
    (0..table.height())
        .map(|row| {
            let mut id = |column: &'static str, raw: Option<&str>| {
                let id = normalize_id(raw);
                id_problems(table.dataset, column, row, raw, &id, quality);
                id.value
            };
            KinshipRow {
                row_index: row as u64,
                a_id: id("person_a_id_number", a.get(row)),
                b_id: id("person_b_id_number", b.get(row)),
                relation_of_b_to_a: required_code(
                    table,
                    "relation_of_b_to_a",
                    row,
                    relations.get(row),
                    quality,
                ),
                source: code(table, "source", row, sources.get(row), quality),
            }
        })
        .collect()
}

/// `filings` rows with normalised staff ids.
pub fn filings(table: &Table, quality: &mut Vec<DataQuality>) -> Vec<Filing> {
    let (households, ids) = (table.text("household_id"), table.text("staff_id_number"));
    let relations = table.text("relation");
    (0..table.height())
        .map(|row| {
            let raw = ids.get(row);
            let id = normalize_id(raw);
            id_problems(table.dataset, "staff_id_number", row, raw, &id, quality);
            let household_id = households.get(row).map(str::trim).unwrap_or("");
            if household_id.is_empty() {
                quality.push(DataQuality::new(
                    table.dataset,
                    row as u64,
                    "household_id",
                    Problem::NullValue,
                    None,
                ));
            }
            Filing {
                row_index: row as u64,
                household_id: household_id.to_string(),
                staff_id: id.value,
                relation: required_code(table, "relation", row, relations.get(row), quality),
            }
        })
        .collect()
}

/// A code that must be present: null is a `null_value` problem.
fn required_code<T: FromStr>(
    table: &Table,
    column: &'static str,
    row: usize,
    value: Option<&str>,
    quality: &mut Vec<DataQuality>,
) -> Option<T> {
    if value.is_none_or(|v| v.trim().is_empty()) {
        quality.push(DataQuality::new(
            table.dataset,
            row as u64,
            column,
            Problem::NullValue,
            None,
        ));
        return None;
    }
    code(table, column, row, value, quality)
}
