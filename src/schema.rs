//! The data contract as code: datasets, their columns and value kinds, and
//! every enumeration with its code and Chinese label.
//!
//! Source: `shared/spec/data-contract.md`. Column names and codes here are
//! binding; change them only with the contract.

use std::fmt;

/// Declares a code ↔ label enumeration, one row per variant: its code (as
/// written in Parquet and read back) and its Chinese label (accepted on
/// input as an alias, used in human-facing reports). `ALL` and the derived
/// order are the rows' order.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code, as written in Parquet.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label used in human-facing reports.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The variant whose code is exactly `code`, if any.
            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::schema::UnknownCode;
            /// Accepts the code or the Chinese label, ignoring surrounding spaces
            /// and the case of the code.
            fn from_str(s: &str) -> Result<Self, $crate::schema::UnknownCode> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($code) || t == $label { return Ok($name::$variant); }
                )+
                Err($crate::schema::UnknownCode { kind: stringify!($name), value: s.to_string() })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.code()) }
        }
    };
}
/// For the engine's own code ↔ label enumerations outside the contract.
pub(crate) use code_enum;

/// A value that is neither a code nor a label of its enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {kind} code or label")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub value: String,
}

code_enum!(
    /// Which standard applies to a household.
    Area { Urban = "urban" / "城市", Rural = "rural" / "农村" }
);
code_enum!(
    /// The programme a household receives or applies for.
    Program {
        UrbanDibao = "urban_dibao" / "城市低保",
        RuralDibao = "rural_dibao" / "农村低保",
        Tekun = "tekun" / "特困供养",
        Marginal = "marginal" / "低保边缘",
        Applicant = "applicant" / "申请",
    }
);
impl Program {
    /// Recipients are paid now; the others are candidates.
    pub fn is_recipient(self) -> bool {
        matches!(
            self,
            Program::UrbanDibao | Program::RuralDibao | Program::Tekun
        )
    }
}
code_enum!(
    HouseholdStatus { Active = "active" / "在保", PhasingOut = "phasing_out" / "渐退期", Pending = "pending" / "待审核" }
);
code_enum!(
    /// A member's relation to the household head, or (in `kinship`) of B to A.
    Relation {
        Head = "head" / "户主",
        Spouse = "spouse" / "配偶",
        Child = "child" / "子女",
        Parent = "parent" / "父母",
        Sibling = "sibling" / "兄弟姐妹",
        Grandparent = "grandparent" / "祖父母/外祖父母",
        Grandchild = "grandchild" / "孙子女/外孙子女",
        Other = "other" / "其他",
        SelfRelation = "self" / "本人",
    }
);
code_enum!(
    LaborCapacity { None = "none" / "完全丧失", Partial = "partial" / "部分丧失", Full = "full" / "有劳动能力" }
);
code_enum!(
    AssetType {
        Deposit = "deposit" / "存款",
        WealthProduct = "wealth_product" / "理财",
        Securities = "securities" / "证券",
        InsuranceCashValue = "insurance_cash_value" / "保险现金价值",
    }
);
code_enum!(
    VehicleType {
        Car = "car" / "小型汽车",
        Truck = "truck" / "货车",
        Bus = "bus" / "客车",
        Motorcycle = "motorcycle" / "摩托车",
        Tricycle = "tricycle" / "三轮汽车",
        Agricultural = "agricultural" / "农用车",
        Disability = "disability" / "残疾人专用车",
    }
);
code_enum!(UseNature { Private = "private" / "非营运", Commercial = "commercial" / "营运" });
code_enum!(
    VehicleStatus {
        Normal = "normal" / "正常",
        Scrapped = "scrapped" / "报废",
        Deregistered = "deregistered" / "注销",
        Seized = "seized" / "查封",
    }
);
code_enum!(
    PropertyUsage {
        Residential = "residential" / "住宅",
        Commercial = "commercial" / "商业",
        Office = "office" / "办公",
        Industrial = "industrial" / "工业",
        Parking = "parking" / "车位",
        Other = "other" / "其他",
    }
);
code_enum!(PropertyStatus { Current = "current" / "现势", Cancelled = "cancelled" / "注销" });
code_enum!(
    EntityType {
        Individual = "individual" / "个体工商户",
        Company = "company" / "公司",
        SoleProprietorship = "sole_proprietorship" / "个人独资",
        Partnership = "partnership" / "合伙",
        Cooperative = "cooperative" / "农民专业合作社",
    }
);
impl EntityType {
    /// Company-type entities: the ones whose registered capital R-BUSINESS-CAPITAL reads.
    pub fn is_company_type(self) -> bool {
        matches!(
            self,
            EntityType::Company | EntityType::SoleProprietorship | EntityType::Partnership
        )
    }
}
code_enum!(
    BusinessRole { LegalRep = "legal_rep" / "法定代表人", Shareholder = "shareholder" / "股东/投资人", Operator = "operator" / "经营者" }
);
code_enum!(
    BusinessStatus { Active = "active" / "存续", Deregistered = "deregistered" / "注销", Revoked = "revoked" / "吊销" }
);
code_enum!(
    Staffing { CivilServant = "civil_servant" / "行政编", PublicInstitution = "public_institution" / "事业编", Contract = "contract" / "聘用" }
);
code_enum!(DeathSource { Police = "police" / "公安", Cremation = "cremation" / "火化", Health = "health" / "卫健" });
code_enum!(
    StaffRole {
        CivilAffairs = "civil_affairs" / "民政干部",
        TownshipCaseWorker = "township_case_worker" / "乡镇经办人员",
        VillageCadre = "village_cadre" / "村居委会成员",
        Verifier = "verifier" / "核对人员",
    }
);
code_enum!(KinshipSource { Hukou = "hukou" / "户籍", Declared = "declared" / "申报" });

