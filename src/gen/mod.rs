//! The synthetic data generator (`hedui gen`): a data directory exactly per
//! the data contract, plus `truth/` with what a correct run must decide.
//!
//! ```text
//!  policies/ ──► resolved Params per region
//!                   │
//!  CASES (plant.rs) ─┼─► planted households ─┐
//!  clean households ─┘   (+ their rows)      ├─► shuffle ─► strangers' rows ─► write.rs ─► DIR/*.parquet
//!                                            │                                          └─► truth.rs ─► DIR/truth/*
//! ```
//!
//! Truth comes from construction: every planted case says which rules it
//! made fire (`truth::Expected`); nothing here calls the engine's rules.
//! Same request, same bytes: one ChaCha8 stream seeded from `seed`, ordered
//! maps only, no timestamps.
//!
//! Module map: `names` (Chinese names, name noise), `people` (id numbers,
//! id noise), `roster` (counties, households, members), `plant` (the case
//! table), `extracts` (agency rows: planted, background, strangers),
//! `write` (Parquet with varied input types), `truth` (expected results),
//! `noise` (`--noise linkage`: broken ids, decoys, `truth/linkage.csv`),
//! `realistic` (`--noise realistic`: the measured rates of real extracts).

mod extracts;
mod names;
mod noise;
mod people;
mod plant;
mod realistic;
mod registers;
mod roster;
mod truth;
mod write;

use crate::calendar::RunMonth;
use crate::policy::{Params, PolicyError, PolicySet};
use crate::schema::{Area, Dataset, HouseholdStatus, Program};
use extracts::{Extracts, StrangerCounts};
pub use noise::Noise;
use people::People;
use plant::{CaseDef, Kind, CASES};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
pub use realistic::{NoiseRate, NoiseRates, NOISE_KINDS};
use roster::{County, Household, Shape, COUNTIES};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct GenRequest {
    pub households: usize,
    pub seed: u64,
    pub out: PathBuf,
    pub month: RunMonth,
    pub policies: PathBuf,
}

/// Volume and layout beyond the default (province-scale benchmark data).
/// `Scale::default()` is the generator's natural output, the one
/// `data-samples/` ships.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scale {
    /// Extract rows per household in total (members' rows plus strangers'):
    /// strangers' rows are added, in every extract alike, until the total
    /// reaches this. `None`: about 10 per household, ~79% strangers'.
    pub extract_rows_per_household: Option<f64>,
    /// Write every extract as a directory of Parquet parts of at most this
    /// many rows (`deposits/part-00000.parquet`…). `None`: the small layout.
    pub part_rows: Option<usize>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GenSummary {
    pub households: usize,
    pub members: usize,
    /// (dataset name, rows written)
    pub extract_rows: Vec<(String, usize)>,
    pub planted_cases: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("--households must be at least 1")]
    NoHouseholds,
    #[error("--counties must be between 1 and {max}, not {given}")]
    Counties { given: usize, max: usize },
    #[error("--noise-rate: {0}")]
    NoiseRates(String),
    #[error("output path {} exists and is not a directory", .0.display())]
    OutIsFile(PathBuf),
    #[error("cannot write {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    // Boxed: a policy error is large, and every generator function
    // returns a `GenError`.
    // The cause is the `source`, printed by the error chain, not repeated here.
    #[error("policy files in {}", dir.display())]
    PolicyDir {
        dir: PathBuf,
        source: Box<PolicyError>,
    },
    #[error("no policy for region {region} in {month}")]
    Policy {
        region: String,
        month: RunMonth,
        source: Box<PolicyError>,
    },
    #[error("policy for region {region} is unusable for generating data: {detail}")]
    Params { region: String, detail: String },
    #[error("writing dataset {dataset} to {}", path.display())]
    Parquet {
        dataset: &'static str,
        path: PathBuf,
        source: polars::prelude::PolarsError,
    },
    #[error("generator bug: planted case {case} does not hold: {detail}")]
    SelfCheck { case: &'static str, detail: String },
}

/// Generator state: the random stream, the people and rows made so far.
pub(crate) struct Ctx<'a> {
    pub rng: ChaCha8Rng,
    pub month: RunMonth,
    pub people: People,
    pub ex: Extracts,
    pub noise: BTreeMap<String, usize>,
    pub reg: registers::Registers,
    /// Where households and new strangers are registered (`--counties`).
    counties: &'static [County],
    /// Share of new strangers registered in `counties` (the rest elsewhere).
    home_share: f64,
    /// Standard noise on extract rows (off when realistic noise replaces it).
    standard_row_noise: bool,
    serial: u64,
    policies: &'a PolicySet,
    params: BTreeMap<String, Arc<Params>>,
}

