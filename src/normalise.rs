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
use polars::prelude::{BooleanChunked, Int64Chunked, PlHashMap, StringChunked};
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

#[cfg(test)]
impl Member {
    /// A covered member of `household` with nothing else known, for tests.
    pub fn bare(row_index: u64, household: u32) -> Member {
        Member {
            row_index,
            household,
            name: None,
            name_norm: None,
            id: normalize_id(None),
            relation: None,
            covered: true,
            disability_grade: None,
            severe_illness: false,
            labor_capacity: None,
            in_school: false,
            declared: Declared::default(),
        }
    }

    /// A covered adult head of household with no income, for tests.
    pub fn adult() -> Member {
        Member {
            row_index: 0,
            household: 0,
            name: Some("王芳".into()),
            name_norm: Some("王芳".into()),
            id: normalize_id(Some("11010519491231002X")),
            relation: Some(Relation::Head),
            covered: true,
            disability_grade: None,
            severe_illness: false,
            labor_capacity: Some(LaborCapacity::Full),
            in_school: false,
            declared: Default::default(),
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

    /// The name as the lists show it: as given, without surrounding spaces.
    pub fn display_name(&self) -> Option<&str> {
        self.name.as_deref().map(str::trim)
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HouseholdRow {
    Kept,
    NullId,
    DuplicateId,
}

/// Builds the roster from `households` and `members`.
pub fn roster(households: &Table, members: &Table, quality: &mut Vec<DataQuality>) -> Roster {
    let mut roster = Roster {
        households: Vec::new(),
        members: Vec::new(),
    };
    let (by_id, kinds) = household_index(households.text("household_id"));
    let columns = HouseholdColumns::of(households);
    let unreadable = unreadable_values(HOUSEHOLDS, quality);
    let (kept, problems): (Vec<_>, Vec<_>) =
        rows_in_chunks(households.height(), |row, out, quality| {
            let unreadable = unreadable.get(&(row as u64)).map_or(&[][..], Vec::as_slice);
            out.extend(columns.household(row, kinds[row], unreadable, quality));
        })
        .into_iter()
        .unzip();
    roster.households = crate::parallel::concat(kept);
    quality.extend(problems.into_iter().flatten());
    let unreadable = unreadable_values(MEMBERS, quality);
    let columns = member_columns(members);
    let households_so_far = &roster.households;
    let chunks = rows_in_chunks(members.height(), |row, out, quality| {
        out.extend(columns.member(row, &by_id, households_so_far, quality));
    });
    attach_members(&mut roster, chunks, &unreadable, quality);
    flag_empty_households(&mut roster.households, quality);
    roster
}

/// Which household (index into the roster) each `household_id` is, and
/// what became of each row. Which row of an id is its household depends on
/// the rows before it: one pass in order, cheap; the rest of each row is
/// its own (in parallel). polars' hash map: faster than std's SipHash for
/// millions of short ids; only looked up, never iterated (no order to
/// depend on).
fn household_index(ids: &StringChunked) -> (PlHashMap<&str, u32>, Vec<HouseholdRow>) {
    let mut by_id: PlHashMap<&str, u32> =
        PlHashMap::with_capacity_and_hasher(ids.len(), Default::default());
    let kinds = ids
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
    (by_id, kinds)
}

/// The columns of `households`, read once.
struct HouseholdColumns<'a> {
    table: &'a Table,
    ids: &'a StringChunked,
    regions: &'a StringChunked,
    areas: &'a StringChunked,
    programs: &'a StringChunked,
    statuses: &'a StringChunked,
    tiers: &'a Int64Chunked,
    single: &'a BooleanChunked,
    benefit_start: Vec<Option<NaiveDate>>,
    phase_out_until: Vec<Option<NaiveDate>>,
    benefit: Vec<Option<Decimal>>,
    last_review: Vec<Option<NaiveDate>>,
}

impl<'a> HouseholdColumns<'a> {
    fn of(table: &'a Table) -> HouseholdColumns<'a> {
        HouseholdColumns {
            table,
            ids: table.text("household_id"),
            regions: table.text("region_code"),
            areas: table.text("area"),
            programs: table.text("program"),
            statuses: table.text("status"),
            tiers: table.int("tier"),
            single: table.boolean("single_person_coverage"),
            benefit_start: table.date("benefit_start").collect(),
            phase_out_until: table.date("phase_out_until").collect(),
            benefit: table.money("monthly_benefit").collect(),
            last_review: table.date("last_review_date").collect(),
        }
    }

    /// The household of `row`, or `None` (and a problem) for a row without
    /// an id or with an id seen before.
    fn household(
        &self,
        row: usize,
        kind: HouseholdRow,
        unreadable: &[&'static str],
        quality: &mut Vec<DataQuality>,
    ) -> Option<Household> {
        let id = self.ids.get(row).map(str::trim).unwrap_or("");
        let problem = |problem, value| {
            DataQuality::new(HOUSEHOLDS, row as u64, "household_id", problem, value)
        };
        match kind {
            HouseholdRow::Kept => {}
            HouseholdRow::NullId => {
                quality.push(problem(Problem::NullValue, None));
                return None;
            }
            HouseholdRow::DuplicateId => {
                quality.push(problem(Problem::DuplicateHouseholdId, Some(id.to_string())));
                return None;
            }
        }
        // Values load could not read (an unparsable or implausible date or
        // amount): no decision rests on them (rules.md R-DATA-QUALITY).
        let mut roster_problems = unreadable.to_vec();
        let tier = self.tiers.get(row);
        if let Some(t) = tier.filter(|t| !(1..=4).contains(t)) {
            quality.push(DataQuality::new(
                HOUSEHOLDS,
                row as u64,
                "tier",
                Problem::OutOfRange,
                Some(t.to_string()),
            ));
            roster_problems.push("tier");
        }
        let region = region_code(self.regions.get(row));
        if region.is_none() {
            let raw = self.regions.get(row).map(str::to_string);
            quality.push(DataQuality::new(
                HOUSEHOLDS,
                row as u64,
                "region_code",
                Problem::BadRegionCode,
                raw,
            ));
            roster_problems.push("region_code");
        }
        let t = self.table;
        let area = code::<Area>(t, "area", row, self.areas.get(row), quality);
        let program = code::<Program>(t, "program", row, self.programs.get(row), quality);
        let status = code::<HouseholdStatus>(t, "status", row, self.statuses.get(row), quality);
        for (column, missing) in [
            ("area", area.is_none()),
            ("program", program.is_none()),
            ("status", status.is_none()),
        ] {
            if missing {
                null_unless_reported(row, column, quality);
                roster_problems.push(column);
            }
        }
        if status == Some(HouseholdStatus::PhasingOut) && self.phase_out_until[row].is_none() {
            quality.push(DataQuality::new(
                HOUSEHOLDS,
                row as u64,
                "phase_out_until",
                Problem::MissingPhaseOutUntil,
                None,
            ));
            roster_problems.push("phase_out_until");
        }
        Some(Household {
            row_index: row as u64,
            household_id: id.to_string(),
            region_code: region.unwrap_or_default(),
            area,
            program,
            status,
            tier: tier.filter(|t| (1..=4).contains(t)),
            single_person_coverage: self.single.get(row).unwrap_or(false),
            benefit_start: self.benefit_start[row],
            phase_out_until: self.phase_out_until[row],
            monthly_benefit: self.benefit[row],
            last_review_date: self.last_review[row],
            members: Vec::new(),
            roster_problems,
        })
    }
}

const HOUSEHOLDS: Dataset = Dataset::Households;
const MEMBERS: Dataset = Dataset::Members;

/// A `null_value` problem for a household's empty code column, unless the
/// column's value was already reported (as an unknown code).
fn null_unless_reported(row: usize, column: &'static str, quality: &mut Vec<DataQuality>) {
    if quality
        .last()
        .is_none_or(|q| q.row_index != row as u64 || q.column != column || q.dataset != HOUSEHOLDS)
    {
        quality.push(DataQuality::new(
            HOUSEHOLDS,
            row as u64,
            column,
            Problem::NullValue,
            None,
        ));
    }
}

/// Whether a problem leaves a roster value a decision needs unreadable
/// (rules.md R-DATA-QUALITY): an id that is missing or still invalid, a
/// value load could not read or found implausible, a grade or tier out of
/// range, a birth date after the run month. Repaired ids, names, unknown
/// relation codes and negative declared amounts (read as 0) are not.
pub fn leaves_roster_unreadable(problem: Problem) -> bool {
    match problem {
        Problem::Id(p) => !p.is_repaired(),
        Problem::BadMoney
        | Problem::BadDate
        | Problem::BadBool
        | Problem::BadNumber
        | Problem::OutOfRange
        | Problem::ImplausibleDate
        | Problem::ImplausibleAmount
        | Problem::NotFinite
        | Problem::BirthAfterRunMonth => true,
        _ => false,
    }
}

/// The rows of `dataset` with a value load could not read, and those
/// values' columns, in the order found (few: a map, not a row-sized list).
fn unreadable_values(
    dataset: Dataset,
    quality: &[DataQuality],
) -> std::collections::BTreeMap<u64, Vec<&'static str>> {
    let mut rows = std::collections::BTreeMap::<u64, Vec<&'static str>>::new();
    for q in quality
        .iter()
        .filter(|q| q.dataset == dataset && leaves_roster_unreadable(q.problem))
    {
        let columns = rows.entry(q.row_index).or_default();
        if !columns.contains(&q.column) {
            columns.push(q.column);
        }
    }
    rows
}

/// The declared amounts of `members`, in [`Declared`]'s order.
const DECLARED: [&str; 7] = [
    "declared_wage",
    "declared_business",
    "declared_property_income",
    "declared_transfer",
    "declared_basic_pension",
    "declared_medical_expense",
    "declared_education_expense",
];

/// The columns of `members`, read once; `M` reads one declared amount.
struct MemberColumns<'a, M> {
    table: &'a Table,
    household_ids: &'a StringChunked,
    names: &'a StringChunked,
    id_numbers: &'a StringChunked,
    relations: &'a StringChunked,
    covered: &'a BooleanChunked,
    grades: &'a Int64Chunked,
    severe: &'a BooleanChunked,
    labor: &'a StringChunked,
    school: &'a BooleanChunked,
    declared: [M; 7],
}

/// The columns of `members`, read once.
fn member_columns<'a>(
    table: &'a Table,
) -> MemberColumns<'a, impl Fn(usize) -> Option<Decimal> + Sync + 'a> {
    MemberColumns {
        table,
        household_ids: table.text("household_id"),
        names: table.text("name"),
        id_numbers: table.text("id_number"),
        relations: table.text("relation"),
        covered: table.boolean("covered"),
        grades: table.int("disability_grade"),
        severe: table.boolean("severe_illness"),
        labor: table.text("labor_capacity"),
        school: table.boolean("in_school"),
        declared: DECLARED.map(|c| table.money_by_row(c)),
    }
}

impl<M: Fn(usize) -> Option<Decimal>> MemberColumns<'_, M> {
    /// The member of `row`, or `None` (and a problem) for a row whose
    /// household is not on the roster.
    fn member(
        &self,
        row: usize,
        by_id: &PlHashMap<&str, u32>,
        households: &[Household],
        quality: &mut Vec<DataQuality>,
    ) -> Option<Member> {
        let hh_id = self.household_ids.get(row).map(str::trim).unwrap_or("");
        let Some(&household) = by_id.get(hh_id) else {
            let value = Some(hh_id.to_string());
            quality.push(DataQuality::new(
                MEMBERS,
                row as u64,
                "household_id",
                Problem::UnknownHousehold,
                value,
            ));
            return None;
        };
        let raw_id = self.id_numbers.get(row);
        let id = normalize_id(raw_id);
        id_problems(MEMBERS, "id_number", row, raw_id, &id, quality);
        let name = self.names.get(row).map(str::to_string);
        let name_norm = name_of(MEMBERS, "name", row, self.names.get(row), quality);
        let covered = self.covered.get(row).unwrap_or_else(|| {
            quality.push(DataQuality::new(
                MEMBERS,
                row as u64,
                "covered",
                Problem::NullValue,
                None,
            ));
            // Unknown: covered, unless 单人保 covers one member only.
            !households[household as usize].single_person_coverage
        });
        let disability_grade = disability_grade(row, self.grades.get(row), quality);
        let declared = self.declared(row, quality);
        let t = self.table;
        Some(Member {
            row_index: row as u64,
            household,
            name,
            name_norm,
            id,
            relation: code(t, "relation", row, self.relations.get(row), quality),
            covered,
            disability_grade,
            severe_illness: self.severe.get(row).unwrap_or(false),
            labor_capacity: code(t, "labor_capacity", row, self.labor.get(row), quality),
            in_school: self.school.get(row).unwrap_or(false),
            declared,
        })
    }

    /// The declared amounts of `row`. Net business and property income may
    /// be negative (a loss); the others may not (a problem, read as zero).
    fn declared(&self, row: usize, quality: &mut Vec<DataQuality>) -> Declared {
        let [wage, business, property, transfer, pension, medical, education] =
            std::array::from_fn(|k| (self.declared[k])(row));
        let mut non_negative =
            |k: usize, v: Option<Decimal>| non_negative(row, DECLARED[k], v, quality);
        Declared {
            wage: non_negative(0, wage),
            business: business.unwrap_or_default(),
            property_income: property.unwrap_or_default(),
            transfer: non_negative(3, transfer),
            basic_pension: non_negative(4, pension),
            medical_expense: non_negative(5, medical),
            education_expense: non_negative(6, education),
        }
    }
}

/// A declared amount that may not be negative: a negative one is a problem
/// and reads as zero; a missing one is zero.
fn non_negative(
    row: usize,
    column: &'static str,
    v: Option<Decimal>,
    quality: &mut Vec<DataQuality>,
) -> Decimal {
    let v = v.unwrap_or_default();
    if v.is_sign_negative() && !v.is_zero() {
        quality.push(DataQuality::new(
            MEMBERS,
            row as u64,
            column,
            Problem::NegativeAmount,
            Some(v.to_string()),
        ));
        Decimal::ZERO
    } else {
        v
    }
}

/// A disability grade of 1–4; any other is a problem and reads as none.
fn disability_grade(row: usize, grade: Option<i64>, quality: &mut Vec<DataQuality>) -> Option<i64> {
    match grade {
        Some(g @ 1..=4) => Some(g),
        Some(g) => {
            quality.push(DataQuality::new(
                MEMBERS,
                row as u64,
                "disability_grade",
                Problem::OutOfRange,
                Some(g.to_string()),
            ));
            None
        }
        None => None,
    }
}

/// Appends the members of each chunk to the roster and to their
/// households' lists, in roster order (after the parallel part). A member
/// whose id cannot be used (its holdings cannot be found: nothing about
/// them was checked) or with a value that could not be read makes its
/// household's roster entry unusable (rules.md R-DATA-QUALITY).
fn attach_members(
    roster: &mut Roster,
    chunks: Vec<(Vec<Member>, Vec<DataQuality>)>,
    unreadable: &std::collections::BTreeMap<u64, Vec<&'static str>>,
    quality: &mut Vec<DataQuality>,
) {
    let (kept, problems): (Vec<_>, Vec<_>) = chunks.into_iter().unzip();
    roster.members = crate::parallel::concat(kept);
    // The chunks' problems, one after another, are in row order.
    let problems: Vec<DataQuality> = problems.into_iter().flatten().collect();
    let mut found = problems
        .iter()
        .filter(|p| p.dataset == MEMBERS && leaves_roster_unreadable(p.problem))
        .peekable();
    for (index, m) in roster.members.iter().enumerate() {
        let h = &mut roster.households[m.household as usize];
        h.members.push(index as u32);
        let mut columns: Vec<&'static str> =
            unreadable.get(&m.row_index).cloned().unwrap_or_default();
        // Problems of this row (those of earlier rows were passed).
        while let Some(p) = found.next_if(|p| p.row_index <= m.row_index) {
            if p.row_index == m.row_index {
                columns.push(p.column);
            }
        }
        for column in columns {
            let column = member_column(column);
            if !h.roster_problems.contains(&column) {
                h.roster_problems.push(column);
            }
        }
    }
    quality.extend(problems);
}

/// A member column as named in a household's `roster_problems`.
fn member_column(column: &'static str) -> &'static str {
    match column {
        "id_number" => "members.id_number",
        "declared_wage"
        | "declared_business"
        | "declared_property_income"
        | "declared_transfer"
        | "declared_basic_pension"
        | "declared_medical_expense"
        | "declared_education_expense" => "members.declared_amounts",
        "disability_grade" => "members.disability_grade",
        "covered" => "members.covered",
        "severe_illness" => "members.severe_illness",
        "in_school" => "members.in_school",
        _ => "members",
    }
}

/// Members born (by their id) after the run month's last day, or before
/// 1900: a `birth_after_run_month` or `implausible_date` problem, and the
/// household's roster entry is unusable (rules.md R-DATA-QUALITY). Needs
/// the run month, so it runs after [`roster`].
pub fn flag_implausible_births(
    roster: &mut Roster,
    month: crate::calendar::RunMonth,
    quality: &mut Vec<DataQuality>,
) {
    let last_day = month.last_day();
    for m in &roster.members {
        let Some(birth) =
            m.id.value
                .as_deref()
                .filter(|_| m.id.valid)
                .and_then(id_birth_date)
        else {
            continue;
        };
        let problem = if birth > last_day {
            Problem::BirthAfterRunMonth
        } else if crate::load::plausible_date(birth).is_err() {
            Problem::ImplausibleDate
        } else {
            continue;
        };
        quality.push(DataQuality::new(
            MEMBERS,
            m.row_index,
            "id_number",
            problem,
            m.id.value.clone(),
        ));
        let h = &mut roster.households[m.household as usize];
        if !h.roster_problems.contains(&"members.id_number") {
            h.roster_problems.push("members.id_number");
        }
    }
}

/// A household without members is a problem and cannot be decided.
fn flag_empty_households(households: &mut [Household], quality: &mut Vec<DataQuality>) {
    for h in households.iter_mut().filter(|h| h.members.is_empty()) {
        let value = Some(h.household_id.clone());
        quality.push(DataQuality::new(
            HOUSEHOLDS,
            h.row_index,
            "household_id",
            Problem::NoMembers,
            value,
        ));
        h.roster_problems.push("members");
    }
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

/// Extract rows' `person_birth_date` after the run month's last day: a
/// `birth_after_run_month` problem, and the date is not linked on
/// (rules.md R-DATA-QUALITY: a value the engine cannot trust). No rule
/// reads the column, so the row raises no R-DATA-QUALITY of its own.
pub fn drop_births_after(
    month: crate::calendar::RunMonth,
    keys: &mut PersonKeys,
    first_row: u64,
    quality: &mut Vec<DataQuality>,
) {
    let last_day = month.last_day();
    let dataset = keys.dataset.expect("person keys name their dataset");
    for (row, birth) in keys.birth_dates.iter_mut().enumerate() {
        if let Some(date) = birth.filter(|d| *d > last_day) {
            quality.push(DataQuality::new(
                dataset,
                first_row + row as u64,
                "person_birth_date",
                Problem::BirthAfterRunMonth,
                Some(date.to_string()),
            ));
            *birth = None;
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;
    use rust_decimal_macros::dec;

    fn problems(quality: &[DataQuality]) -> Vec<(u64, &str, &str)> {
        quality
            .iter()
            .map(|q| (q.row_index, q.column, q.problem.code()))
            .collect()
    }

    /// Issue 13, finding 4: an extract row's `person_birth_date` after the
    /// run month was linked on without a word.
    #[test]
    fn extract_birth_dates_after_the_run_month_are_reported_and_not_linked_on() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut keys = PersonKeys {
            dataset: Some(Dataset::Deposits),
            birth_dates: vec![
                day("1980-05-01"),
                day("2024-10-31"),
                day("2024-11-01"),
                None,
            ],
            ..PersonKeys::default()
        };
        let mut quality = Vec::new();
        let october = crate::calendar::RunMonth::new(2024, 10).unwrap();
        drop_births_after(october, &mut keys, 100, &mut quality);
        assert_eq!(
            keys.birth_dates,
            [day("1980-05-01"), day("2024-10-31"), None, None]
        );
        assert_eq!(
            problems(&quality),
            [(102, "person_birth_date", "birth_after_run_month")]
        );
        assert_eq!(quality[0].value.as_deref(), Some("2024-11-01"));
    }

    #[test]
    fn the_first_row_of_a_household_id_is_its_household_and_later_ones_are_duplicates() {
        let ids = StringChunked::from_iter([Some("H1"), Some(" H1 "), None, Some(" "), Some("H2")]);
        let (by_id, kinds) = household_index(&ids);
        use HouseholdRow::*;
        assert_eq!(kinds, [Kept, DuplicateId, NullId, NullId, Kept]);
        assert_eq!((by_id["H1"], by_id["H2"], by_id.len()), (0, 1, 2));
    }

    #[test]
    fn an_empty_code_is_a_null_value_unless_it_was_reported_as_unknown() {
        let mut quality = vec![DataQuality::new(
            HOUSEHOLDS,
            3,
            "area",
            Problem::UnknownCode,
            None,
        )];
        null_unless_reported(3, "area", &mut quality);
        null_unless_reported(3, "program", &mut quality);
        null_unless_reported(4, "area", &mut quality);
        assert_eq!(
            problems(&quality),
            [
                (3, "area", "unknown_code"),
                (3, "program", "null_value"),
                (4, "area", "null_value")
            ]
        );
    }

    #[test]
    fn members_with_an_unreadable_amount_are_flagged_and_no_others() {
        let quality = [
            DataQuality::new(MEMBERS, 1, "declared_wage", Problem::BadMoney, None),
            DataQuality::new(HOUSEHOLDS, 2, "monthly_benefit", Problem::BadMoney, None),
            DataQuality::new(MEMBERS, 2, "declared_wage", Problem::NegativeAmount, None),
            DataQuality::new(MEMBERS, 9, "declared_wage", Problem::BadMoney, None),
        ];
        let flagged = unreadable_values(MEMBERS, &quality);
        assert_eq!(
            flagged.into_iter().collect::<Vec<_>>(),
            [(1, vec!["declared_wage"]), (9, vec!["declared_wage"])]
        );
    }

    #[test]
    fn a_negative_declared_amount_is_a_problem_read_as_zero() {
        let mut quality = Vec::new();
        assert_eq!(
            non_negative(0, "declared_wage", Some(dec!(-1)), &mut quality),
            dec!(0)
        );
        assert_eq!(
            non_negative(1, "declared_wage", None, &mut quality),
            dec!(0)
        );
        assert_eq!(
            non_negative(2, "declared_wage", Some(dec!(5.50)), &mut quality),
            dec!(5.50)
        );
        assert_eq!(
            problems(&quality),
            [(0, "declared_wage", "negative_amount")]
        );
    }

    #[test]
    fn a_disability_grade_outside_one_to_four_is_a_problem_read_as_none() {
        let mut quality = Vec::new();
        let grades: Vec<_> = [Some(0), Some(2), Some(5), None]
            .into_iter()
            .enumerate()
            .map(|(row, g)| disability_grade(row, g, &mut quality))
            .collect();
        assert_eq!(grades, [None, Some(2), None, None]);
        assert_eq!(
            problems(&quality),
            [
                (0, "disability_grade", "out_of_range"),
                (2, "disability_grade", "out_of_range")
            ]
        );
    }

    #[test]
    fn members_join_their_households_in_roster_order_and_an_empty_household_is_flagged() {
        let mut roster = Roster {
            households: vec![
                Household::bare("H1", "512022"),
                Household::bare("H2", "512022"),
                Household::bare("H3", "512022"),
            ],
            members: Vec::new(),
        };
        let bad_id = DataQuality::new(
            MEMBERS,
            1,
            "id_number",
            Problem::Id(IdProblem::BadChecksum),
            None,
        );
        let chunks = vec![
            (vec![Member::bare(0, 1), Member::bare(1, 0)], vec![bad_id]),
            (vec![Member::bare(2, 1), Member::bare(3, 1)], Vec::new()),
        ];
        let unreadable = [(2, vec!["declared_wage"]), (3, vec!["declared_transfer"])]
            .into_iter()
            .collect();
        let mut quality = Vec::new();
        attach_members(&mut roster, chunks, &unreadable, &mut quality);
        flag_empty_households(&mut roster.households, &mut quality);
        let h = &roster.households;
        assert_eq!(
            (&h[0].members[..], &h[1].members[..]),
            (&[1][..], &[0, 2, 3][..])
        );
        assert_eq!(h[0].roster_problems, ["members.id_number"]);
        assert_eq!(
            h[1].roster_problems,
            ["members.declared_amounts"],
            "flagged once"
        );
        assert_eq!(h[2].roster_problems, ["members"]);
        assert_eq!(
            problems(&quality),
            [
                (1, "id_number", "bad_checksum"),
                (0, "household_id", "no_members")
            ]
        );
    }

    /// The whole roster from loaded tables: a duplicated household, a
    /// member of an unknown household, an unknown `covered` in 单人保.
    #[test]
    fn the_roster_keeps_first_households_and_records_every_dropped_row() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, mut df: DataFrame| {
            let file = std::fs::File::create(dir.path().join(name)).unwrap();
            ParquetWriter::new(file).finish(&mut df).unwrap();
        };
        write(
            "households.parquet",
            df!(
                "household_id" => ["H1", "H1", "H2"],
                "region_code" => ["512022101001", "512022101001", "512022102003"],
                "area" => ["urban", "urban", "rural"],
                "program" => ["urban_dibao", "urban_dibao", "rural_dibao"],
                "status" => ["active", "active", "active"],
                "tier" => [None::<i64>, None, None],
                "single_person_coverage" => [false, false, true],
                "benefit_start" => ["2023-01-01", "2023-01-01", "2023-01-01"],
                "phase_out_until" => [None::<&str>, None, None],
                "monthly_benefit" => ["500.00", "500.00", "300.00"],
                "last_review_date" => [None::<&str>, None, None],
            )
            .unwrap(),
        );
        write(
            "members.parquet",
            df!(
                "household_id" => ["H1", "H9", "H2"],
                "name" => ["王芳", "李强", "张三"],
                "id_number" => ["11010519491231002X", "", "110105194912310037"],
                "relation" => ["head", "head", "head"],
                "covered" => [Some(true), Some(true), None],
                "disability_grade" => [None::<i64>, None, None],
                "severe_illness" => [false, false, false],
                "labor_capacity" => ["full", "full", "none"],
                "in_school" => [false, false, false],
                "declared_wage" => [0.0f64, 0.0, 0.0],
                "declared_business" => [0.0f64, 0.0, 0.0],
                "declared_property_income" => [0.0f64, 0.0, 0.0],
                "declared_transfer" => [0.0f64, 0.0, 0.0],
                "declared_basic_pension" => [0.0f64, 0.0, 0.0],
                "declared_medical_expense" => [0.0f64, 0.0, 0.0],
                "declared_education_expense" => [0.0f64, 0.0, 0.0],
            )
            .unwrap(),
        );
        let data = crate::load::discover(dir.path()).unwrap();
        let mut quality = Vec::new();
        let read = |d, q: &mut Vec<DataQuality>| data.read(d, q).unwrap().unwrap();
        let households = read(Dataset::Households, &mut quality);
        let members = read(Dataset::Members, &mut quality);
        let roster = roster(&households, &members, &mut quality);
        let ids: Vec<&str> = roster
            .households
            .iter()
            .map(|h| h.household_id.as_str())
            .collect();
        assert_eq!(ids, ["H1", "H2"]);
        assert_eq!(roster.members.len(), 2);
        assert!(
            !roster.members[1].covered,
            "unknown `covered` in 单人保: not covered"
        );
        let found = problems(&quality);
        for p in [
            (1, "household_id", "duplicate_household_id"),
            (1, "household_id", "unknown_household"),
            (2, "covered", "null_value"),
        ] {
            assert!(found.contains(&p), "{p:?} not in {found:?}");
        }
    }
}
