//! A small world for rule tests: one household in 乐至县-like conditions
//! ([`Params::example`]), run month 2024-10.
//!
//! Only rules' and `decide`'s tests use it: a module that `rules` imports
//! builds its test values itself (`Member::adult`, `Source::exact`,
//! `Params::example`), or its tests would close an import circle.

use super::{assess, Assessment, Finding, Kin, RuleId};
use crate::calendar::RunMonth;
use crate::evidence::*;
use crate::link::MatchStatus;
use crate::near_relatives::{self, HouseholdKin};
use crate::normalise::{Filing, KinshipRow, Registers, StaffMember};
use crate::normalise::{Household, Member, Roster};
use crate::policy::Params;
use crate::schema::*;
use crate::text::normalize_id;
use crate::verdict::Action;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::BTreeSet;

pub fn ym(s: &str) -> RunMonth {
    s.parse().unwrap()
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn params() -> Params {
    Params::example()
}

/// A covered adult with no income.
pub fn member() -> Member {
    Member::adult()
}

pub fn payroll(member: u32, month: &str, pay: Decimal) -> Payroll {
    Payroll {
        source: Source::exact(Dataset::Payroll, member, 0),
        employer: Some("县教育局".into()),
        gross_monthly_pay: Some(pay),
        pay_month: Some(date(month)),
    }
}

pub struct World {
    pub params: Params,
    pub household: Household,
    pub members: Vec<Member>,
    pub evidence: HouseholdEvidence,
    pub supplied: BTreeSet<Dataset>,
    pub month: RunMonth,
    /// `staff`, `kinship` and `filings` rows; joined when assessing.
    pub registers: Registers,
    next_row: u64,
}

impl World {
    /// An active urban 低保 household of `n` covered members with no income.
    pub fn household(n: usize) -> World {
        let members = (0..n)
            .map(|i| {
                let mut m = member();
                m.row_index = i as u64;
                let first17 = format!("51202219800101{:03}", i + 100);
                let id = format!("{first17}{}", crate::text::check_digit(&first17).unwrap());
                m.id = normalize_id(Some(&id));
                m.name = Some(format!("成员{i}"));
                m
            })
            .collect();
        World {
            params: params(),
            household: Household {
                row_index: 0,
                household_id: "H1".into(),
                region_code: "512022101001".into(),
                area: Some(Area::Urban),
                program: Some(Program::UrbanDibao),
                status: Some(HouseholdStatus::Active),
                tier: None,
                single_person_coverage: false,
                benefit_start: Some(date("2023-01-01")),
                phase_out_until: None,
                monthly_benefit: Some(dec!(500)),
                last_review_date: None,
                members: (0..n as u32).collect(),
                roster_problems: vec![],
            },
            members,
            evidence: HouseholdEvidence::default(),
            supplied: Dataset::LINKED.into_iter().collect(),
            month: ym("2024-10"),
            registers: Registers::default(),
            next_row: 0,
        }
    }

    /// [`World::household`] as a 申请 (applicant) household, pending.
    pub fn candidate(n: usize) -> World {
        let mut w = World::household(n);
        w.household.program = Some(Program::Applicant);
        w.household.status = Some(HouseholdStatus::Pending);
        w
    }

    fn source(&mut self, dataset: Dataset, member: u32) -> Source {
        self.next_row += 1;
        Source::exact(dataset, member, self.next_row)
    }

    pub fn single_person_covering(&mut self, covered: u32) {
        self.household.single_person_coverage = true;
        for (i, m) in self.members.iter_mut().enumerate() {
            m.covered = i as u32 == covered;
        }
    }

    pub fn death(&mut self, member: u32, on: Option<&str>) {
        let source = self.source(Dataset::Deaths, member);
        self.evidence.deaths.push(Death {
            source,
            date_of_death: on.map(date),
            source_agency: Some(DeathSource::Police),
        });
    }

    pub fn payroll(&mut self, member: u32, month: &str, pay: Decimal) {
        let source = self.source(Dataset::Payroll, member);
        self.evidence.payroll.push(Payroll {
            source,
            ..payroll(member, month, pay)
        });
    }

    pub fn vehicle(
        &mut self,
        member: u32,
        vehicle_type: VehicleType,
        status: VehicleStatus,
        value: Option<Decimal>,
    ) {
        let source = self.source(Dataset::Vehicles, member);
        self.evidence.vehicles.push(Vehicle {
            source,
            plate_no: Some(format!("川M{}", source.row_index)),
            vehicle_type: Some(vehicle_type),
            use_nature: Some(UseNature::Private),
            status: Some(status),
            assessed_value: value,
        });
    }

    pub fn property(
        &mut self,
        member: u32,
        unit: &str,
        usage: PropertyUsage,
        status: PropertyStatus,
        area: Decimal,
        share: Decimal,
    ) {
        let source = self.source(Dataset::Properties, member);
        self.evidence.properties.push(Property {
            source,
            unit_no: Some(unit.into()),
            location: Some("乐至县天池镇".into()),
            usage: Some(usage),
            area_m2: Some(area),
            share: Some(share),
            status: Some(status),
        });
    }

    pub fn business(
        &mut self,
        member: u32,
        t: EntityType,
        role: BusinessRole,
        status: BusinessStatus,
        capital: Option<Decimal>,
    ) {
        let source = self.source(Dataset::Businesses, member);
        self.evidence.businesses.push(Business {
            source,
            entity_name: Some("乐至县某某商贸有限公司".into()),
            credit_code: Some("91512022MA00000000".into()),
            entity_type: Some(t),
            role: Some(role),
            registered_capital: capital,
            status: Some(status),
        });
    }

    pub fn deposit(
        &mut self,
        member: u32,
        institution: &str,
        account: &str,
        balance: Decimal,
        as_of: &str,
    ) {
        let source = self.source(Dataset::Deposits, member);
        self.evidence.deposits.push(Deposit {
            source,
            institution: Some(institution.into()),
            account_no: Some(account.into()),
            asset_type: Some(AssetType::Deposit),
            balance: Some(balance),
            as_of: Some(date(as_of)),
        });
    }

    fn sources_mut(&mut self) -> Vec<&mut Source> {
        let e = &mut self.evidence;
        let mut all: Vec<&mut Source> = Vec::new();
        all.extend(e.deaths.iter_mut().map(|x| &mut x.source));
        all.extend(e.payroll.iter_mut().map(|x| &mut x.source));
        all.extend(e.vehicles.iter_mut().map(|x| &mut x.source));
        all.extend(e.properties.iter_mut().map(|x| &mut x.source));
        all.extend(e.businesses.iter_mut().map(|x| &mut x.source));
        all.extend(e.deposits.iter_mut().map(|x| &mut x.source));
        all
    }

    /// Every link so far becomes a `review` link (score 0.7).
    pub fn make_links_review(&mut self) {
        for s in self.sources_mut() {
            s.status = MatchStatus::Review;
            s.score = 0.7;
        }
    }

    /// The links of one member's rows become `review` links.
    pub fn make_link_review(&mut self, member: u32) {
        for s in self
            .sources_mut()
            .into_iter()
            .filter(|s| s.member == member)
        {
            s.status = MatchStatus::Review;
            s.score = 0.7;
        }
    }

    pub fn household_with_members(&self) -> Household {
        self.household.clone()
    }

    pub fn roster(&self) -> Roster {
        Roster {
            households: vec![self.household.clone()],
            members: self.members.clone(),
        }
    }

    /// A staff member (index into `registers.staff`) with a fresh id;
    /// supplying `staff` to the run.
    pub fn staff(&mut self, role: StaffRole, region_code: &str) -> u32 {
        let n = self.registers.staff.len();
        let first17 = format!("51202219700101{:03}", n + 500);
        let id = format!("{first17}{}", crate::text::check_digit(&first17).unwrap());
        self.add_staff(&id, role, region_code)
    }

    /// A staff member who is `member` of the household.
    pub fn staff_is_member(&mut self, member: u32, role: StaffRole) -> u32 {
        let id = self.members[member as usize].id_number().to_string();
        let region = self.household.region_code.clone();
        self.add_staff(&id, role, &region)
    }

    fn add_staff(&mut self, id: &str, role: StaffRole, region_code: &str) -> u32 {
        self.supplied.insert(Dataset::Staff);
        let n = self.registers.staff.len();
        self.registers.staff.push(StaffMember {
            row_index: n as u64,
            name: Some(format!("干部{n}")),
            id: normalize_id(Some(id)),
            role: Some(role),
            region_code: Some(region_code.into()),
        });
        n as u32
    }

    /// A `kinship` row saying `member` is the staff member's `relation`
    /// (written from the staff member's side: A = staff, B = member).
    pub fn kinship_of_staff(&mut self, staff: u32, member: u32, relation: Relation) {
        let n = self.registers.kinship.len();
        self.registers.kinship.push(KinshipRow {
            row_index: n as u64,
            a_id: self.registers.staff[staff as usize].id.value.clone(),
            b_id: self.members[member as usize].id.value.clone(),
            relation_of_b_to_a: Some(relation),
            source: Some(KinshipSource::Hukou),
        });
    }

    /// A filing for this household and the staff member.
    pub fn filing(&mut self, staff: u32, relation: Relation) {
        let n = self.registers.filings.len();
        self.registers.filings.push(Filing {
            row_index: n as u64,
            household_id: self.household.household_id.clone(),
            staff_id: self.registers.staff[staff as usize].id.value.clone(),
            relation: Some(relation),
        });
    }

    fn kin(&self) -> HouseholdKin {
        let roster = self.roster();
        let index = crate::link::MemberIndex::new(&roster, &mut Vec::new());
        near_relatives::join(&roster, &index, &self.registers, &mut Vec::new())
            .pop()
            .unwrap_or_default()
    }

    pub fn assess(&self) -> Assessment {
        let kin = self.kin();
        assess(
            &self.roster(),
            &self.household,
            &self.evidence,
            Kin {
                household: &kin,
                staff: &self.registers.staff,
            },
            crate::rules::Coverage::new(&self.supplied, &Default::default()),
            &self.params,
            self.month,
        )
    }

    pub fn findings(&self) -> Vec<Finding> {
        self.assess().findings
    }

    /// What the rules found, as (rule, action) pairs in finding order, each
    /// once: what a rule's own tests assert (precedence is `decide`'s).
    pub fn fired(&self) -> Vec<(RuleId, Action)> {
        let mut fired: Vec<(RuleId, Action)> = Vec::new();
        for f in self.findings() {
            if !fired.contains(&(f.rule, f.action)) {
                fired.push((f.rule, f.action));
            }
        }
        fired
    }

    /// Whether every finding is `rule`'s and uncertain (it rests on a
    /// `review` link or an unreadable value), and there is one.
    pub fn only_uncertain(&self, rule: RuleId) -> bool {
        let findings = self.findings();
        !findings.is_empty() && findings.iter().all(|f| f.rule == rule && !f.certain)
    }
}
