//! Agency extract rows (`deposits`, `vehicles`, `properties`, `businesses`,
//! `payroll`, `deaths`): the rows planted on members, the harmless
//! background rows of clean households, and the strangers' rows that make up
//! most of every extract. An extract without a row type here (a new
//! dataset) gets [`ExtractRow`]s: planted with [`Ctx::add_row`], strangers'
//! rows copied from the planted ones, noise and `truth/linkage.csv` as for
//! any extract, written column by column from the dataset table.

use super::names;
use super::people::{birth_for_age, noisy_id};
use super::roster::{self, yuan, Household, COUNTIES, OTHER_COUNTIES};
use super::Ctx;
use crate::schema::{
    Area, AssetType, BusinessRole, BusinessStatus, Dataset, DeathSource, EntityType,
    PropertyStatus, PropertyUsage, Staffing, UseNature, VehicleStatus, VehicleType,
};
use chrono::NaiveDate;
use rand::seq::IndexedRandom;
use rand::Rng;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The person a row is keyed to, and how the row writes their name and id
/// when noisy (`None`: the canonical form).
#[derive(Debug, Clone)]
pub(crate) struct Holder {
    pub person: u32,
    pub name: Option<String>,
    pub id: Option<String>,
    /// Linkage or realistic noise (`noise.rs`, `realistic.rs`); empty in
    /// standard mode.
    pub linkage: super::noise::RowNoise,
}

#[derive(Debug, Clone)]
pub(crate) struct DepositRow {
    pub holder: Holder,
    pub institution: &'static str,
    pub account_no: String,
    pub asset_type: AssetType,
    pub balance: Decimal,
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone)]
pub(crate) struct VehicleRow {
    pub holder: Holder,
    pub plate_no: String,
    pub vehicle_type: VehicleType,
    pub use_nature: UseNature,
    pub status: VehicleStatus,
    pub first_registered: NaiveDate,
    pub assessed_value: Option<Decimal>,
    /// Extra column (not in the contract): kept and ignored by the engine.
    pub brand: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct PropertyRow {
    pub holder: Holder,
    pub unit_no: String,
    pub location: String,
    pub usage: PropertyUsage,
    pub area_m2: f64,
    pub share: f64,
    pub status: PropertyStatus,
    pub registered: NaiveDate,
}

#[derive(Debug, Clone)]
pub(crate) struct BusinessRow {
    pub holder: Holder,
    pub entity_name: String,
    pub credit_code: String,
    pub entity_type: EntityType,
    pub role: BusinessRole,
    /// Whole yuan: `businesses` writes money as integers.
    pub registered_capital: Option<i64>,
    pub status: BusinessStatus,
    pub established: NaiveDate,
}

#[derive(Debug, Clone)]
pub(crate) struct PayrollRow {
    pub holder: Holder,
    pub employer: String,
    pub staffing: Staffing,
    pub gross_monthly_pay: Decimal,
    pub pay_month: NaiveDate,
}

#[derive(Debug, Clone)]
pub(crate) struct DeathRow {
    pub holder: Holder,
    pub date_of_death: NaiveDate,
    pub source: DeathSource,
}

/// A row of an extract without a row type of its own: its contract
/// columns other than the person columns, by name, as text (the contract
/// accepts text for every kind); a column not given is null.
#[derive(Debug, Clone)]
pub(crate) struct ExtractRow {
    pub holder: Holder,
    pub values: Vec<(&'static str, String)>,
}

impl ExtractRow {
    pub fn value(&self, column: &str) -> Option<&str> {
        let found = self.values.iter().find(|(c, _)| *c == column);
        found.map(|(_, v)| v.as_str())
    }
}

/// A row of any extract: each is keyed to one holder.
pub(crate) trait Keyed {
    fn holder(&self) -> &Holder;
}

macro_rules! keyed {
    ($($row:ty),*) => {
        $(impl Keyed for $row {
            fn holder(&self) -> &Holder {
                &self.holder
            }
        })*
    };
}
keyed!(
    DepositRow,
    VehicleRow,
    PropertyRow,
    BusinessRow,
    PayrollRow,
    DeathRow,
    ExtractRow
);

/// All extract rows, in generation order (shuffled before writing).
#[derive(Debug, Default)]
pub(crate) struct Extracts {
    pub deposits: Vec<DepositRow>,
    pub vehicles: Vec<VehicleRow>,
    pub properties: Vec<PropertyRow>,
    pub businesses: Vec<BusinessRow>,
    pub payroll: Vec<PayrollRow>,
    pub deaths: Vec<DeathRow>,
    /// The rows of extracts without a row type, by dataset.
    pub rows: BTreeMap<Dataset, Vec<ExtractRow>>,
}

/// A random date between two dates (inclusive).
pub(crate) fn date_between(rng: &mut impl Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let days = (to - from).num_days().max(0);
    from + chrono::Duration::days(rng.random_range(0..=days))
}

/// Scrambles a serial number into `digits` digits, one-to-one while
/// `serial < 10^digits` (multiplying by a number coprime with 10).
fn scramble(serial: u64, digits: u32) -> u64 {
    let modulus = 10u64.pow(digits);
    (serial.wrapping_mul(7_919).wrapping_add(104_729)) % modulus
}

impl Ctx<'_> {
    pub(crate) fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// A holder for a row, with id and name noise at probability `p`.
    pub(crate) fn holder(&mut self, person: u32, p: f64) -> Holder {
        let mut holder = Holder {
            person,
            name: None,
            id: None,
            linkage: Default::default(),
        };
        // Realistic noise replaces the standard noise (its rates are of all
        // rows), so the rows are left canonical for it.
        if !self.standard_row_noise {
            return holder;
        }
        let (id, name) = {
            let person = self.people.get(person);
            (person.id.clone(), person.name.clone())
        };
        if self.rng.random_bool(p) {
            if let Some((written, kind)) = noisy_id(&mut self.rng, &id) {
                holder.id = Some(written);
                self.count_noise(kind);
            }
        }
        if self.rng.random_bool(p * 0.7) {
            if let Some((written, kind)) = names::noisy_name(&mut self.rng, &name) {
                holder.name = Some(written);
                self.count_noise(kind);
            }
        }
        holder
    }

