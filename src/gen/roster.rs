//! The roster: counties and region codes, households and members, and the
//! builder of an ordinary (clean) household.

use super::names;
use super::people::{age_on, birth_for_age};
use super::truth::{self, Expected};
use super::Ctx;
use super::GenError;
use crate::policy::Params;
use crate::schema::{Area, HouseholdStatus, LaborCapacity, Program, Relation};
use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rust_decimal::{Decimal, RoundingStrategy};
use std::sync::Arc;

/// A county the generator registers households in. Region codes are
/// county (6) + township (3) + village (3): street offices (街道) have
/// township codes 001–099 and communities 001–099 (urban); towns (镇) 100–199
/// and townships (乡) 200–299 with villages 200–399 (rural).
#[derive(Debug)]
pub(crate) struct County {
    pub code: &'static str,
    pub name: &'static str,
    /// Licence-plate prefix of the prefecture.
    pub plate: &'static str,
    /// (code, name) of street offices.
    pub streets: &'static [(&'static str, &'static str)],
    /// (code, name) of towns and townships.
    pub towns: &'static [(&'static str, &'static str)],
}

/// The jurisdictions of the seed reports (policy files exist for each).
pub(crate) const COUNTIES: &[County] = &[
    County {
        code: "512022",
        name: "四川省资阳市乐至县",
        plate: "川M",
        streets: &[("001", "天池街道"), ("002", "南塔街道")],
        towns: &[
            ("101", "回澜镇"),
            ("103", "童家镇"),
            ("104", "宝林镇"),
            ("106", "良安镇"),
            ("110", "中天镇"),
        ],
    },
    County {
        code: "621002",
        name: "甘肃省庆阳市西峰区",
        plate: "甘M",
        streets: &[
            ("001", "北街街道"),
            ("002", "南街街道"),
            ("003", "西街街道"),
        ],
        towns: &[
            ("101", "肖金镇"),
            ("102", "董志镇"),
            ("103", "后官寨镇"),
            ("201", "显胜乡"),
        ],
    },
    County {
        code: "620521",
        name: "甘肃省天水市清水县",
        plate: "甘E",
        streets: &[("001", "永清街道")],
        towns: &[
            ("101", "永清镇"),
            ("102", "红堡镇"),
            ("103", "白沙镇"),
            ("104", "山门镇"),
            ("201", "丰望乡"),
        ],
    },
    County {
        code: "530427",
        name: "云南省玉溪市新平彝族傣族自治县",
        plate: "云F",
        streets: &[("001", "桂山街道"), ("002", "古城街道")],
        towns: &[
            ("101", "扬武镇"),
            ("102", "漠沙镇"),
            ("103", "戛洒镇"),
            ("201", "平甸乡"),
            ("202", "建兴乡"),
        ],
    },
    County {
        code: "640104",
        name: "宁夏回族自治区银川市兴庆区",
        plate: "宁A",
        streets: &[
            ("001", "凤凰北街街道"),
            ("002", "解放西街街道"),
            ("003", "富宁街街道"),
        ],
        towns: &[
            ("101", "掌政镇"),
            ("102", "大新镇"),
            ("201", "通贵乡"),
            ("202", "月牙湖乡"),
        ],
    },
];

/// Counties outside the jurisdictions, for strangers registered elsewhere.
pub(crate) const OTHER_COUNTIES: &[&str] = &[
    "510104", "510704", "620102", "530102", "640106", "110105", "440106",
];

/// A random 12-digit region code of the county for the area.
pub(crate) fn region_code(rng: &mut impl Rng, county: &County, area: Area) -> String {
    match area {
        Area::Urban => {
            let (street, _) = county.streets[rng.random_range(0..county.streets.len())];
            format!("{}{street}{:03}", county.code, rng.random_range(1..=12))
        }
        Area::Rural => {
            let (town, _) = county.towns[rng.random_range(0..county.towns.len())];
            format!("{}{town}{:03}", county.code, rng.random_range(200..=224))
        }
    }
}

/// An address within a region, for `properties.location`.
pub(crate) fn location(rng: &mut impl Rng, region_code: &str) -> String {
    let county = COUNTIES.iter().find(|c| region_code.starts_with(c.code));
    let village = names::VILLAGES[rng.random_range(0..names::VILLAGES.len())];
    match county {
        Some(c) => {
            let code = &region_code[6..9];
            let town = c
                .streets
                .iter()
                .chain(c.towns)
                .find(|(t, _)| *t == code)
                .map_or("", |(_, n)| *n);
            if code < "100" {
                format!(
                    "{}{town}{village}社区{}栋{}单元{}",
                    c.name,
                    rng.random_range(1..=30),
                    rng.random_range(1..=4),
                    rng.random_range(101..=1802)
                )
            } else {
                format!(
                    "{}{town}{village}村{}组{}号",
                    c.name,
                    rng.random_range(1..=9),
                    rng.random_range(1..=120)
                )
            }
        }
        None => format!(
            "{}区{village}路{}号",
            &region_code[..6],
            rng.random_range(1..=300)
        ),
    }
}