impl<'a> Ctx<'a> {
    fn new(seed: u64, month: RunMonth, policies: &'a PolicySet) -> Ctx<'a> {
        Ctx {
            rng: ChaCha8Rng::seed_from_u64(seed),
            month,
            people: People::default(),
            ex: Extracts::default(),
            noise: BTreeMap::new(),
            reg: Default::default(),
            counties: COUNTIES,
            home_share: 0.88,
            standard_row_noise: true,
            serial: 0,
            policies,
            params: BTreeMap::new(),
        }
    }

    /// Resolved parameters of a region for the run month (cached).
    fn params(&mut self, region: &str) -> Result<Arc<Params>, GenError> {
        if let Some(p) = self.params.get(region) {
            return Ok(p.clone());
        }
        let resolved = self
            .policies
            .resolve(region, self.month)
            .map_err(|source| GenError::Policy {
                region: region.to_string(),
                month: self.month,
                source: Box::new(source),
            })?;
        roster::check_params(region, &resolved.params)?;
        let p = Arc::new(resolved.params);
        self.params.insert(region.to_string(), p.clone());
        Ok(p)
    }

    fn count_noise(&mut self, kind: &str) {
        *self.noise.entry(kind.to_string()).or_default() += 1;
    }

    /// Program and area for a case kind (特困 households have 1–2 members,
    /// so a case needing more is always 低保).
    fn program_area(&mut self, kind: Kind, min_size: usize) -> (Program, Area) {
        let dibao = |rng: &mut ChaCha8Rng| {
            if rng.random_bool(0.5) {
                (Program::UrbanDibao, Area::Urban)
            } else {
                (Program::RuralDibao, Area::Rural)
            }
        };
        let tekun = |rng: &mut ChaCha8Rng| {
            (
                Program::Tekun,
                if rng.random_bool(0.3) {
                    Area::Urban
                } else {
                    Area::Rural
                },
            )
        };
        match kind {
            Kind::Candidate => {
                let program = if self.rng.random_bool(0.5) {
                    Program::Marginal
                } else {
                    Program::Applicant
                };
                let area = if self.rng.random_bool(0.5) {
                    Area::Urban
                } else {
                    Area::Rural
                };
                (program, area)
            }
            Kind::Dibao => dibao(&mut self.rng),
            Kind::Tekun => tekun(&mut self.rng),
            Kind::Any if min_size > 2 || self.rng.random_bool(0.8) => dibao(&mut self.rng),
            Kind::Any => tekun(&mut self.rng),
        }
    }

    /// Plants one case, in the first county (rotating from `start`) whose
    /// parameters satisfy its precondition; `None` when no county does.
    fn plant(&mut self, def: &CaseDef, start: usize) -> Result<Option<Household>, GenError> {
        for attempt in 0..2 * self.counties.len() {
            let county = &self.counties[(start + attempt / 2) % self.counties.len()];
            let (mut program, mut area) = self.program_area(def.kind, def.size.0);
            if attempt % 2 == 1 {
                // The other area (and for 低保, the programme that goes with it).
                area = if area == Area::Urban {
                    Area::Rural
                } else {
                    Area::Urban
                };
                if program.is_recipient() && program != Program::Tekun {
                    program = if area == Area::Urban {
                        Program::UrbanDibao
                    } else {
                        Program::RuralDibao
                    };
                }
            }
            let region = roster::region_code(&mut self.rng, county, area);
            let params = self.params(&region)?;
            if !(def.applies)(&params, program, area) {
                continue;
            }
            let mut size = self.rng.random_range(def.size.0..=def.size.1);
            if program == Program::Tekun {
                size = size.min(2);
            }
            let shape = Shape {
                program,
                area,
                size,
                head_age: def.head_age,
            };
            let mut h = self.base_household(shape, region, params, def.name);
            if !program.is_recipient() {
                // Candidates are pending, and receive nothing yet.
                h.status = HouseholdStatus::Pending;
                h.benefit_start = None;
                h.last_review_date = None;
                h.tier = None;
            }
            (def.plant)(self, &mut h);
            if !h.income_fixed {
                roster::clamp_income(&mut h, Decimal::new(6, 1));
            }
            truth::check_income(&h, self.month, &self.people)?;
            if program.is_recipient() {
                roster::set_monthly_benefit(&mut h);
            }
            return Ok(Some(h));
        }
        Ok(None)
    }

    /// A clean household: income clearly under the standard, harmless rows.
    fn clean_household(&mut self) -> Result<Household, GenError> {
        let county = &self.counties[self.rng.random_range(0..self.counties.len())];
        let (program, area) = if self.rng.random_bool(0.1) {
            (
                Program::Tekun,
                if self.rng.random_bool(0.3) {
                    Area::Urban
                } else {
                    Area::Rural
                },
            )
        } else if self.rng.random_bool(0.45) {
            (Program::UrbanDibao, Area::Urban)
        } else {
            (Program::RuralDibao, Area::Rural)
        };
        let region = roster::region_code(&mut self.rng, county, area);
        let params = self.params(&region)?;
        let size = roster::random_size(&mut self.rng, program);
        let shape = Shape {
            program,
            area,
            size,
            head_age: None,
        };
        let mut h = self.base_household(shape, region, params, "clean");
        if program != Program::Tekun && size >= 2 && self.rng.random_bool(0.08) {
            // 单人保: one severely disabled or ill member covered.
            let k = self.rng.random_range(0..size);
            h.single_person_coverage = true;
            for (i, m) in h.members.iter_mut().enumerate() {
                m.covered = i == k;
            }
            let m = &mut h.members[k];
            if !m.severe_illness && !matches!(m.disability_grade, Some(1 | 2)) {
                m.disability_grade = Some(1);
                m.labor_capacity = crate::schema::LaborCapacity::None;
            }
        }
        if self.rng.random_bool(0.1) {
            h.status = HouseholdStatus::PhasingOut;
            h.phase_out_until = Some(self.month.plus(self.rng.random_range(-2..=3)).first_day());
        }
        roster::clamp_income(&mut h, Decimal::new(6, 1));
        truth::check_income(&h, self.month, &self.people)?;
        roster::set_monthly_benefit(&mut h);
        self.background_rows(&h);
        Ok(h)
    }

    /// Noise on a few roster members' names and ids as written in `members`.
    fn roster_noise(&mut self, households: &mut [Household]) {
        for h in households.iter_mut() {
            for m in &mut h.members {
                let (id, name) = {
                    let p = self.people.get(m.person);
                    (p.id.clone(), p.name.clone())
                };
                if self.rng.random_bool(0.03) {
                    if let Some((w, kind)) = people::noisy_id(&mut self.rng, &id) {
                        m.written_id = Some(w);
                        self.count_noise(&format!("members_{kind}"));
                    }
                }
                if self.rng.random_bool(0.04) {
                    if let Some((w, kind)) = names::noisy_name(&mut self.rng, &name) {
                        m.written_name = Some(w);
                        self.count_noise(&format!("members_{kind}"));
                    }
                }
            }
        }
    }
}

/// How many rounds of the case list to plant: about a third of the roster,
/// at least one full round.
fn rounds(households: usize) -> usize {
    (households / (3 * CASES.len())).max(1)
}

/// Writes the data directory and `truth/` for the request.
pub fn generate(req: &GenRequest) -> Result<GenSummary, GenError> {
    generate_with(req, GenOptions::default())
}

/// How a generated set departs from the shipped samples.
#[derive(Debug, Clone, Copy, Default)]
pub struct GenOptions {
    /// [`Noise::Linkage`] and [`Noise::Realistic`] also write
    /// `truth/linkage.csv` (see `noise.rs`, `realistic.rs`).
    pub noise: Noise,
    /// Volume and layout for scale benchmarks.
    pub scale: Scale,
    /// Register households and strangers in the first N counties of the
    /// generator's list only (real rosters cover one or two). `None`: all.
    pub counties: Option<usize>,
    /// The rates of [`Noise::Realistic`] (ignored by the other modes).
    pub rates: NoiseRates,
}

/// [`generate`] with noise, volume and layout options.
pub fn generate_with(req: &GenRequest, options: GenOptions) -> Result<GenSummary, GenError> {
    let GenOptions {
        noise: noise_mode,
        scale,
        counties,
        rates,
    } = options;
    if req.households == 0 {
        return Err(GenError::NoHouseholds);
    }
    let counties = match counties {
        None => COUNTIES,
        Some(n) if (1..=COUNTIES.len()).contains(&n) => &COUNTIES[..n],
        Some(given) => {
            return Err(GenError::Counties {
                given,
                max: COUNTIES.len(),
            })
        }
    };
    rates.check().map_err(GenError::NoiseRates)?;
    if req.out.exists() && !req.out.is_dir() {
        return Err(GenError::OutIsFile(req.out.clone()));
    }
    let policies = PolicySet::load_dir(&req.policies).map_err(|source| GenError::PolicyDir {
        dir: req.policies.clone(),
        source: Box::new(source),
    })?;
    let mut ctx = Ctx::new(req.seed, req.month, &policies);
    if counties.len() < COUNTIES.len() {
        // A county's extracts hold its own people: strangers from elsewhere
        // are rare (the roster of all counties keeps its historic 12%).
        ctx.counties = counties;
        ctx.home_share = 0.99;
    }
    ctx.standard_row_noise = noise_mode != Noise::Realistic;

    // 1. Planted cases (a fixed list, repeated), then clean households.
    let mut households: Vec<Household> = Vec::with_capacity(req.households);
    let mut unavailable: Vec<&'static str> = Vec::new();
    'rounds: for round in 0..rounds(req.households) {
        for (i, def) in CASES.iter().enumerate() {
            if households.len() >= req.households {
                break 'rounds;
            }
            match ctx.plant(def, i + round)? {
                Some(h) => households.push(h),
                None if round == 0 => unavailable.push(def.name),
                None => {}
            }
        }
    }
    let planted = households.len();
    while households.len() < req.households {
        let h = ctx.clean_household()?;
        households.push(h);
    }
    households.shuffle(&mut ctx.rng);
    ctx.roster_noise(&mut households);
    ctx.background_registers(&households);

