//! Chinese personal names, and the name noise real extracts carry
//! (traditional characters, middle-dot variants, stray spaces).
//!
//! Names never decide a link when the id matches (rules.md "Matching": equal
//! normalised ids score 1.0 whatever the names), so name noise is safe on
//! every row; it is there so the engine's name normalisation meets it.

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Common surnames, most frequent first (weights roughly follow the 2020
/// census ranking: the first ten cover about 40% of people).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 70),
    ("李", 70),
    ("张", 65),
    ("刘", 52),
    ("陈", 45),
    ("杨", 34),
    ("黄", 24),
    ("赵", 21),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 14),
    ("马", 13),
    ("朱", 12),
    ("胡", 11),
    ("郭", 11),
    ("何", 10),
    ("林", 9),
    ("罗", 9),
    ("高", 9),
    ("郑", 8),
    ("梁", 8),
    ("谢", 7),
    ("宋", 6),
    ("唐", 6),
    ("许", 6),
    ("韩", 6),
    ("冯", 6),
    ("邓", 6),
    ("曹", 5),
    ("彭", 5),
    ("曾", 5),
    ("肖", 5),
    ("田", 5),
    ("董", 5),
    ("袁", 4),
    ("潘", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("余", 4),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("苏", 4),
    ("魏", 4),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("谭", 3),
    ("陆", 3),
    ("范", 3),
    ("汪", 3),
    ("廖", 3),
    ("石", 3),
    ("金", 3),
    ("贾", 2),
    ("夏", 2),
    ("付", 2),
    ("方", 2),
    ("邹", 2),
    ("熊", 2),
    ("白", 2),
    ("孟", 2),
    ("秦", 2),
    ("邱", 2),
    ("侯", 2),
    ("江", 2),
    ("尹", 2),
    ("薛", 2),
    ("闫", 2),
    ("段", 2),
    ("雷", 2),
    ("龙", 2),
    ("黎", 1),
    ("史", 1),
    ("陶", 1),
    ("贺", 1),
    ("毛", 1),
    ("郝", 1),
    ("顾", 1),
    ("龚", 1),
    ("邵", 1),
    ("万", 1),
    ("钱", 1),
    ("武", 1),
    ("戴", 1),
    ("孔", 1),
];

/// Given-name characters usually given to boys.
const MALE_CHARS: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "斌", "波",
    "磊", "建", "国", "东", "志", "文", "海", "林", "峰", "成", "兵", "忠", "福", "贵", "荣", "生",
    "发", "德", "宝", "庆", "义", "兴", "进", "龙", "春", "松", "树", "学", "永", "长", "金", "富",
    "有", "顺", "红",
];

/// Given-name characters usually given to girls.
const FEMALE_CHARS: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "桂", "英", "兰", "秀", "珍", "梅",
    "琴", "云", "凤", "洁", "萍", "红", "婷", "雪", "慧", "春", "花", "翠", "莲", "菊", "香", "玉",
    "月", "华",
];

/// Names written with a middle dot (transliterated Uyghur/Hui given names),
/// used for a share of people registered in 宁夏. The dot is U+00B7, the
/// form the national standard prescribes.
const DOT_NAMES_MALE: &[&str] = &[
    "买买提·吐尔逊",
    "阿卜杜·马哈麦",
    "尔撒·马",
    "伊斯哈格·丁",
    "穆萨·海",
    "艾力·买买提",
    "优素福·纳",
    "阿不都·热合曼",
];
const DOT_NAMES_FEMALE: &[&str] = &[
    "阿依古丽·买买提",
    "古丽娜尔·艾买提",
    "热依拉·阿不都",
    "阿米娜·马",
    "法蒂玛·杨",
    "海力切木·丁",
];

/// Surnames common among the Hui of 宁夏 (added to the national list there).
pub(crate) const HUI_SURNAMES: &[&str] = &["马", "纳", "海", "丁", "杨", "李", "冶", "撒"];
/// Surnames common among the Yi and Dai of 新平 (added to the list there).
pub(crate) const YUNNAN_SURNAMES: &[&str] = &["刀", "普", "白", "李", "罗", "者", "方"];