/// A member's declared monthly amounts (members' money columns).
#[derive(Debug, Clone, Default)]
pub(crate) struct Declared {
    pub wage: Decimal,
    pub business: Decimal,
    pub property: Decimal,
    pub transfer: Decimal,
    pub pension: Decimal,
    pub medical: Decimal,
    pub education: Decimal,
}

/// One row of `members`, with what the generator knows about the person.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub person: u32,
    pub relation: Relation,
    pub covered: bool,
    pub disability_grade: Option<u8>,
    pub severe_illness: bool,
    pub labor_capacity: LaborCapacity,
    pub in_school: bool,
    pub declared: Declared,
    /// Name and id as written in `members` when noisy (else canonical).
    pub written_name: Option<String>,
    pub written_id: Option<String>,
    /// The verified wage the planted payroll rows give (rules.md "Income").
    pub verified_wage: Option<Decimal>,
    /// A `deaths` row dated on or before the run month's end was planted.
    pub dead: bool,
    pub age: u32,
}

/// One row of `households` with its members and expected decision.
#[derive(Debug, Clone)]
pub(crate) struct Household {
    pub region_code: String,
    pub area: Area,
    pub program: Program,
    pub status: HouseholdStatus,
    pub tier: Option<i32>,
    pub single_person_coverage: bool,
    pub benefit_start: Option<NaiveDate>,
    pub phase_out_until: Option<NaiveDate>,
    pub monthly_benefit: Option<Decimal>,
    pub last_review_date: Option<NaiveDate>,
    pub members: Vec<Member>,
    pub params: Arc<Params>,
    pub expected: Expected,
    /// The case set incomes deliberately: do not clamp them afterwards.
    pub income_fixed: bool,
    /// `filings` rows: (staff index, the member's relation to the staff member).
    pub filings: Vec<(usize, Relation)>,
}

impl Household {
    pub fn standard(&self) -> Decimal {
        truth::standard(&self.params, self.program, self.area)
    }

    pub fn living(&self) -> usize {
        self.members.iter().filter(|m| !m.dead).count()
    }

    /// `standard × living members`.
    pub fn standard_total(&self) -> Decimal {
        self.standard() * Decimal::from(self.living())
    }
}

/// What kind of household a case needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub program: Program,
    pub area: Area,
    pub size: usize,
    /// Age range of the head, when the case needs one.
    pub head_age: Option<(u32, u32)>,
}

/// Money with 2 decimal places, uniformly between `lo` and `hi` yuan.
pub(crate) fn yuan(rng: &mut impl Rng, lo: i64, hi: i64) -> Decimal {
    Decimal::new(rng.random_range(lo * 100..=hi * 100), 2)
}

pub(crate) fn floor2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::ToNegativeInfinity)
}

pub(crate) fn ceil2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::ToPositiveInfinity)
}

pub(crate) fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

/// Random household size for a programme: 1–5 for 低保, 1–2 for 特困.
pub(crate) fn random_size(rng: &mut impl Rng, program: Program) -> usize {
    if program == Program::Tekun {
        return if rng.random_bool(0.85) { 1 } else { 2 };
    }
    match rng.random_range(0..100) {
        0..=24 => 1,
        25..=51 => 2,
        52..=76 => 3,
        77..=91 => 4,
        _ => 5,
    }
}