    // 2. Strangers: most rows of every extract belong to nobody on the roster.
    let mut counts = StrangerCounts::for_extracts(&ctx.ex, req.households);
    if let Some(per_household) = scale.extract_rows_per_household {
        counts.scale_to_total(&ctx.ex, (per_household * req.households as f64) as usize);
    }
    ctx.stranger_rows(&counts);
    match noise_mode {
        Noise::Standard => {}
        Noise::Linkage => ctx.linkage_noise(req.households),
        Noise::Realistic => ctx.realistic_noise(req.households, &rates),
    }
    let Ctx {
        mut rng,
        people,
        ex,
        noise,
        reg,
        ..
    } = ctx;
    let mut ex = ex;
    ex.deposits.shuffle(&mut rng);
    ex.vehicles.shuffle(&mut rng);
    ex.properties.shuffle(&mut rng);
    ex.businesses.shuffle(&mut rng);
    ex.payroll.shuffle(&mut rng);
    ex.deaths.shuffle(&mut rng);
    for rows in ex.rows.values_mut() {
        rows.shuffle(&mut rng);
    }
    // `payroll/` is hive-partitioned by region: file order is partition order.
    ex.payroll
        .sort_by_cached_key(|r| write::payroll_partition(&people.get(r.holder.person).region_code));