    pub(crate) fn account_no(&mut self) -> String {
        let s = self.next_serial();
        format!("6228{:015}", scramble(s, 15))
    }

    pub(crate) fn plate_no(&mut self, region_code: &str) -> String {
        const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
        let prefix = COUNTIES
            .iter()
            .find(|c| region_code.starts_with(c.code))
            .map_or("川A", |c| c.plate);
        let s = scramble(self.next_serial(), 8);
        let l1 = LETTERS[(s % 24) as usize] as char;
        format!("{prefix}{l1}{:05}", (s / 24) % 100_000)
    }

    /// A 不动产单元号-like unit number: county, parcel, building, unit.
    pub(crate) fn unit_no(&mut self, region_code: &str) -> String {
        let s = scramble(self.next_serial(), 12);
        format!(
            "{}{:06}GB{:05}F{:08}",
            &region_code[..6],
            s / 1_000_000,
            (s / 10) % 100_000,
            s % 1_000_000 + 10_001
        )
    }

    /// A 统一社会信用代码-like code (`92…` for 个体工商户, `93…` for
    /// cooperatives, `91…` for companies).
    pub(crate) fn credit_code(&mut self, region_code: &str, entity_type: EntityType) -> String {
        let kind = match entity_type {
            EntityType::Individual => "92",
            EntityType::Cooperative => "93",
            _ => "91",
        };
        let s = scramble(self.next_serial(), 9);
        let check = b"0123456789ABCDEFGHJKLMNPQRTUWXY"[(s % 31) as usize] as char;
        format!("{kind}{}{s:09}{check}", &region_code[..6])
    }

    fn entity_name(&mut self, region_code: &str, owner_name: &str) -> String {
        let place = COUNTIES
            .iter()
            .find(|c| region_code.starts_with(c.code))
            .map_or("", |c| c.name.rsplit(['市', '州']).next().unwrap_or(""));
        let trade = names::TRADES
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("商店");
        let short: String = owner_name.chars().filter(|c| *c != '·').take(3).collect();
        format!("{place}{short}{trade}")
    }

    // ---------------------------------------------------------------
    // Rows on members (planted and background).
    // ---------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_deposit(
        &mut self,
        person: u32,
        noise: f64,
        institution: &'static str,
        account_no: String,
        asset_type: AssetType,
        balance: Decimal,
        as_of: NaiveDate,
    ) {
        let holder = self.holder(person, noise);
        self.ex.deposits.push(DepositRow {
            holder,
            institution,
            account_no,
            asset_type,
            balance,
            as_of,
        });
    }