/// Simplified → traditional for characters the generator writes in
/// traditional form. Only unambiguous pairs (traditional → simplified is
/// one-to-one) so the engine's conversion gives the simplified name back.
const TRADITIONAL: &[(char, char)] = &[
    ('张', '張'),
    ('陈', '陳'),
    ('刘', '劉'),
    ('黄', '黃'),
    ('赵', '趙'),
    ('杨', '楊'),
    ('吴', '吳'),
    ('孙', '孫'),
    ('马', '馬'),
    ('郑', '鄭'),
    ('罗', '羅'),
    ('谢', '謝'),
    ('韩', '韓'),
    ('冯', '馮'),
    ('邓', '鄧'),
    ('许', '許'),
    ('苏', '蘇'),
    ('吕', '呂'),
    ('卢', '盧'),
    ('龙', '龍'),
    ('钱', '錢'),
    ('伟', '偉'),
    ('强', '強'),
    ('军', '軍'),
    ('国', '國'),
    ('东', '東'),
    ('华', '華'),
    ('丽', '麗'),
    ('红', '紅'),
    ('兰', '蘭'),
    ('凤', '鳳'),
    ('荣', '榮'),
    ('贵', '貴'),
    ('宝', '寶'),
    ('庆', '慶'),
    ('义', '義'),
    ('兴', '興'),
    ('进', '進'),
    ('刚', '剛'),
    ('鹏', '鵬'),
    ('辉', '輝'),
    ('涛', '濤'),
    ('莲', '蓮'),
    ('云', '雲'),
];

pub(crate) fn to_traditional(c: char) -> Option<char> {
    TRADITIONAL
        .iter()
        .find(|(s, t)| *s == c && *t != c)
        .map(|&(_, t)| t)
}

fn weighted_surname(rng: &mut ChaCha8Rng) -> &'static str {
    let total: u32 = SURNAMES.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (s, w) in SURNAMES {
        if pick < *w {
            return s;
        }
        pick -= w;
    }
    SURNAMES[0].0
}

/// A surname for someone registered in `county` (6-digit code).
pub(crate) fn surname(rng: &mut ChaCha8Rng, county: &str) -> &'static str {
    let local: &[&str] = match &county[..2] {
        "64" => HUI_SURNAMES,
        "53" => YUNNAN_SURNAMES,
        _ => &[],
    };
    if !local.is_empty() && rng.random_bool(0.3) {
        local.choose(rng).copied().unwrap_or("王")
    } else {
        weighted_surname(rng)
    }
}

/// A one- or two-character given name.
pub(crate) fn given_name(rng: &mut ChaCha8Rng, male: bool) -> String {
    let chars = if male { MALE_CHARS } else { FEMALE_CHARS };
    let mut s = String::new();
    s.push_str(chars.choose(rng).copied().unwrap_or("明"));
    if rng.random_bool(0.7) {
        s.push_str(chars.choose(rng).copied().unwrap_or("华"));
    }
    s
}

/// A full name: surname + given name, or (in 宁夏, sometimes) a name with a
/// middle dot.
pub(crate) fn full_name(
    rng: &mut ChaCha8Rng,
    county: &str,
    male: bool,
    surname_fixed: Option<&str>,
) -> String {
    if county.starts_with("64") && surname_fixed.is_none() && rng.random_bool(0.12) {
        let list = if male {
            DOT_NAMES_MALE
        } else {
            DOT_NAMES_FEMALE
        };
        return list.choose(rng).copied().unwrap_or("尔撒·马").to_string();
    }
    let sur = match surname_fixed {
        Some(s) => s,
        None => surname(rng, county),
    };
    format!("{sur}{}", given_name(rng, male))
}

/// The surname of a plain Chinese name (its first character), or `None` for a
/// dotted name.
pub(crate) fn surname_of(name: &str) -> Option<&str> {
    if name.contains('·') {
        return None;
    }
    name.char_indices().nth(1).map(|(i, _)| &name[..i])
}

/// Kinds of name noise, as counted in `meta.json`.
pub(crate) const NAME_TRADITIONAL: &str = "name_traditional";
pub(crate) const NAME_DOT_VARIANT: &str = "name_middle_dot_variant";
pub(crate) const NAME_INNER_SPACE: &str = "name_inner_space";
pub(crate) const NAME_OUTER_SPACE: &str = "name_surrounding_space";

/// Whether some character of the name has a traditional form.
pub(crate) fn has_traditional(name: &str) -> bool {
    name.chars().any(|c| to_traditional(c).is_some())
}

