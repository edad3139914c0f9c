//! The near-relative registers: `staff` (经办人员及村居干部), `kinship`
//! (亲属关系) and `filings` (近亲属备案).
//!
//! Background rows never make a pair: background staff are fresh strangers,
//! their kinship rows link them to other strangers, and members' kinship
//! rows link them to strangers who are not staff. Every near-relative pair
//! in a generated set is planted (see `plant.rs`), so its truth is known by
//! construction. Ids here carry only noise that normalises away (rules.md:
//! `staff` and `kinship` join on normalised ids only).

use super::names;
use super::people::{birth_for_age, noisy_id, People};
use super::roster::{Household, COUNTIES};
use super::write::{date_col, text_col, write_frame};
use super::{Ctx, GenError};
use crate::schema::{KinshipSource, Relation, StaffRole};
use chrono::NaiveDate;
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use std::path::Path;

pub(crate) struct StaffRow {
    pub person: u32,
    pub role: StaffRole,
    pub region_code: String,
}

pub(crate) struct KinshipRow {
    pub a: u32,
    pub b: u32,
    pub relation_of_b_to_a: Relation,
    pub source: KinshipSource,
}

#[derive(Default)]
pub(crate) struct Registers {
    pub staff: Vec<StaffRow>,
    pub kinship: Vec<KinshipRow>,
    staff_persons: HashSet<u32>,
}

impl Ctx<'_> {
    /// A new staff member (a stranger to the roster) working in `region_code`.
    pub(crate) fn new_staff(&mut self, role: StaffRole, region_code: &str) -> usize {
        let male = self.rng.random_bool(0.6);
        let county = &region_code[..6];
        let name = names::full_name(&mut self.rng, county, male, None);
        let age = self.rng.random_range(28..=58);
        let birth = birth_for_age(&mut self.rng, self.month.last_day(), age);
        let person = self
            .people
            .add_stranger(&mut self.rng, name, birth, male, region_code);
        self.staff_row(person, role, region_code)
    }

    /// Registers `person` (a stranger or a roster member) as staff.
    pub(crate) fn staff_row(&mut self, person: u32, role: StaffRole, region_code: &str) -> usize {
        self.reg.staff_persons.insert(person);
        self.reg.staff.push(StaffRow {
            person,
            role,
            region_code: region_code.to_string(),
        });
        self.reg.staff.len() - 1
    }

    pub(crate) fn kinship_row(
        &mut self,
        a: u32,
        b: u32,
        relation_of_b_to_a: Relation,
        source: KinshipSource,
    ) {
        self.reg.kinship.push(KinshipRow {
            a,
            b,
            relation_of_b_to_a,
            source,
        });
    }

    /// Staff and kinship rows that make no pair: about one staff member per
    /// 25 households, each with a relative among strangers, and kinship
    /// between some members and strangers who are not staff.
    pub(crate) fn background_registers(&mut self, households: &[Household]) {
        let roles = [
            StaffRole::CivilAffairs,
            StaffRole::TownshipCaseWorker,
            StaffRole::VillageCadre,
            StaffRole::Verifier,
        ];
        for _ in 0..households.len() / 25 + 2 {
            let h = &households[self.rng.random_range(0..households.len())];
            let role = *roles
                .choose(&mut self.rng)
                .unwrap_or(&StaffRole::VillageCadre);
            let region = match role {
                StaffRole::VillageCadre => h.region_code.clone(),
                StaffRole::TownshipCaseWorker => format!("{}000", &h.region_code[..9]),
                _ => format!("{}000000", &h.region_code[..6]),
            };
            let staff = self.new_staff(role, &region);
            let relative = self.stranger_not_staff();
            let staff_person = self.reg.staff[staff].person;
            self.kinship_row(
                staff_person,
                relative,
                Relation::Spouse,
                KinshipSource::Hukou,
            );
        }
        for _ in 0..households.len() / 10 + 1 {
            let h = &households[self.rng.random_range(0..households.len())];
            let member = h.members[self.rng.random_range(0..h.members.len())].person;
            let relative = self.stranger_not_staff();
            let relation = *[Relation::Sibling, Relation::Child, Relation::Parent]
                .choose(&mut self.rng)
                .unwrap_or(&Relation::Sibling);
            let source = if self.rng.random_bool(0.5) {
                KinshipSource::Hukou
            } else {
                KinshipSource::Declared
            };
            self.kinship_row(member, relative, relation, source);
        }
    }

    fn stranger_not_staff(&mut self) -> u32 {
        loop {
            let p = self.stranger();
            if !self.reg.staff_persons.contains(&p) {
                return p;
            }
        }
    }
}

