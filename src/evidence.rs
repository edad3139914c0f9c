//! Evidence: the linked extract rows, read into typed holdings and grouped by
//! household. Only linked rows are materialised; unlinked rows stay in the
//! loaded tables (they appear in `matches` only).

use crate::link::{DatasetLinks, Levels, Link, MatchMethod, MatchStatus};
use crate::load::Table;
use crate::normalise::Roster;
use crate::quality::{DataQuality, Problem};
use crate::schema::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::str::FromStr;

/// The link behind a holding: which member, which row, how sure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Source {
    pub dataset: Dataset,
    pub row_index: u64,
    pub member: u32,
    pub score: f64,
    pub method: MatchMethod,
    pub status: MatchStatus,
    /// The comparison level of each field (why the row was linked).
    pub levels: Levels,
}

impl Source {
    fn new(dataset: Dataset, link: &Link) -> Source {
        Source {
            dataset,
            row_index: link.row_index,
            member: link.member,
            score: link.score,
            method: link.method,
            status: link.status,
            levels: link.levels,
        }
    }

    /// A `matched` link on an equal id, for tests.
    #[cfg(test)]
    pub fn exact(dataset: Dataset, member: u32, row_index: u64) -> Source {
        Source {
            dataset,
            row_index,
            member,
            score: 1.0,
            method: MatchMethod::IdExact,
            status: MatchStatus::Matched,
            levels: Levels::EXACT,
        }
    }