    // 3. Write.
    let ids: Vec<String> = households
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{}-{:07}", &h.region_code[..6], i + 1))
        .collect();
    write::prepare(&req.out)?;
    write::households(&req.out, &ids, &households)?;
    write::members(&req.out, &ids, &households, &people)?;
    let layout = write::Layout {
        part_rows: scale.part_rows,
        // Real extracts carry them on every dataset (issue 15).
        person_columns: noise_mode == Noise::Realistic,
    };
    let extract_rows = write::extracts(&req.out, &ex, &people, layout)?;
    registers::write(
        &req.out,
        &mut rng,
        &reg,
        &people,
        &ids,
        &households,
        req.month,
    )?;

    // 4. Truth.
    let world = World {
        ids: &ids,
        households: &households,
        people: &people,
        ex: &ex,
        reg: &reg,
    };
    let mut cases: BTreeMap<&'static str, usize> = BTreeMap::new();
    for h in &households {
        *cases.entry(h.expected.case).or_default() += 1;
    }
    let noise: BTreeMap<&str, usize> = noise.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let meta = meta_json(req, &cases, &unavailable, &noise);
    write_truth(&req.out.join("truth"), req, &world, noise_mode, &meta)?;

    Ok(GenSummary {
        households: households.len(),
        members: households.iter().map(|h| h.members.len()).sum(),
        extract_rows,
        planted_cases: planted,
    })
}

/// What the truth files are made from.
struct World<'a> {
    ids: &'a [String],
    households: &'a [Household],
    people: &'a People,
    ex: &'a Extracts,
    reg: &'a registers::Registers,
}