/// The name as a sloppy extract writes it, and which noise was applied.
/// Returns `None` when no kind of noise fits the name.
pub(crate) fn noisy_name(rng: &mut ChaCha8Rng, name: &str) -> Option<(String, &'static str)> {
    let mut kinds: Vec<&'static str> = vec![NAME_INNER_SPACE, NAME_OUTER_SPACE];
    if has_traditional(name) {
        kinds.push(NAME_TRADITIONAL);
        kinds.push(NAME_TRADITIONAL);
    }
    if name.contains('·') {
        kinds.push(NAME_DOT_VARIANT);
        kinds.push(NAME_DOT_VARIANT);
        kinds.push(NAME_DOT_VARIANT);
    }
    let kind = *kinds.choose(rng)?;
    name_variant(rng, name, kind).map(|out| (out, kind))
}

/// The name written with one kind of noise (`NAME_*`); `None` when the
/// kind does not fit the name.
pub(crate) fn name_variant(rng: &mut ChaCha8Rng, name: &str, kind: &str) -> Option<String> {
    Some(match kind {
        NAME_TRADITIONAL => name
            .chars()
            .map(|c| to_traditional(c).unwrap_or(c))
            .collect(),
        NAME_DOT_VARIANT => {
            let dot = ["•", "・", "."][rng.random_range(0..3)];
            name.replace('·', dot)
        }
        NAME_INNER_SPACE => {
            let chars: Vec<char> = name.chars().collect();
            if chars.len() < 2 {
                return None;
            }
            let at = if name.contains('·') {
                chars.iter().position(|&c| c == '·').unwrap_or(1)
            } else {
                1
            };
            let space = if rng.random_bool(0.3) {
                "\u{3000}"
            } else {
                " "
            };
            let head: String = chars[..at].iter().collect();
            let tail: String = chars[at..].iter().collect();
            format!("{head}{space}{tail}")
        }
        _ => {
            let (l, r) = match rng.random_range(0..3) {
                0 => (" ", ""),
                1 => ("", " "),
                _ => (" ", "\u{3000}"),
            };
            format!("{l}{name}{r}")
        }
    })
}

/// Village and community names for addresses.
pub(crate) const VILLAGES: &[&str] = &[
    "新华",
    "红旗",
    "团结",
    "和平",
    "前进",
    "胜利",
    "光明",
    "民主",
    "新民",
    "永安",
    "太平",
    "长青",
    "双河",
    "石桥",
    "柳树",
    "杨家湾",
    "马家庄",
    "李家沟",
    "王家坪",
    "张家山",
];

/// Employers for payroll rows (财政供养单位).
pub(crate) const EMPLOYERS: &[&str] = &[
    "县人民医院",
    "县第一中学",
    "县实验小学",
    "县自然资源局",
    "县农业农村局",
    "镇人民政府",
    "县疾病预防控制中心",
    "县水务局",
    "县市场监督管理局",
    "县中心幼儿园",
    "乡卫生院",
    "县融媒体中心",
];

/// Banks and other institutions holding deposits.
pub(crate) const INSTITUTIONS: &[&str] = &[
    "中国农业银行",
    "中国邮政储蓄银行",
    "中国工商银行",
    "中国建设银行",
    "中国银行",
    "农村信用合作联社",
    "农村商业银行",
    "中国人寿保险",
    "华西证券",
];

/// Business names: a prefix joined to a trade.
pub(crate) const TRADES: &[&str] = &[
    "农资经营部",
    "便民超市",
    "养殖专业合作社",
    "建材有限公司",
    "餐饮店",
    "运输有限公司",
    "农机修理部",
    "商贸有限公司",
    "种植专业合作社",
    "劳务有限公司",
];

pub(crate) const CAR_BRANDS: &[&str] = &[
    "五菱",
    "长安",
    "比亚迪",
    "吉利",
    "大众",
    "丰田",
    "哈弗",
    "东风",
    "解放",
    "福田",
    "宗申",
    "豪爵",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_pairs_convert_back_to_simplified() {
        for (s, t) in TRADITIONAL {
            if s == t {
                continue;
            }
            assert_eq!(
                fast2s::convert(&t.to_string()),
                s.to_string(),
                "{t} should simplify to {s}"
            );
        }
    }

    #[test]
    fn surnames_of_plain_and_dotted_names() {
        assert_eq!(surname_of("王小明"), Some("王"));
        assert_eq!(surname_of("阿依古丽·买买提"), None);
    }
}