    /// A `matched` link is a fact; a `review` link only raises manual review.
    pub fn is_fact(&self) -> bool {
        self.status == MatchStatus::Matched
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deposit {
    pub source: Source,
    pub institution: Option<String>,
    pub account_no: Option<String>,
    pub asset_type: Option<AssetType>,
    pub balance: Option<Decimal>,
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vehicle {
    pub source: Source,
    pub plate_no: Option<String>,
    pub vehicle_type: Option<VehicleType>,
    pub use_nature: Option<UseNature>,
    pub status: Option<VehicleStatus>,
    pub assessed_value: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub source: Source,
    pub unit_no: Option<String>,
    pub location: Option<String>,
    pub usage: Option<PropertyUsage>,
    /// Exact decimal of the float's shortest form.
    pub area_m2: Option<Decimal>,
    pub share: Option<Decimal>,
    pub status: Option<PropertyStatus>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Business {
    pub source: Source,
    pub entity_name: Option<String>,
    pub credit_code: Option<String>,
    pub entity_type: Option<EntityType>,
    pub role: Option<BusinessRole>,
    pub registered_capital: Option<Decimal>,
    pub status: Option<BusinessStatus>,
}

impl Business {
    /// An `active` company, sole proprietorship or partnership this member
    /// heads or owns (`legal_rep`, `shareholder`) with a known registered
    /// capital above `limit`. R-BUSINESS-CAPITAL fires on these; every other
    /// active registration is R-BUSINESS-ACTIVE's.
    pub fn is_company_over(&self, limit: Decimal) -> bool {
        self.status == Some(BusinessStatus::Active)
            && matches!(
                self.role,
                Some(BusinessRole::LegalRep | BusinessRole::Shareholder)
            )
            && self.entity_type.is_some_and(|t| t.is_company_type())
            && self.registered_capital.is_some_and(|c| c > limit)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Payroll {
    pub source: Source,
    pub employer: Option<String>,
    pub gross_monthly_pay: Option<Decimal>,
    pub pay_month: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Death {
    pub source: Source,
    pub date_of_death: Option<NaiveDate>,
    pub source_agency: Option<DeathSource>,
}

/// A linked row of an extract without a holding type of its own: its
/// contract columns by name, each read by its kind. A new dataset's rows
/// arrive as these (its rule reads them through [`ExtractRow::text`],
/// [`ExtractRow::code`], …); a holding type is worth writing only when a
/// dataset's rows are many and read often.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractRow {
    pub source: Source,
    /// Every column but the person columns, in contract order.
    pub values: Vec<(&'static str, Value)>,
}

/// One value of an [`ExtractRow`], by its column's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Text and codes (a code is parsed by the rule that reads it).
    Text(String),
    Money(Decimal),
    Date(NaiveDate),
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl ExtractRow {
    fn value(&self, column: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v)
    }

    pub fn text(&self, column: &str) -> Option<&str> {
        match self.value(column)? {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// A code column as its enumeration; `None` when empty or unknown.
    pub fn code<T: FromStr>(&self, column: &str) -> Option<T> {
        self.text(column)?.parse().ok()
    }

    pub fn money(&self, column: &str) -> Option<Decimal> {
        match self.value(column)? {
            Value::Money(m) => Some(*m),
            _ => None,
        }
    }

    pub fn date(&self, column: &str) -> Option<NaiveDate> {
        match self.value(column)? {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
}

/// A value of a linked row that a rule needs and that could not be read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unreadable {
    pub source: Source,
    pub column: &'static str,
}

/// What the extracts say about one household.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HouseholdEvidence {
    pub deposits: Vec<Deposit>,
    pub vehicles: Vec<Vehicle>,
    pub properties: Vec<Property>,
    pub businesses: Vec<Business>,
    pub payroll: Vec<Payroll>,
    pub deaths: Vec<Death>,
    /// Rows of extracts without a holding type, any dataset; boxed so that a
    /// household without them (every one, today) costs one pointer.
    pub rows: Option<Box<Vec<ExtractRow>>>,
    /// Values its linked rows need and that could not be read.
    pub unreadable: Vec<Unreadable>,
}

impl HouseholdEvidence {
    /// The household's rows of `dataset` (an extract without a holding type).
    pub fn rows_of(&self, dataset: Dataset) -> impl Iterator<Item = &ExtractRow> {
        self.rows
            .iter()
            .flat_map(|rows| rows.iter())
            .filter(move |r| r.source.dataset == dataset)
    }
}

/// Evidence for every household (indexed like [`Roster::households`]), and
/// which datasets were supplied at all.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub households: Vec<HouseholdEvidence>,
    pub supplied: BTreeSet<Dataset>,
    /// Needed columns null in every row of their (non-empty) dataset: the
    /// rules that read them are not checked this run.
    pub empty_columns: BTreeSet<(Dataset, &'static str)>,
}

impl Evidence {
    /// No holdings yet for `households` households, no dataset supplied.
    pub fn new(households: usize) -> Evidence {
        use rayon::prelude::*;
        // On every core: 1M households are 144 MB of fresh memory to touch.
        Evidence {
            households: (0..households)
                .into_par_iter()
                .map(|_| HouseholdEvidence::default())
                .collect(),
            supplied: BTreeSet::new(),
            empty_columns: BTreeSet::new(),
        }
    }

    /// Files holdings under their members' households (in the order given)
    /// and records their dataset as supplied.
    pub fn add(&mut self, roster: &Roster, holdings: Holdings) {
        self.add_all(roster, vec![holdings]);
    }

    /// Files the holdings of several parts, in the order given, as [`add`]
    /// one after another would. In parallel: each part is sorted into
    /// shards of consecutive households, then each shard is filled from
    /// every part in order (at 1M households filing 2M holdings one by one
    /// took 0.6 s on one core, the other idle).
    ///
    /// [`add`]: Evidence::add
    pub fn add_all(&mut self, roster: &Roster, parts: Vec<Holdings>) {
        use rayon::prelude::*;
        const SHARDS: usize = 64;
        let n = roster.households.len();
        if self.households.len() != n {
            self.households.resize_with(n, Default::default);
        }
        self.supplied.extend(parts.iter().map(|p| p.dataset));
        let shard_len = n.div_ceil(SHARDS).max(1);
        // [part][shard] → [shard][part], each item with its household.
        let mut by_shard: Vec<Vec<Vec<(usize, Holding)>>> = (0..SHARDS)
            .map(|_| Vec::with_capacity(parts.len()))
            .collect();
        let sorted: Vec<Vec<Vec<(usize, Holding)>>> = parts
            .into_par_iter()
            .map(|part| {
                let mut shards: Vec<Vec<(usize, Holding)>> = vec![Vec::new(); SHARDS];
                for holding in part.items {
                    let household =
                        roster.members[holding.source().member as usize].household as usize;
                    shards[household / shard_len].push((household, holding));
                }
                shards
            })
            .collect();
        for part in sorted {
            for (shard, items) in part.into_iter().enumerate() {
                by_shard[shard].push(items);
            }
        }
        self.households
            .par_chunks_mut(shard_len)
            .zip(by_shard)
            .enumerate()
            .for_each(|(shard, (households, parts))| {
                let first = shard * shard_len;
                for (household, holding) in parts.into_iter().flatten() {
                    let target = &mut households[household - first];
                    match holding {
                        Holding::Deposit(h) => target.deposits.push(h),
                        Holding::Vehicle(h) => target.vehicles.push(h),
                        Holding::Property(h) => target.properties.push(h),
                        Holding::Business(h) => target.businesses.push(h),
                        Holding::Payroll(h) => target.payroll.push(h),
                        Holding::Death(h) => target.deaths.push(h),
                        Holding::Row(h) => target.rows.get_or_insert_default().push(h),
                        Holding::Unreadable(h) => target.unreadable.push(h),
                    }
                }
            });
    }
}

/// The typed holdings read from the linked rows of one extract (or of one
/// part of it), in link order; not yet filed under households.
#[derive(Debug, Clone)]
pub struct Holdings {
    dataset: Dataset,
    items: Vec<Holding>,
}

#[derive(Debug, Clone)]
enum Holding {
    Deposit(Deposit),
    Vehicle(Vehicle),
    Property(Property),
    Business(Business),
    Payroll(Payroll),
    Death(Death),
    Row(ExtractRow),
    Unreadable(Unreadable),
}

impl Holding {
    fn source(&self) -> &Source {
        match self {
            Holding::Deposit(h) => &h.source,
            Holding::Vehicle(h) => &h.source,
            Holding::Property(h) => &h.source,
            Holding::Business(h) => &h.source,
            Holding::Payroll(h) => &h.source,
            Holding::Death(h) => &h.source,
            Holding::Row(h) => &h.source,
            Holding::Unreadable(h) => &h.source,
        }
    }
}

/// Reads one dataset's linked rows into typed holdings and files them.
pub fn collect(
    roster: &Roster,
    table: &Table,
    links: &DatasetLinks,
    evidence: &mut Evidence,
    quality: &mut Vec<DataQuality>,
) {
    let holdings = read(table, &links.links, quality);
    evidence.add(roster, holdings);
}

/// Reads the linked rows of `table` (a whole extract or one part of it;
/// links carry dataset-wide row indices, all within the table) into typed
/// holdings. Pure apart from `quality`, so parts can be read in parallel.
pub fn read(table: &Table, links: &[Link], quality: &mut Vec<DataQuality>) -> Holdings {
    let indices: Vec<u32> = links
        .iter()
        .map(|l| (l.row_index - table.first_row) as u32)
        .collect();
    read_linked(&table.select(without_person).take(&indices), links, quality)
}

/// What a holding is read from: every column but the name and id it was
/// linked by (strings of every linked row, never read again).
fn without_person(dataset: Dataset, column: &str) -> bool {
    dataset
        .person_columns()
        .is_none_or(|(name, id)| column != name && column != id)
}

/// [`read`] of rows already taken: `rows` holds the row of each link, in
/// link order (the Spark job ships only the linked rows of a file to the
/// task that assesses their households). `quality` must hold the problems
/// recorded on those rows before (as [`read`] sees them), by `row_index`.
pub fn read_linked(rows: &Table, links: &[Link], quality: &mut Vec<DataQuality>) -> Holdings {
    let dataset = rows.dataset;
    let mut r = Reader {
        table: rows,
        links,
        quality,
    };
    let mut items = Vec::with_capacity(links.len());
    for (i, link) in links.iter().enumerate() {
        let source = Source::new(dataset, link);
        items.push(match dataset {
            Dataset::Deposits => Holding::Deposit(Deposit {
                source,
                institution: r.text("institution", i),
                account_no: r.text("account_no", i),
                asset_type: r.code("asset_type", i),
                balance: r.money_non_negative("balance", i),
                as_of: r.date("as_of", i),
            }),
            Dataset::Vehicles => Holding::Vehicle(Vehicle {
                source,
                plate_no: r.text("plate_no", i),
                vehicle_type: r.code("vehicle_type", i),
                use_nature: r.code("use_nature", i),
                status: r.code("status", i),
                assessed_value: r.money_non_negative("assessed_value", i),
            }),
            Dataset::Properties => Holding::Property(Property {
                source,
                unit_no: r.text("unit_no", i),
                location: r.text("location", i),
                usage: r.code("usage", i),
                area_m2: r.float_decimal("area_m2", i, None),
                share: r.float_decimal("share", i, Some(Decimal::ONE)),
                status: r.code("status", i),
            }),
            Dataset::Businesses => Holding::Business(Business {
                source,
                entity_name: r.text("entity_name", i),
                credit_code: r.text("credit_code", i),
                entity_type: r.code("entity_type", i),
                role: r.code("role", i),
                registered_capital: r.money_non_negative("registered_capital", i),
                status: r.code("status", i),
            }),
            Dataset::Payroll => Holding::Payroll(Payroll {
                // No rule reads `staffing` (public employment of any kind is
                // R-PAYROLL's), but an unknown code is still reported, never
                // passed over without a word.
                employer: {
                    let _: Option<Staffing> = r.code("staffing", i);
                    r.text("employer", i)
                },
                source,
                gross_monthly_pay: r.money_non_negative("gross_monthly_pay", i),
                pay_month: r.date("pay_month", i),
            }),
            Dataset::Deaths => Holding::Death(Death {
                source,
                date_of_death: r.date("date_of_death", i),
                source_agency: r.code("source", i),
            }),
            _ => Holding::Row(r.row(i, source)),
        });
    }
    unreadable_values(rows, links, quality, &mut items);
    Holdings { dataset, items }
}

impl Holdings {
    /// Drops the unreadable values of `columns` (null in every row of the
    /// dataset: the rule is not checked, so its rows raise nothing one by one).
    pub fn forget_unreadable(&mut self, columns: &BTreeSet<(Dataset, &'static str)>) {
        let dataset = self.dataset;
        self.items.retain(|h| match h {
            Holding::Unreadable(u) => !columns.contains(&(dataset, u.column)),
            _ => true,
        });
    }
}

/// The needed values of the linked `rows` that cannot be read: a problem
/// recorded on them (unparsable, implausible, unknown code, negative, out
/// of range), or null in a column that may not be null (then a
/// `null_value` problem too). Appended to `items` as [`Holding::Unreadable`].
fn unreadable_values(
    rows: &Table,
    links: &[Link],
    quality: &mut Vec<DataQuality>,
    items: &mut Vec<Holding>,
) {
    let dataset = rows.dataset;
    let needed = dataset.needed_columns();
    if needed.is_empty() || links.is_empty() {
        return;
    }
    let flagged: std::collections::HashSet<(u64, &str)> = quality
        .iter()
        .filter(|q| q.dataset == dataset && needed.iter().any(|n| n.column == q.column))
        .map(|q| (q.row_index, q.column))
        .collect();
    for n in needed {
        let column = rows.frame.column(n.column).expect("contract column");
        let nulls = (column.null_count() > 0).then(|| column.is_null());
        for (i, link) in links.iter().enumerate() {
            let row = link.row_index;
            let null = nulls.as_ref().is_some_and(|m| m.get(i).unwrap_or(false));
            let problem = flagged.contains(&(row, n.column));
            if null && !n.nullable && !problem {
                quality.push(DataQuality::new(
                    dataset,
                    row,
                    n.column,
                    Problem::NullValue,
                    None,
                ));
            }
            if problem || (null && !n.nullable) {
                let source = Source::new(dataset, link);
                items.push(Holding::Unreadable(Unreadable {
                    source,
                    column: n.column,
                }));
            }
        }
    }
}

/// The needed columns of `table` that may not be null and are null in
/// every one of its rows (none for a table without rows). A nullable one
/// (`registered_capital`) all null is a plausible extract: every business
/// an individual one.
pub fn all_null_columns(table: &Table) -> Vec<&'static str> {
    table
        .dataset
        .needed_columns()
        .iter()
        .filter(|n| !n.nullable)
        .filter(|n| {
            let column = table.frame.column(n.column).expect("contract column");
            table.height() > 0 && column.null_count() == table.height()
        })
        .map(|n| n.column)
        .collect()
}

/// Reads typed values from the materialised linked rows, reporting problems
/// against the original `row_index`.
struct Reader<'a> {
    table: &'a Table,
    links: &'a [Link],
    quality: &'a mut Vec<DataQuality>,
}

impl Reader<'_> {
    fn report(&mut self, i: usize, column: &'static str, problem: Problem, value: String) {
        self.quality.push(DataQuality::new(
            self.table.dataset,
            self.links[i].row_index,
            column,
            problem,
            Some(value),
        ));
    }

    /// Every column of row `i` but the person columns, by its kind.
    fn row(&self, i: usize, source: Source) -> ExtractRow {
        let dataset = self.table.dataset;
        let person = dataset.person_columns();
        let t = self.table;
        let values = dataset
            .columns()
            .into_iter()
            .filter(|c| person.is_none_or(|(name, id)| c.name != name && c.name != id))
            .map(|c| {
                let value = match c.kind {
                    ColumnKind::Text | ColumnKind::Code => self.text(c.name, i).map(Value::Text),
                    ColumnKind::Money => t.money_at(c.name, i).map(Value::Money),
                    ColumnKind::Date => t.date_at(c.name, i).map(Value::Date),
                    ColumnKind::Bool => t.boolean(c.name).get(i).map(Value::Bool),
                    ColumnKind::Int => t.int(c.name).get(i).map(Value::Int),
                    ColumnKind::Float => t.float(c.name).get(i).map(Value::Float),
                };
                (c.name, value.unwrap_or(Value::Null))
            })
            .collect();
        ExtractRow { source, values }
    }

    fn text(&self, column: &str, i: usize) -> Option<String> {
        self.table
            .text(column)
            .get(i)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    fn code<T: FromStr>(&mut self, column: &'static str, i: usize) -> Option<T> {
        let raw = self.text(column, i)?;
        let parsed = raw.parse().ok();
        if parsed.is_none() {
            self.report(i, column, Problem::UnknownCode, raw);
        }
        parsed
    }

    fn date(&self, column: &str, i: usize) -> Option<NaiveDate> {
        self.table.date_at(column, i)
    }

    fn money_non_negative(&mut self, column: &'static str, i: usize) -> Option<Decimal> {
        let v = self.table.money_at(column, i)?;
        if v.is_sign_negative() && !v.is_zero() {
            // A negative holding cannot offset other holdings: reported, read as unknown.
            self.report(i, column, Problem::NegativeAmount, v.to_string());
            return None;
        }
        Some(v)
    }

    /// A float read by its shortest decimal form; negative (or above `max`) → problem.
    fn float_decimal(
        &mut self,
        column: &'static str,
        i: usize,
        max: Option<Decimal>,
    ) -> Option<Decimal> {
        let f = self.table.float(column).get(i)?;
        let d = Decimal::from_str(&format!("{f}")).ok();
        match d {
            Some(d) if !d.is_sign_negative() && max.is_none_or(|m| d <= m) => Some(d),
            _ => {
                self.report(i, column, Problem::OutOfRange, f.to_string());
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::{Household, Member};

    /// 200 households of one member each; parts of deposits and deaths
    /// whose rows fall on households in every shard, several per household.
    fn roster_and_parts() -> (Roster, Vec<Holdings>) {
        let mut roster = Roster::default();
        for h in 0..200u32 {
            let mut hh = Household::bare(&format!("H{h:03}"), "512022101001");
            hh.members.push(h);
            roster.households.push(hh);
            roster.members.push(Member::bare(h as u64, h));
        }
        let link = |row: u64, member: u32| Link {
            row_index: row,
            member,
            score: 1.0,
            method: MatchMethod::IdExact,
            status: MatchStatus::Matched,
            levels: Levels::EXACT,
        };
        let deposits = |rows: std::ops::Range<u64>| Holdings {
            dataset: Dataset::Deposits,
            items: rows
                .map(|row| {
                    Holding::Deposit(Deposit {
                        source: Source::new(Dataset::Deposits, &link(row, (row * 37 % 200) as u32)),
                        institution: Some(format!("银行{row}")),
                        account_no: None,
                        asset_type: None,
                        balance: Some(Decimal::from(row)),
                        as_of: None,
                    })
                })
                .collect(),
        };
        let deaths = Holdings {
            dataset: Dataset::Deaths,
            items: (0..50)
                .map(|row| {
                    Holding::Death(Death {
                        source: Source::new(Dataset::Deaths, &link(row, (199 - row * 3) as u32)),
                        date_of_death: None,
                        source_agency: None,
                    })
                })
                .collect(),
        };
        (roster, vec![deposits(0..500), deposits(500..900), deaths])
    }

    #[test]
    fn filing_parts_in_shards_is_filing_them_one_by_one() {
        let (roster, parts) = roster_and_parts();
        // One by one, by hand: each holding under its member's household.
        let mut expected = vec![HouseholdEvidence::default(); roster.households.len()];
        for part in parts.clone() {
            for holding in part.items {
                let h = roster.members[holding.source().member as usize].household as usize;
                match holding {
                    Holding::Deposit(d) => expected[h].deposits.push(d),
                    Holding::Death(d) => expected[h].deaths.push(d),
                    _ => unreachable!("only deposits and deaths here"),
                }
            }
        }
        let mut filed = Evidence::new(roster.households.len());
        filed.add_all(&roster, parts);
        assert_eq!(filed.households, expected);
        assert_eq!(
            filed.supplied,
            BTreeSet::from([Dataset::Deposits, Dataset::Deaths])
        );
        // Rows of two parts on one household keep their order.
        let rows: Vec<u64> = filed.households[0]
            .deposits
            .iter()
            .map(|d| d.source.row_index)
            .collect();
        assert!(
            rows.windows(2).all(|w| w[0] < w[1]) && rows.len() > 2,
            "{rows:?}"
        );
    }

    /// A dataset without a holding type is read as `ExtractRow`s: every
    /// column but the person columns, by kind, filed under the household.
    #[test]
    fn rows_of_an_extract_without_a_holding_type_are_read_by_column_kind() {
        use polars::prelude::*;
        // The table as `load` gives it: canonical types, optional columns null.
        let as_of = NaiveDate::from_ymd_opt(2024, 9, 30).unwrap();
        let days = (as_of - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32;
        let date = |name: &str, v: Option<i32>| {
            Int32Chunked::from_iter_options(name.into(), [v].into_iter())
                .into_series()
                .cast(&DataType::Date)
                .unwrap()
                .into_column()
        };
        let mut frame = df!(
            "holder_name" => ["王芳"],
            "holder_id_number" => ["512022198001011008"],
            "institution" => ["ICBC"],
            "account_no" => [None::<&str>],
            "asset_type" => ["deposit"],
            "person_region_code" => [None::<&str>],
        )
        .unwrap();
        let balance =
            Int128Chunked::from_iter_options("balance".into(), [Some(120050)].into_iter())
                .into_decimal(38, 2)
                .unwrap()
                .into_series();
        frame.with_column(balance.into_column()).unwrap();
        frame.with_column(date("as_of", Some(days))).unwrap();
        frame.with_column(date("person_birth_date", None)).unwrap();
        let table = Table {
            dataset: Dataset::Deposits,
            frame,
            files: Vec::new(),
            first_row: 0,
        };
        let mut quality = Vec::new();
        let link = Link {
            row_index: 0,
            member: 0,
            score: 1.0,
            method: MatchMethod::IdExact,
            status: MatchStatus::Matched,
            levels: Levels::EXACT,
        };
        let reader = Reader {
            table: &table,
            links: std::slice::from_ref(&link),
            quality: &mut quality,
        };
        let row = reader.row(0, Source::new(Dataset::Deposits, &link));
        assert_eq!(row.text("institution"), Some("ICBC"));
        assert_eq!(row.text("account_no"), None);
        assert_eq!(
            row.code::<AssetType>("asset_type"),
            Some(AssetType::Deposit)
        );
        assert_eq!(row.money("balance"), Some(Decimal::new(120050, 2)));
        assert_eq!(row.date("as_of"), NaiveDate::from_ymd_opt(2024, 9, 30));
        assert_eq!(
            row.text("holder_name"),
            None,
            "person columns are the link's"
        );

        let mut roster = Roster::default();
        let mut household = Household::bare("H1", "512022101001");
        household.members.push(0);
        roster.households.push(household);
        roster.members.push(Member::adult());
        let mut evidence = Evidence::new(1);
        let part = Holdings {
            dataset: Dataset::Deposits,
            items: vec![Holding::Row(row.clone())],
        };
        evidence.add_all(&roster, vec![part]);
        let filed: Vec<&ExtractRow> = evidence.households[0].rows_of(Dataset::Deposits).collect();
        assert_eq!(filed, [&row]);
        assert_eq!(evidence.households[0].rows_of(Dataset::Vehicles).count(), 0);
    }
}