/// How a column's values are read. Each kind accepts several Parquet types
/// (see `load`), converting them exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Free text (names, ids, keys): string or dictionary-encoded string.
    Text,
    /// Yuan, read exactly to 2 places: decimal, integer, float64 or string.
    Money,
    /// Parquet date, timestamp, or string `YYYY-MM-DD` / `YYYYMMDD`.
    Date,
    /// An enumeration code or its Chinese label.
    Code,
    /// Boolean; also 0/1 integers and `true`/`false`/`是`/`否` strings.
    Bool,
    /// Integer; also integral floats and digit strings.
    Int,
    /// Float (areas, shares); also integers, decimals and numeric strings.
    Float,
}

impl ColumnKind {
    pub fn expected(self) -> &'static str {
        match self {
            ColumnKind::Text => "string",
            ColumnKind::Money => "decimal, integer, float64 or string (yuan)",
            ColumnKind::Date => "date, timestamp or string YYYY-MM-DD/YYYYMMDD",
            ColumnKind::Code => "string (code or Chinese label)",
            ColumnKind::Bool => "boolean",
            ColumnKind::Int => "integer",
            ColumnKind::Float => "float",
        }
    }
}

/// One column of a dataset in the contract.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub kind: ColumnKind,
    /// What the column is called in errors and reports people read.
    pub label_zh: &'static str,
    /// Optional columns may be absent from the file (read as all null).
    pub optional: bool,
}

const fn col(name: &'static str, kind: ColumnKind, label_zh: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        kind,
        label_zh,
        optional: false,
    }
}
const fn opt(name: &'static str, kind: ColumnKind, label_zh: &'static str) -> ColumnSpec {
    ColumnSpec {
        optional: true,
        ..col(name, kind, label_zh)
    }
}

use ColumnKind::*;

/// What a dataset is to the engine, and so how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The roster (`households`, `members`): required, read whole, and
    /// normalised into households and members.
    Roster,
    /// An agency extract: each row one holding of one person, keyed by these
    /// person columns; read file by file, linked to members, and turned into
    /// `evidence` holdings. May be absent in a month (its rules are then not
    /// checked).
    Extract {
        name: &'static str,
        id: &'static str,
    },
    /// A register read whole for the near-relative join; may be absent.
    Register,
}

/// Declares the dataset table from its rows: the [`Dataset`] enum (one
/// variant a row, in row order) and [`DATASETS`]. A field left out does
/// not compile.
macro_rules! dataset_table {
    ($($variant:ident { $($field:ident: $value:expr),+ $(,)? }),+ $(,)?) => {
        /// The datasets of a data directory, in the contract's order (the
        /// roster, the extracts, the registers); what each dataset is —
        /// name, label, role, columns — is its row in [`DATASETS`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Dataset { $($variant,)+ }

        /// The dataset table: one row per dataset, the one place its facts live.
        pub const DATASETS: &[DatasetSpec] = &[$(
            DatasetSpec { dataset: Dataset::$variant, $($field: $value,)+ },
        )+];
    };
}