impl Ctx<'_> {
    /// An ordinary household of the given shape: members with plausible
    /// ages, relations, health and small declared amounts. The expectation
    /// is `keep` with no reasons; cases change it.
    pub(crate) fn base_household(
        &mut self,
        shape: Shape,
        region_code: String,
        params: Arc<Params>,
        case: &'static str,
    ) -> Household {
        let reference = self.month.last_day();
        let county = region_code[..6].to_string();
        let tekun = shape.program == Program::Tekun;
        let rng = &mut self.rng;

        // Head.
        let head_age = match shape.head_age {
            Some((lo, hi)) => rng.random_range(lo..=hi),
            None if tekun => {
                if rng.random_bool(0.8) {
                    rng.random_range(60..=90)
                } else {
                    rng.random_range(25..=59)
                }
            }
            None => rng.random_range(28..=82),
        };
        let head_male = rng.random_bool(0.7);
        let head_name = names::full_name(rng, &county, head_male, None);
        let family_surname = names::surname_of(&head_name).map(str::to_string);

        struct Plan {
            relation: Relation,
            age: u32,
            male: bool,
            name: String,
        }
        let mut plans = vec![Plan {
            relation: Relation::Head,
            age: head_age,
            male: head_male,
            name: head_name,
        }];
        let mut spouse_taken = false;
        let mut parents = 0;
        while plans.len() < shape.size {
            let r = rng.random_range(0..100);
            let plan = if tekun {
                // Two 特困 people in one household: elderly siblings.
                let age = (head_age as i64 + rng.random_range(-6..=6)).clamp(18, 95) as u32;
                let male = rng.random_bool(0.5);
                let name = names::full_name(rng, &county, male, family_surname.as_deref());
                Plan {
                    relation: Relation::Sibling,
                    age,
                    male,
                    name,
                }
            } else if !spouse_taken && head_age >= 22 && r < 70 {
                spouse_taken = true;
                let age = (head_age as i64 + rng.random_range(-5..=5)).clamp(20, 95) as u32;
                let male = !head_male;
                let name = names::full_name(rng, &county, male, None);
                Plan {
                    relation: Relation::Spouse,
                    age,
                    male,
                    name,
                }
            } else if parents < 2 && head_age <= 58 && r < 85 {
                parents += 1;
                let age = (head_age + rng.random_range(20..=32)).min(96);
                let male = parents == 1 && rng.random_bool(0.5);
                let fixed = if male {
                    family_surname.as_deref()
                } else {
                    None
                };
                let name = names::full_name(rng, &county, male, fixed);
                Plan {
                    relation: Relation::Parent,
                    age,
                    male,
                    name,
                }
            } else if head_age >= 20 {
                let age = head_age.saturating_sub(rng.random_range(20..=38));
                let male = rng.random_bool(0.5);
                let name = names::full_name(rng, &county, male, family_surname.as_deref());
                Plan {
                    relation: Relation::Child,
                    age,
                    male,
                    name,
                }
            } else {
                let age = (head_age as i64 + rng.random_range(-8..=8)).clamp(0, 40) as u32;
                let male = rng.random_bool(0.5);
                let name = names::full_name(rng, &county, male, family_surname.as_deref());
                Plan {
                    relation: Relation::Sibling,
                    age,
                    male,
                    name,
                }
            };
            plans.push(plan);
        }

        let mut members = Vec::with_capacity(plans.len());
        for plan in plans {
            let birth = birth_for_age(&mut self.rng, reference, plan.age);
            let person =
                self.people
                    .add_member(&mut self.rng, plan.name, birth, plan.male, &region_code);
            let age = age_on(birth, reference);
            let member =
                ordinary_member(&mut self.rng, person, plan.relation, age, shape.area, tekun);
            members.push(member);
        }

        let rng = &mut self.rng;
        let benefit_start = self.month.plus(-rng.random_range(4..=120)).first_day();
        let review_month = self.month.plus(-rng.random_range(1..=11));
        let review_day = rng.random_range(1..=review_month.last_day().day());
        let last_review =
            NaiveDate::from_ymd_opt(review_month.year(), review_month.month(), review_day)
                .map(|d| d.max(benefit_start));
        let tier = match shape.program {
            Program::Tekun => None,
            _ if rng.random_bool(0.6) => Some(rng.random_range(1..=4)),
            _ => None,
        };
        Household {
            region_code,
            area: shape.area,
            program: shape.program,
            status: HouseholdStatus::Active,
            tier,
            single_person_coverage: false,
            benefit_start: Some(benefit_start),
            phase_out_until: None,
            monthly_benefit: None,
            last_review_date: if rng.random_bool(0.95) {
                last_review
            } else {
                None
            },
            members,
            params,
            expected: Expected::new(case),
            income_fixed: false,
            filings: Vec::new(),
        }
    }
}