/// A 12-digit region code of another township of the same county.
pub(crate) fn other_township(rng: &mut ChaCha8Rng, region_code: &str) -> String {
    let county = COUNTIES
        .iter()
        .find(|c| region_code.starts_with(c.code))
        .expect("households are registered in the generator's counties");
    let own = &region_code[6..9];
    let others: Vec<&str> = county
        .streets
        .iter()
        .chain(county.towns)
        .map(|(code, _)| *code)
        .filter(|code| *code != own)
        .collect();
    let town = others.choose(rng).copied().unwrap_or("999");
    format!("{}{town}000", county.code)
}

/// An id as a register writes it: now and then with normalisable noise.
fn written_id(rng: &mut ChaCha8Rng, id: &str) -> String {
    if rng.random_bool(0.1) {
        if let Some((w, _)) = noisy_id(rng, id) {
            return w;
        }
    }
    id.to_string()
}

/// Writes `staff.parquet`, `kinship.parquet` and `filings.parquet`.
pub(crate) fn write(
    out: &Path,
    rng: &mut ChaCha8Rng,
    reg: &Registers,
    people: &People,
    ids: &[String],
    households: &[Household],
    month: crate::calendar::RunMonth,
) -> Result<(), GenError> {
    let mut ids_staff = Vec::new();
    let mut names_staff = Vec::new();
    for s in &reg.staff {
        let p = people.get(s.person);
        ids_staff.push(written_id(rng, &p.id));
        names_staff.push(p.name.clone());
    }
    write_frame(
        "staff",
        &out.join("staff.parquet"),
        vec![
            text_col("name", names_staff),
            text_col("id_number", ids_staff),
            text_col(
                "role",
                reg.staff
                    .iter()
                    .map(|s| s.role.code().to_string())
                    .collect(),
            ),
            text_col(
                "region_code",
                reg.staff.iter().map(|s| s.region_code.clone()).collect(),
            ),
        ],
    )?;

    let mut cols: [Vec<String>; 6] = Default::default();
    for k in &reg.kinship {
        let (a, b) = (people.get(k.a), people.get(k.b));
        cols[0].push(written_id(rng, &a.id));
        cols[1].push(a.name.clone());
        cols[2].push(written_id(rng, &b.id));
        cols[3].push(b.name.clone());
        cols[4].push(k.relation_of_b_to_a.code().to_string());
        cols[5].push(k.source.code().to_string());
    }
    let [a_id, a_name, b_id, b_name, relation, source] = cols;
    write_frame(
        "kinship",
        &out.join("kinship.parquet"),
        vec![
            text_col("person_a_id_number", a_id),
            text_col("person_a_name", a_name),
            text_col("person_b_id_number", b_id),
            text_col("person_b_name", b_name),
            text_col("relation_of_b_to_a", relation),
            text_col("source", source),
        ],
    )?;

    let mut household_ids = Vec::new();
    let mut staff_ids = Vec::new();
    let mut relations = Vec::new();
    let mut filed_on: Vec<Option<NaiveDate>> = Vec::new();
    for (id, h) in ids.iter().zip(households) {
        for &(staff, relation) in &h.filings {
            household_ids.push(id.clone());
            staff_ids.push(written_id(rng, &people.get(reg.staff[staff].person).id));
            relations.push(relation.code().to_string());
            let back = rng.random_range(1..=36);
            filed_on.push(Some(month.plus(-back).first_day()));
        }
    }
    write_frame(
        "filings",
        &out.join("filings.parquet"),
        vec![
            text_col("household_id", household_ids),
            text_col("staff_id_number", staff_ids),
            text_col("relation", relations),
            date_col("filed_on", filed_on.into_iter()),
        ],
    )
}