/// One dataset of the contract: a row of [`DATASETS`].
pub struct DatasetSpec {
    pub dataset: Dataset,
    /// File or directory name in the data directory.
    pub name: &'static str,
    pub label_zh: &'static str,
    pub role: Role,
    /// The contract's columns, in contract order (an extract's optional
    /// person columns, [`PERSON_EXTRA`], follow them).
    pub columns: &'static [ColumnSpec],
    /// The columns a rule needs from a linked row (an extract's), in the
    /// order they are checked. `as_of`, `institution`, `account_no`,
    /// `plate_no` and `unit_no` are not: a row without them is its own
    /// holding or an undated snapshot (docs/DECISIONS.md).
    pub needed: &'static [Needed],
}

/// A column a rule reads from a linked row (rules.md "Values the engine
/// cannot trust"): a value of it that cannot be read, or that is null where
/// the contract does not allow null, leaves the row's household to a
/// person (R-DATA-QUALITY); the column null in every row of its dataset
/// leaves `rules` not checked for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needed {
    pub column: &'static str,
    /// Null keeps the meaning the rules give it (`assessed_value`,
    /// `registered_capital`): only a value that cannot be read counts.
    pub nullable: bool,
    /// The codes of the rules that read it (the schema comes before the
    /// rules, so it names them as run.json does; a test checks each is a
    /// row of the rule table whose dataset this is).
    pub rules: &'static [&'static str],
}