    pub(crate) fn add_vehicle(
        &mut self,
        person: u32,
        noise: f64,
        vehicle_type: VehicleType,
        status: VehicleStatus,
        assessed_value: Option<Decimal>,
    ) {
        let holder = self.holder(person, noise);
        let region = self.people.get(person).region_code.clone();
        let plate_no = self.plate_no(&region);
        let first_registered = date_between(
            &mut self.rng,
            self.month.plus(-150).first_day(),
            self.month.plus(-3).first_day(),
        );
        let use_nature = if vehicle_type == VehicleType::Truck && self.rng.random_bool(0.5) {
            UseNature::Commercial
        } else {
            UseNature::Private
        };
        let brand = names::CAR_BRANDS
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("五菱");
        self.ex.vehicles.push(VehicleRow {
            holder,
            plate_no,
            vehicle_type,
            use_nature,
            status,
            first_registered,
            assessed_value,
            brand,
        });
    }

    /// A property row for an existing unit number.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_property(
        &mut self,
        person: u32,
        noise: f64,
        unit_no: String,
        location: String,
        usage: PropertyUsage,
        area_m2: f64,
        share: f64,
        status: PropertyStatus,
    ) {
        let holder = self.holder(person, noise);
        let registered = date_between(
            &mut self.rng,
            self.month.plus(-300).first_day(),
            self.month.plus(-2).first_day(),
        );
        self.ex.properties.push(PropertyRow {
            holder,
            unit_no,
            location,
            usage,
            area_m2,
            share,
            status,
            registered,
        });
    }

    pub(crate) fn add_business(
        &mut self,
        person: u32,
        noise: f64,
        entity_type: EntityType,
        role: BusinessRole,
        registered_capital: Option<i64>,
        status: BusinessStatus,
    ) {
        let holder = self.holder(person, noise);
        let (region, name) = {
            let p = self.people.get(person);
            (p.region_code.clone(), p.name.clone())
        };
        let entity_name = self.entity_name(&region, &name);
        let credit_code = self.credit_code(&region, entity_type);
        let established = date_between(
            &mut self.rng,
            self.month.plus(-240).first_day(),
            self.month.plus(-2).first_day(),
        );
        self.ex.businesses.push(BusinessRow {
            holder,
            entity_name,
            credit_code,
            entity_type,
            role,
            registered_capital,
            status,
            established,
        });
    }

    pub(crate) fn add_payroll(
        &mut self,
        person: u32,
        noise: f64,
        staffing: Staffing,
        pay: Decimal,
        pay_month: NaiveDate,
    ) {
        let holder = self.holder(person, noise);
        let employer = names::EMPLOYERS
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("县人民医院")
            .to_string();
        self.ex.payroll.push(PayrollRow {
            holder,
            employer,
            staffing,
            gross_monthly_pay: pay,
            pay_month,
        });
    }

    pub(crate) fn add_death(&mut self, person: u32, noise: f64, date_of_death: NaiveDate) {
        let holder = self.holder(person, noise);
        let source = *[
            DeathSource::Police,
            DeathSource::Cremation,
            DeathSource::Health,
        ]
        .choose(&mut self.rng)
        .unwrap_or(&DeathSource::Police);
        self.ex.deaths.push(DeathRow {
            holder,
            date_of_death,
            source,
        });
    }

    /// A row of `dataset` (an extract without a row type) keyed to
    /// `person`, with id and name noise at probability `noise`.
    pub(crate) fn add_row(
        &mut self,
        dataset: Dataset,
        person: u32,
        noise: f64,
        values: Vec<(&'static str, String)>,
    ) {
        let holder = self.holder(person, noise);
        let rows = self.ex.rows.entry(dataset).or_default();
        rows.push(ExtractRow { holder, values });
    }

    /// Harmless rows for the members of a clean household: a few small
    /// deposits (well under the asset limit), an exempt vehicle, one
    /// residence, a closed business, payroll long before the look-back
    /// window. None of them fires a rule.
    pub(crate) fn background_rows(&mut self, h: &Household) {
        let p = h.params.clone();
        let month = self.month;
        let noise = 0.1;
        let members: Vec<(u32, u32)> = h.members.iter().map(|m| (m.person, m.age)).collect();
        let adults: Vec<u32> = members
            .iter()
            .filter(|(_, a)| *a >= 18)
            .map(|(p, _)| *p)
            .collect();
        let head = members[0].0;

        // Deposits: all balances of all snapshots together stay under 40% of
        // the household's limit, so no reading of them can exceed it.
        let limit = h.standard_total() * Decimal::from(p.financial_assets_months);
        let budget = limit * Decimal::new(4, 1);
        let mut accounts: Vec<(u32, usize)> = Vec::new();
        for &(person, _) in &members {
            if self.rng.random_bool(0.55) {
                accounts.push((person, if self.rng.random_bool(0.35) { 2 } else { 1 }));
            }
        }
        let snapshots: usize = accounts.iter().map(|a| a.1).sum();
        if snapshots > 0 && budget >= Decimal::ONE {
            let cap = roster::floor2(budget / Decimal::from(snapshots));
            for (person, n) in accounts {
                let institution = names::INSTITUTIONS[..6]
                    .choose(&mut self.rng)
                    .copied()
                    .unwrap_or("中国农业银行");
                let account_no = self.account_no();
                for k in 0..n {
                    let balance = roster::floor2(
                        cap * Decimal::from(self.rng.random_range(1..=100)) / Decimal::from(100),
                    );
                    let as_of = month
                        .plus(-(k as i32) * 3 - self.rng.random_range(0..=1))
                        .last_day();
                    self.add_deposit(
                        person,
                        noise,
                        institution,
                        account_no.clone(),
                        AssetType::Deposit,
                        balance,
                        as_of,
                    );
                }
            }
        }

        // Vehicles: an exempt type (a motorcycle where exempt), or a
        // scrapped car.
        if !adults.is_empty() && self.rng.random_bool(0.12) {
            let owner = *adults.choose(&mut self.rng).unwrap_or(&head);
            let exempt = &p.vehicle_exempt_types;
            if !exempt.is_empty() {
                let t = if exempt.contains(&VehicleType::Motorcycle) && self.rng.random_bool(0.6) {
                    VehicleType::Motorcycle
                } else {
                    *exempt.choose(&mut self.rng).unwrap_or(&exempt[0])
                };
                let value = Some(yuan(&mut self.rng, 800, 9000));
                self.add_vehicle(owner, noise, t, VehicleStatus::Normal, value);
            }
        }
        if !adults.is_empty() && self.rng.random_bool(0.03) {
            let owner = *adults.choose(&mut self.rng).unwrap_or(&head);
            let status = if self.rng.random_bool(0.5) {
                VehicleStatus::Scrapped
            } else {
                VehicleStatus::Deregistered
            };
            let value = Some(yuan(&mut self.rng, 3000, 40000));
            self.add_vehicle(owner, noise, VehicleType::Car, status, value);
        }

        // One residence (co-owned with the spouse sometimes), and a parking
        // space now and then.
        let own_home = if h.area == Area::Rural { 0.6 } else { 0.3 };
        if p.max_residences >= 1 && self.rng.random_bool(own_home) {
            let unit = self.unit_no(&h.region_code);
            let loc = roster::location(&mut self.rng, &h.region_code);
            let area = f64::from(self.rng.random_range(40..=140))
                + if self.rng.random_bool(0.5) { 0.5 } else { 0.0 };
            let spouse = h
                .members
                .iter()
                .find(|m| m.relation == crate::schema::Relation::Spouse);
            match spouse {
                Some(s) if self.rng.random_bool(0.4) => {
                    let sp = s.person;
                    self.add_property(
                        head,
                        noise,
                        unit.clone(),
                        loc.clone(),
                        PropertyUsage::Residential,
                        area,
                        0.5,
                        PropertyStatus::Current,
                    );
                    self.add_property(
                        sp,
                        noise,
                        unit,
                        loc,
                        PropertyUsage::Residential,
                        area,
                        0.5,
                        PropertyStatus::Current,
                    );
                }
                _ => self.add_property(
                    head,
                    noise,
                    unit,
                    loc,
                    PropertyUsage::Residential,
                    area,
                    1.0,
                    PropertyStatus::Current,
                ),
            }
        }
        if self.rng.random_bool(0.04) {
            let unit = self.unit_no(&h.region_code);
            let loc = roster::location(&mut self.rng, &h.region_code);
            self.add_property(
                head,
                noise,
                unit,
                loc,
                PropertyUsage::Parking,
                12.5,
                1.0,
                PropertyStatus::Current,
            );
        }

        // A closed 个体工商户.
        if !adults.is_empty() && self.rng.random_bool(0.05) {
            let owner = *adults.choose(&mut self.rng).unwrap_or(&head);
            let status = if self.rng.random_bool(0.7) {
                BusinessStatus::Deregistered
            } else {
                BusinessStatus::Revoked
            };
            let capital = Some(i64::from(self.rng.random_range(1..=20)) * 5000);
            self.add_business(
                owner,
                noise,
                EntityType::Individual,
                BusinessRole::Operator,
                capital,
                status,
            );
        }

        // Pay from a job that ended long before the look-back window.
        if !adults.is_empty() && self.rng.random_bool(0.02) {
            let owner = *adults.choose(&mut self.rng).unwrap_or(&head);
            let back = p.payroll_lookback_months as i32 + self.rng.random_range(12..=30);
            for k in 0..self.rng.random_range(1..=3) {
                let pay = yuan(&mut self.rng, 2500, 4500);
                self.add_payroll(
                    owner,
                    noise,
                    Staffing::Contract,
                    pay,
                    month.plus(-back - k).first_day(),
                );
            }
        }
    }

    // ---------------------------------------------------------------
    // Strangers.
    // ---------------------------------------------------------------

    /// A person not on the roster: often someone who already holds rows,
    /// sometimes a namesake (or twin: same name and birth date) of a member
    /// with another valid id, else a new person from the jurisdictions or
    /// elsewhere.
    pub(crate) fn stranger(&mut self) -> u32 {
        let reference = self.month.last_day();
        let r: f64 = self.rng.random();
        if r < 0.25 && !self.people.strangers.is_empty() {
            let i = self.rng.random_range(0..self.people.strangers.len());
            return self.people.strangers[i];
        }
        if r < 0.37 && !self.people.members.is_empty() {
            let i = self.rng.random_range(0..self.people.members.len());
            let m = self.people.get(self.people.members[i]).clone();
            let twin = self.rng.random_bool(0.5);
            let birth = if twin {
                m.birth
            } else {
                let age = self.rng.random_range(18..=90);
                birth_for_age(&mut self.rng, reference, age)
            };
            let male = if twin {
                self.rng.random_bool(0.5)
            } else {
                m.male
            };
            self.count_noise("stranger_namesake");
            if twin {
                self.count_noise("stranger_twin");
            }
            let region = m.region_code.clone();
            return self
                .people
                .add_stranger(&mut self.rng, m.name, birth, male, &region);
        }
        let region = if self.rng.random_bool(self.home_share) {
            self.home_region()
        } else {
            self.elsewhere_region()
        };
        let male = self.rng.random_bool(0.5);
        let name = names::full_name(&mut self.rng, &region[..6], male, None);
        let age = self.rng.random_range(18..=95);
        let birth = birth_for_age(&mut self.rng, reference, age);
        self.people
            .add_stranger(&mut self.rng, name, birth, male, &region)
    }

    /// A random region code of a random county of `--counties`.
    pub(crate) fn home_region(&mut self) -> String {
        let c = &self.counties[self.rng.random_range(0..self.counties.len())];
        let area = if self.rng.random_bool(0.5) {
            Area::Urban
        } else {
            Area::Rural
        };
        roster::region_code(&mut self.rng, c, area)
    }

    /// A random region code outside the generator's counties.
    pub(crate) fn elsewhere_region(&mut self) -> String {
        let c = OTHER_COUNTIES[self.rng.random_range(0..OTHER_COUNTIES.len())];
        format!(
            "{c}{:03}{:03}",
            self.rng.random_range(1..=20),
            self.rng.random_range(1..=30)
        )
    }

    /// `count` stranger rows per dataset (one holding each; a payroll or
    /// deposit stranger may add several rows for one account or job).
    pub(crate) fn stranger_rows(&mut self, counts: &StrangerCounts) {
        let month = self.month;
        let noise = 0.1;
        let mut n = 0;
        while n < counts.deposits {
            let person = self.stranger();
            let institution = names::INSTITUTIONS
                .choose(&mut self.rng)
                .copied()
                .unwrap_or("中国银行");
            let account_no = self.account_no();
            let asset_type = match self.rng.random_range(0..10) {
                0..=5 => AssetType::Deposit,
                6..=7 => AssetType::WealthProduct,
                8 => AssetType::Securities,
                _ => AssetType::InsuranceCashValue,
            };
            let snapshots = if self.rng.random_bool(0.3) { 2 } else { 1 };
            for k in 0..snapshots {
                let exp = self.rng.random_range(1.0..5.9f64);
                let balance = roster::round2(
                    Decimal::from_f64_retain(10f64.powf(exp)).unwrap_or(Decimal::ONE_HUNDRED),
                );
                let back = k * 2 + self.rng.random_range(0..=2);
                let as_of = if self.rng.random_bool(0.04) {
                    month.plus(1).first_day() + chrono::Duration::days(self.rng.random_range(0..20))
                } else {
                    month.plus(-back).last_day()
                };
                self.add_deposit(
                    person,
                    noise,
                    institution,
                    account_no.clone(),
                    asset_type,
                    balance,
                    as_of,
                );
                n += 1;
            }
        }
        for _ in 0..counts.vehicles {
            let person = self.stranger();
            let vehicle_type = match self.rng.random_range(0..100) {
                0..=54 => VehicleType::Car,
                55..=69 => VehicleType::Motorcycle,
                70..=77 => VehicleType::Truck,
                78..=85 => VehicleType::Tricycle,
                86..=92 => VehicleType::Agricultural,
                93..=94 => VehicleType::Bus,
                _ => VehicleType::Disability,
            };
            let status = match self.rng.random_range(0..100) {
                0..=84 => VehicleStatus::Normal,
                85..=91 => VehicleStatus::Scrapped,
                92..=97 => VehicleStatus::Deregistered,
                _ => VehicleStatus::Seized,
            };
            let value = if self.rng.random_bool(0.1) {
                None
            } else {
                Some(yuan(&mut self.rng, 2000, 250_000))
            };
            self.add_vehicle(person, noise, vehicle_type, status, value);
        }
        let mut n = 0;
        while n < counts.properties {
            let person = self.stranger();
            let region = self.people.get(person).region_code.clone();
            let usage = match self.rng.random_range(0..100) {
                0..=69 => PropertyUsage::Residential,
                70..=79 => PropertyUsage::Commercial,
                80..=83 => PropertyUsage::Office,
                84..=85 => PropertyUsage::Industrial,
                86..=95 => PropertyUsage::Parking,
                _ => PropertyUsage::Other,
            };
            let area = match usage {
                PropertyUsage::Parking => 12.5,
                _ => {
                    f64::from(self.rng.random_range(30..=180))
                        + f64::from(self.rng.random_range(0..10)) / 10.0
                }
            };
            let status = if self.rng.random_bool(0.9) {
                PropertyStatus::Current
            } else {
                PropertyStatus::Cancelled
            };
            let unit = self.unit_no(&region);
            let loc = roster::location(&mut self.rng, &region);
            if usage == PropertyUsage::Residential && self.rng.random_bool(0.2) {
                let other = self.stranger();
                self.add_property(
                    person,
                    noise,
                    unit.clone(),
                    loc.clone(),
                    usage,
                    area,
                    0.5,
                    status,
                );
                self.add_property(other, noise, unit, loc, usage, area, 0.5, status);
                n += 2;
            } else {
                self.add_property(person, noise, unit, loc, usage, area, 1.0, status);
                n += 1;
            }
        }
        for _ in 0..counts.businesses {
            let person = self.stranger();
            let entity_type = match self.rng.random_range(0..100) {
                0..=54 => EntityType::Individual,
                55..=74 => EntityType::Company,
                75..=84 => EntityType::Cooperative,
                85..=92 => EntityType::SoleProprietorship,
                _ => EntityType::Partnership,
            };
            let role = match entity_type {
                EntityType::Individual => BusinessRole::Operator,
                _ if self.rng.random_bool(0.6) => BusinessRole::LegalRep,
                _ => BusinessRole::Shareholder,
            };
            let capital = if self.rng.random_bool(0.12) {
                None
            } else if entity_type == EntityType::Individual {
                Some(i64::from(self.rng.random_range(1..=40)) * 5000)
            } else {
                Some(i64::from(self.rng.random_range(1..=500)) * 10_000)
            };
            let status = match self.rng.random_range(0..100) {
                0..=79 => BusinessStatus::Active,
                80..=93 => BusinessStatus::Deregistered,
                _ => BusinessStatus::Revoked,
            };
            self.add_business(person, noise, entity_type, role, capital, status);
        }
        let mut n = 0;
        while n < counts.payroll {
            let person = self.stranger();
            let staffing = match self.rng.random_range(0..10) {
                0..=3 => Staffing::CivilServant,
                4..=7 => Staffing::PublicInstitution,
                _ => Staffing::Contract,
            };
            let base = yuan(&mut self.rng, 2800, 9000);
            let last = -self.rng.random_range(0..=2);
            let months = self.rng.random_range(1..=6);
            for k in 0..months {
                let pay = base + yuan(&mut self.rng, 0, 400);
                self.add_payroll(
                    person,
                    noise,
                    staffing,
                    pay,
                    month.plus(last - k).first_day(),
                );
                n += 1;
            }
        }
        for _ in 0..counts.deaths {
            let person = self.stranger();
            let date = if self.rng.random_bool(0.05) {
                month.plus(1).first_day() + chrono::Duration::days(self.rng.random_range(0..25))
            } else {
                date_between(&mut self.rng, month.plus(-24).first_day(), month.last_day())
            };
            self.add_death(person, noise, date);
        }
        self.strangers_like_planted(counts, noise);
    }

    /// Strangers' rows of the extracts without a row type: copies of the
    /// extract's planted rows in turn, each keyed to a stranger.
    fn strangers_like_planted(&mut self, counts: &StrangerCounts, noise: f64) {
        for (&dataset, &n) in &counts.rows {
            let planted = self.ex.rows[&dataset].clone();
            for k in 0..n {
                let person = self.stranger();
                let values = planted[k % planted.len()].values.clone();
                self.add_row(dataset, person, noise, values);
            }
        }
    }
}