/// Writes `truth/`: the expected decisions, links, review dates,
/// near-relative pairs, `linkage.csv` in the noisy modes, and `meta.json`.
fn write_truth(
    truth_dir: &std::path::Path,
    req: &GenRequest,
    w: &World,
    noise_mode: Noise,
    meta: &str,
) -> Result<(), GenError> {
    let World {
        ids,
        households,
        people,
        ex,
        reg,
    } = *w;
    std::fs::create_dir_all(truth_dir).map_err(|source| GenError::Io {
        path: truth_dir.to_path_buf(),
        source,
    })?;
    let expected: Vec<(String, &truth::Expected, Option<String>)> = ids
        .iter()
        .zip(households)
        .map(|(id, h)| {
            let covered = h.expected.candidate.as_ref().and_then(|c| c.covered);
            let covered_id = covered.map(|i| people.get(h.members[i].person).id.clone());
            (id.clone(), &h.expected, covered_id)
        })
        .collect();
    write::text(
        &truth_dir.join("decisions.csv"),
        &truth::decisions_csv(&expected),
    )?;
    write::text(
        &truth_dir.join("links.csv"),
        &truth::links_csv(links(ex, people)),
    )?;
    let review_due: Vec<(String, chrono::NaiveDate, &'static str)> = ids
        .iter()
        .zip(households)
        .filter_map(|(id, h)| {
            let (due, cadence) = truth::review_due(h, people, req.month)?;
            Some((id.clone(), due, cadence))
        })
        .collect();
    write::text(
        &truth_dir.join("review_due.csv"),
        &truth::review_due_csv(review_due),
    )?;
    let pairs: Vec<[String; 5]> = ids
        .iter()
        .zip(households)
        .flat_map(|(id, h)| {
            h.expected.near_relatives.iter().map(move |p| {
                [
                    id.clone(),
                    people.get(h.members[p.member].person).id.clone(),
                    people.get(reg.staff[p.staff].person).id.clone(),
                    p.relation.code().to_string(),
                    p.conflict.unwrap_or("").to_string(),
                ]
            })
        })
        .collect();
    write::text(
        &truth_dir.join("near_relative_conflicts.csv"),
        &truth::near_relatives_csv(pairs),
    )?;
    if noise_mode != Noise::Standard {
        noise::write_truth_csv(&truth_dir.join("linkage.csv"), ex, people)?;
    }
    write::text(&truth_dir.join("meta.json"), meta)
}

fn meta_json(
    req: &GenRequest,
    cases: &BTreeMap<&'static str, usize>,
    unavailable: &[&'static str],
    noise: &BTreeMap<&str, usize>,
) -> String {
    let value = serde_json::json!({
        "month": req.month.to_string(),
        "seed": req.seed,
        "households": req.households,
        "cases": cases,
        "cases_unavailable": unavailable,
        "noise": noise,
    });
    let mut s = serde_json::to_string_pretty(&value).expect("JSON of plain values");
    s.push('\n');
    s
}

/// (dataset, row_index, member id) for every extract row keyed to a member.
fn links(ex: &Extracts, people: &People) -> Vec<(&'static str, usize, String)> {
    let mut out = Vec::new();
    let mut add = |dataset: Dataset, persons: &mut dyn Iterator<Item = u32>| {
        for (row, p) in persons.enumerate() {
            let person = people.get(p);
            if person.member {
                out.push((dataset.name(), row, person.id.clone()));
            }
        }
    };
    add(
        Dataset::Deposits,
        &mut ex.deposits.iter().map(|r| r.holder.person),
    );
    add(
        Dataset::Vehicles,
        &mut ex.vehicles.iter().map(|r| r.holder.person),
    );
    add(
        Dataset::Properties,
        &mut ex.properties.iter().map(|r| r.holder.person),
    );
    add(
        Dataset::Businesses,
        &mut ex.businesses.iter().map(|r| r.holder.person),
    );
    add(
        Dataset::Payroll,
        &mut ex.payroll.iter().map(|r| r.holder.person),
    );
    add(
        Dataset::Deaths,
        &mut ex.deaths.iter().map(|r| r.holder.person),
    );
    for (&dataset, rows) in &ex.rows {
        add(dataset, &mut rows.iter().map(|r| r.holder.person));
    }
    out
}

/// The names of every planted case kind (for tests and docs).
pub fn case_names() -> Vec<&'static str> {
    CASES.iter().map(|c| c.name).collect()
}

#[cfg(test)]
mod tests;