/// A needed column that may not be null.
const fn need(column: &'static str, rules: &'static [&'static str]) -> Needed {
    Needed {
        column,
        nullable: false,
        rules,
    }
}
/// A needed column whose null keeps a meaning.
const fn need_nullable(column: &'static str, rules: &'static [&'static str]) -> Needed {
    Needed {
        nullable: true,
        ..need(column, rules)
    }
}

const PROPERTY_RULES: &[&str] = &["R-PROPERTY-COUNT", "R-PROPERTY-COMMERCIAL"];
const BUSINESS_RULES: &[&str] = &["R-BUSINESS-CAPITAL", "R-BUSINESS-ACTIVE"];

/// Optional person columns every agency extract may carry.
pub const PERSON_EXTRA: [ColumnSpec; 2] = [
    opt("person_birth_date", Date, "出生日期"),
    opt("person_region_code", Text, "区划代码"),
];

dataset_table! {
    Households {
        name: "households",
        label_zh: "救助对象与申请/监测对象",
        role: Role::Roster,
        columns: &[
            col("household_id", Text, "户编号"),
            col("region_code", Text, "区划代码"),
            col("area", Code, "城乡类别"),
            col("program", Code, "救助类别"),
            col("status", Code, "保障状态"),
            col("tier", Int, "分类施保类别"),
            col("single_person_coverage", Bool, "单人保"),
            col("benefit_start", Date, "开始享受月份"),
            col("phase_out_until", Date, "渐退期截止月份"),
            col("monthly_benefit", Money, "月保障金额"),
            col("last_review_date", Date, "上次复核日期"),
        ],
        needed: &[],
    },
    Members {
        name: "members",
        label_zh: "家庭成员",
        role: Role::Roster,
        columns: &[
            col("household_id", Text, "户编号"),
            col("name", Text, "姓名"),
            col("id_number", Text, "身份证号"),
            col("relation", Code, "与户主关系"),
            col("covered", Bool, "是否保障对象"),
            col("disability_grade", Int, "残疾等级"),
            col("severe_illness", Bool, "重病"),
            col("labor_capacity", Code, "劳动能力"),
            col("in_school", Bool, "是否在校"),
            col("declared_wage", Money, "申报工资性收入"),
            col("declared_business", Money, "申报经营净收入"),
            col("declared_property_income", Money, "申报财产净收入"),
            col("declared_transfer", Money, "申报转移净收入"),
            col("declared_basic_pension", Money, "申报基础养老金"),
            col("declared_medical_expense", Money, "刚性医疗支出"),
            col("declared_education_expense", Money, "刚性教育支出"),
        ],
        needed: &[],
    },
    Deposits {
        name: "deposits",
        label_zh: "银行存款及金融资产",
        role: Role::Extract {
            name: "holder_name",
            id: "holder_id_number",
        },
        columns: &[
            col("holder_name", Text, "持有人姓名"),
            col("holder_id_number", Text, "持有人身份证号"),
            col("institution", Text, "金融机构"),
            col("account_no", Text, "账号"),
            col("asset_type", Code, "资产类型"),
            col("balance", Money, "余额"),
            col("as_of", Date, "余额日期"),
        ],
        needed: &[need("balance", &["R-FIN-ASSETS"])],
    },
    Vehicles {
        name: "vehicles",
        label_zh: "车辆登记",
        role: Role::Extract {
            name: "owner_name",
            id: "owner_id_number",
        },
        columns: &[
            col("owner_name", Text, "所有人姓名"),
            col("owner_id_number", Text, "所有人身份证号"),
            col("plate_no", Text, "号牌号码"),
            col("vehicle_type", Code, "车辆类型"),
            col("use_nature", Code, "使用性质"),
            col("status", Code, "车辆状态"),
            col("first_registered", Date, "初次登记日期"),
            col("assessed_value", Money, "评估价值"),
        ],
        needed: &[
            need("vehicle_type", &["R-VEHICLE"]),
            need("status", &["R-VEHICLE"]),
            need_nullable("assessed_value", &["R-VEHICLE"]),
        ],
    },
    Properties {
        name: "properties",
        label_zh: "不动产登记",
        role: Role::Extract {
            name: "owner_name",
            id: "owner_id_number",
        },
        columns: &[
            col("owner_name", Text, "权利人姓名"),
            col("owner_id_number", Text, "权利人身份证号"),
            col("unit_no", Text, "不动产单元号"),
            col("location", Text, "坐落"),
            col("usage", Code, "用途"),
            col("area_m2", Float, "建筑面积（平方米）"),
            col("share", Float, "共有份额"),
            col("status", Code, "登记状态"),
            col("registered", Date, "登记日期"),
        ],
        needed: &[
            need("usage", PROPERTY_RULES),
            need("status", PROPERTY_RULES),
            need("share", PROPERTY_RULES),
            need("area_m2", &["R-PROPERTY-COUNT"]),
        ],
    },
    Businesses {
        name: "businesses",
        label_zh: "市场主体登记",
        role: Role::Extract {
            name: "person_name",
            id: "person_id_number",
        },
        columns: &[
            col("entity_name", Text, "市场主体名称"),
            col("credit_code", Text, "统一社会信用代码"),
            col("entity_type", Code, "市场主体类型"),
            col("person_name", Text, "人员姓名"),
            col("person_id_number", Text, "人员身份证号"),
            col("role", Code, "人员身份"),
            col("registered_capital", Money, "注册资本"),
            col("status", Code, "登记状态"),
            col("established", Date, "成立日期"),
        ],
        needed: &[
            need("entity_type", BUSINESS_RULES),
            need("role", BUSINESS_RULES),
            need("status", BUSINESS_RULES),
            need_nullable("registered_capital", BUSINESS_RULES),
        ],
    },
    Payroll {
        name: "payroll",
        label_zh: "财政供养人员工资",
        role: Role::Extract {
            name: "person_name",
            id: "person_id_number",
        },
        columns: &[
            col("person_name", Text, "姓名"),
            col("person_id_number", Text, "身份证号"),
            col("employer", Text, "发放单位"),
            col("staffing", Code, "编制类别"),
            col("gross_monthly_pay", Money, "应发月工资"),
            col("pay_month", Date, "工资月份"),
        ],
        needed: &[
            need("gross_monthly_pay", &["R-PAYROLL"]),
            need("pay_month", &["R-PAYROLL"]),
        ],
    },
    Deaths {
        name: "deaths",
        label_zh: "死亡/火化",
        role: Role::Extract {
            name: "name",
            id: "id_number",
        },
        columns: &[
            col("name", Text, "姓名"),
            col("id_number", Text, "身份证号"),
            col("date_of_death", Date, "死亡日期"),
            col("source", Code, "信息来源"),
        ],
        needed: &[need("date_of_death", &["R-DEATH"])],
    },
    Staff {
        name: "staff",
        label_zh: "经办人员及村居干部",
        role: Role::Register,
        columns: &[
            col("name", Text, "姓名"),
            col("id_number", Text, "身份证号"),
            col("role", Code, "职务"),
            col("region_code", Text, "所在区划代码"),
        ],
        needed: &[],
    },
    Kinship {
        name: "kinship",
        label_zh: "亲属关系",
        role: Role::Register,
        columns: &[
            col("person_a_id_number", Text, "甲方身份证号"),
            col("person_a_name", Text, "甲方姓名"),
            col("person_b_id_number", Text, "乙方身份证号"),
            col("person_b_name", Text, "乙方姓名"),
            col("relation_of_b_to_a", Code, "乙方是甲方的"),
            col("source", Code, "关系来源"),
        ],
        needed: &[],
    },
    Filings {
        name: "filings",
        label_zh: "近亲属备案",
        role: Role::Register,
        columns: &[
            col("household_id", Text, "户编号"),
            col("staff_id_number", Text, "工作人员身份证号"),
            col("relation", Code, "亲属关系"),
            col("filed_on", Date, "备案日期"),
        ],
        needed: &[],
    },
}

/// How many datasets are extracts.
const EXTRACTS: usize = {
    let (mut i, mut n) = (0, 0);
    while i < DATASETS.len() {
        if matches!(DATASETS[i].role, Role::Extract { .. }) {
            n += 1;
        }
        i += 1;
    }
    n
};

impl Dataset {
    pub const ALL: [Dataset; DATASETS.len()] = {
        let mut all = [Dataset::Households; DATASETS.len()];
        let mut i = 0;
        while i < DATASETS.len() {
            all[i] = DATASETS[i].dataset;
            i += 1;
        }
        all
    };

    /// The extracts whose rows are linked to members and written to
    /// `matches`, in dataset order.
    pub const LINKED: [Dataset; EXTRACTS] = {
        let mut linked = [Dataset::Households; EXTRACTS];
        let (mut i, mut n) = (0, 0);
        while i < DATASETS.len() {
            if matches!(DATASETS[i].role, Role::Extract { .. }) {
                linked[n] = DATASETS[i].dataset;
                n += 1;
            }
            i += 1;
        }
        linked
    };

    /// The dataset's row in [`DATASETS`] (variants are declared in row
    /// order).
    pub fn spec(self) -> &'static DatasetSpec {
        &DATASETS[self as usize]
    }

    /// File or directory name in the data directory.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn label_zh(self) -> &'static str {
        self.spec().label_zh
    }

    /// The roster must exist; any other dataset may be absent in a month.
    pub fn is_required(self) -> bool {
        self.spec().role == Role::Roster
    }

    /// The person columns (name, id) an extract row is keyed by.
    pub fn person_columns(self) -> Option<(&'static str, &'static str)> {
        match self.spec().role {
            Role::Extract { name, id } => Some((name, id)),
            Role::Roster | Role::Register => None,
        }
    }

    /// The contract's column of this dataset named `name`.
    pub fn column(self, name: &str) -> Option<ColumnSpec> {
        self.columns().into_iter().find(|c| c.name == name)
    }

    /// The columns of this dataset a rule needs from a linked row.
    pub fn needed_columns(self) -> &'static [Needed] {
        self.spec().needed
    }

    /// The contract's columns of this dataset, in contract order.
    pub fn columns(self) -> Vec<ColumnSpec> {
        let mut cols = self.spec().columns.to_vec();
        if self.person_columns().is_some() {
            cols.extend(PERSON_EXTRA);
        }
        cols
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_both_parse() {
        for p in Program::ALL {
            assert_eq!(p.code().parse::<Program>().unwrap(), *p);
            assert_eq!(p.label_zh().parse::<Program>().unwrap(), *p);
        }
        assert_eq!(" Urban ".parse::<Area>().unwrap(), Area::Urban);
        assert!("城镇".parse::<Area>().is_err());
    }

    #[test]
    fn every_column_has_chinese_words() {
        for d in Dataset::ALL {
            for c in d.columns() {
                assert!(
                    c.label_zh.chars().any(|ch| ch as u32 >= 0x4E00),
                    "{d}.{}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn every_linked_dataset_names_its_person_columns() {
        for d in Dataset::LINKED {
            let (name, id) = d.person_columns().unwrap();
            let cols = d.columns();
            assert!(cols.iter().any(|c| c.name == name));
            assert!(cols.iter().any(|c| c.name == id));
            assert!(cols
                .iter()
                .any(|c| c.name == "person_birth_date" && c.optional));
        }
    }
}