/// How many stranger rows each extract gets.
#[derive(Debug, Clone, Default)]
pub(crate) struct StrangerCounts {
    pub deposits: usize,
    pub vehicles: usize,
    pub properties: usize,
    pub businesses: usize,
    pub payroll: usize,
    pub deaths: usize,
    /// The extracts without a row type.
    pub rows: BTreeMap<Dataset, usize>,
}

impl StrangerCounts {
    /// At least three strangers' rows per member row (so ≥ 75% of every
    /// extract belongs to nobody on the roster), plus a floor that grows
    /// with the roster.
    pub fn for_extracts(ex: &Extracts, households: usize) -> StrangerCounts {
        let f = |member_rows: usize, per_household: f64| {
            3 * member_rows + 5 + (households as f64 * per_household) as usize
        };
        StrangerCounts {
            deposits: f(ex.deposits.len(), 0.5),
            vehicles: f(ex.vehicles.len(), 0.3),
            properties: f(ex.properties.len(), 0.3),
            businesses: f(ex.businesses.len(), 0.1),
            payroll: f(ex.payroll.len(), 0.3),
            deaths: f(ex.deaths.len(), 0.05),
            rows: ex.rows.iter().map(|(&d, r)| (d, f(r.len(), 0.1))).collect(),
        }
    }
}

impl StrangerCounts {
    /// Scales every extract's stranger count by one factor so that members'
    /// and strangers' rows together come to about `total` (never fewer
    /// strangers than the default).
    pub fn scale_to_total(&mut self, ex: &Extracts, total: usize) {
        let member_rows = ex.deposits.len()
            + ex.vehicles.len()
            + ex.properties.len()
            + ex.businesses.len()
            + ex.payroll.len()
            + ex.deaths.len()
            + ex.rows.values().map(Vec::len).sum::<usize>();
        let strangers = self.deposits
            + self.vehicles
            + self.properties
            + self.businesses
            + self.payroll
            + self.deaths
            + self.rows.values().sum::<usize>();
        let factor = (total.saturating_sub(member_rows) as f64 / strangers.max(1) as f64).max(1.0);
        for n in [
            &mut self.deposits,
            &mut self.vehicles,
            &mut self.properties,
            &mut self.businesses,
            &mut self.payroll,
            &mut self.deaths,
        ]
        .into_iter()
        .chain(self.rows.values_mut())
        {
            *n = (*n as f64 * factor).round() as usize;
        }
    }
}