/// A member with health, schooling and small declared amounts fitting the age.
fn ordinary_member(
    rng: &mut impl Rng,
    person: u32,
    relation: Relation,
    age: u32,
    area: Area,
    tekun: bool,
) -> Member {
    let disability_grade = if tekun && rng.random_bool(0.4) || rng.random_bool(0.07) {
        Some(rng.random_range(1..=4u8))
    } else {
        None
    };
    let severe_illness = rng.random_bool(if tekun { 0.2 } else { 0.05 });
    let labor_capacity = if age < 16 || tekun || matches!(disability_grade, Some(1 | 2)) {
        LaborCapacity::None
    } else if age >= 60 || disability_grade.is_some() || severe_illness {
        if rng.random_bool(0.5) {
            LaborCapacity::None
        } else {
            LaborCapacity::Partial
        }
    } else {
        match rng.random_range(0..10) {
            0..=6 => LaborCapacity::Full,
            7..=8 => LaborCapacity::Partial,
            _ => LaborCapacity::None,
        }
    };
    let in_school = match age {
        6..=18 => rng.random_bool(0.92),
        19..=22 => rng.random_bool(0.4),
        _ => false,
    };
    let mut d = Declared::default();
    if age >= 16 && labor_capacity != LaborCapacity::None && !in_school && rng.random_bool(0.6) {
        d.wage = yuan(rng, 200, 1500);
    }
    if age >= 18 && rng.random_bool(if area == Area::Rural { 0.4 } else { 0.1 }) {
        d.business = yuan(rng, 50, 400);
    }
    if rng.random_bool(0.03) {
        d.property = yuan(rng, 20, 100);
    }
    if rng.random_bool(0.3) {
        d.transfer = yuan(rng, 50, 300);
    }
    if age >= 60 && rng.random_bool(0.9) {
        d.pension = yuan(rng, 103, 220);
    }
    if (severe_illness || disability_grade.is_some()) && rng.random_bool(0.6) {
        d.medical = yuan(rng, 50, 500);
    } else if rng.random_bool(0.05) {
        d.medical = yuan(rng, 20, 100);
    }
    if in_school && rng.random_bool(0.5) {
        d.education = yuan(rng, 50, 300);
    }
    Member {
        person,
        relation,
        covered: true,
        disability_grade,
        severe_illness,
        labor_capacity,
        in_school,
        declared: d,
        written_name: None,
        written_id: None,
        verified_wage: None,
        dead: false,
        age,
    }
}

/// Lowers declared income (largest component first) until the household's
/// income is at most `fraction` of `standard × living members`.
pub(crate) fn clamp_income(h: &mut Household, fraction: Decimal) {
    let target = h.standard_total() * fraction;
    let params = h.params.clone();
    for _ in 0..64 {
        if truth::household_income(&params, h, true) <= target {
            return;
        }
        // The largest declared income component of a living member.
        let mut best: Option<(usize, usize, Decimal)> = None;
        for (i, m) in h.members.iter().enumerate().filter(|(_, m)| !m.dead) {
            let d = &m.declared;
            let pension = if params.exclude_basic_pension {
                Decimal::ZERO
            } else {
                d.pension
            };
            for (k, v) in [d.wage, d.business, d.property, d.transfer, pension]
                .into_iter()
                .enumerate()
            {
                if v > Decimal::ZERO && best.is_none_or(|b| v > b.2) {
                    best = Some((i, k, v));
                }
            }
        }
        let Some((i, k, _)) = best else { return };
        let d = &mut h.members[i].declared;
        match k {
            0 => d.wage = Decimal::ZERO,
            1 => d.business = Decimal::ZERO,
            2 => d.property = Decimal::ZERO,
            3 => d.transfer = Decimal::ZERO,
            _ => d.pension = Decimal::ZERO,
        }
    }
}

/// Sets the amount paid now from the gap between the standard and income.
pub(crate) fn set_monthly_benefit(h: &mut Household) {
    let covered = h.members.iter().filter(|m| m.covered).count().max(1);
    let standard = h.standard();
    let benefit = if h.program == Program::Tekun {
        standard * Decimal::from(covered)
    } else {
        let n = h.members.len().max(1);
        let per_capita = truth::household_income(&h.params, h, false) / Decimal::from(n);
        let gap = (standard - per_capita).max(standard * Decimal::new(2, 1));
        (gap * Decimal::from(covered)).round_dp(0)
    };
    h.monthly_benefit = Some(round2(benefit));
}

/// Validates the parameters the generator depends on.
pub(crate) fn check_params(region: &str, p: &Params) -> Result<(), GenError> {
    for (key, v) in [
        ("urban_standard", p.urban_standard),
        ("rural_standard", p.rural_standard),
        ("tekun_standard", p.tekun_standard),
    ] {
        if v <= Decimal::ZERO {
            return Err(GenError::Params {
                region: region.to_string(),
                detail: format!("{key} = {v} is not positive"),
            });
        }
    }
    Ok(())
}
