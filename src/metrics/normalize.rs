//! The reading form of a text for the figure parser: NFKC (full-width digits, `％`, `，（）：；`
//! become ASCII), traditional characters of statistical vocabulary mapped to simplified ones,
//! spaces dropped where they sit inside Chinese text or numbers (`增长 6.3 %`, `1-9 月`), and
//! thousands separators dropped (`1,000.21`). Every reading char remembers the index of the
//! original char it came from, so a figure's `text` is cut from the text as written.

use unicode_normalization::UnicodeNormalization;

/// A text in reading form.
pub(crate) struct Reading {
    /// The normalised characters.
    pub(crate) chars: Vec<char>,
    /// For each normalised char, the index of the original char it came from.
    pub(crate) origin: Vec<usize>,
    /// The original characters.
    pub(crate) original: Vec<char>,
}

impl Reading {
    /// The original text behind normalised chars `from..to`.
    pub(crate) fn original_text(&self, from: usize, to: usize) -> String {
        if from >= to || from >= self.origin.len() {
            return String::new();
        }
        let start = self.origin[from];
        let end = self.origin[to - 1] + 1;
        self.original[start..end].iter().collect()
    }
}

/// Traditional characters that statistical texts use, and their simplified forms. A character
/// table, not a phrase converter: each pair is one-to-one in this vocabulary.
const TRADITIONAL: &[(char, char)] = &[
    ('長', '长'),
    ('總', '总'),
    ('規', '规'),
    ('業', '业'),
    ('潤', '润'),
    ('實', '实'),
    ('現', '现'),
    ('億', '亿'),
    ('萬', '万'),
    ('個', '个'),
    ('點', '点'),
    ('產', '产'),
    ('額', '额'),
    ('進', '进'),
    ('際', '际'),
    ('費', '费'),
    ('區', '区'),
    ('縣', '县'),
    ('國', '国'),
    ('據', '据'),
    ('顯', '显'),
    ('發', '发'),
    ('佈', '布'),
    ('數', '数'),
    ('經', '经'),
    ('濟', '济'),
    ('資', '资'),
    ('財', '财'),
    ('稅', '税'),
    ('預', '预'),
    ('農', '农'),
    ('鎮', '镇'),
    ('對', '对'),
    ('與', '与'),
    ('較', '较'),
    ('別', '别'),
    ('製', '制'),
    ('廣', '广'),
    ('東', '东'),
    ('計', '计'),
    ('劃', '划'),
    ('標', '标'),
    ('務', '务'),
    ('貿', '贸'),
    ('為', '为'),
    ('達', '达'),
    ('從', '从'),
    ('來', '来'),
    ('專', '专'),
    ('電', '电'),
    ('氣', '气'),
    ('車', '车'),
    ('鐵', '铁'),
    ('礦', '矿'),
    ('類', '类'),
    ('銷', '销'),
    ('會', '会'),
    ('環', '环'),
    ('隨', '随'),
    ('後', '后'),
    ('當', '当'),
    ('兩', '两'),
    ('價', '价'),
    ('營', '营'),
    ('調', '调'),
    ('應', '应'),
    ('縮', '缩'),
    ('減', '减'),
    ('漲', '涨'),
    ('幣', '币'),
    ('統', '统'),
    ('處', '处'),
    ('設', '设'),
    ('備', '备'),
    ('機', '机'),
    ('學', '学'),
    ('開', '开'),
    ('門', '门'),
    ('場', '场'),
    ('內', '内'),
    ('積', '积'),
    ('穩', '稳'),
    ('續', '续'),
    ('這', '这'),
    ('於', '于'),
    ('並', '并'),
    ('體', '体'),
    ('錄', '录'),
    ('項', '项'),
    ('傳', '传'),
    ('紡', '纺'),
    ('織', '织'),
    ('醫', '医'),
    ('藥', '药'),
    ('煉', '炼'),
    ('屬', '属'),
    ('壓', '压'),
    ('黃', '黄'),
    ('飲', '饮'),
    ('幹', '干'),
    ('勢', '势'),
    ('們', '们'),
    ('獲', '获'),
    ('歷', '历'),
    ('週', '周'),
    ('時', '时'),
    ('間', '间'),
    ('號', '号'),
    ('軟', '软'),
    ('導', '导'),
    ('裝', '装'),
    ('輸', '输'),
    ('運', '运'),
    ('郵', '邮'),
    ('熱', '热'),
    ('復', '复'),
    ('蘇', '苏'),
    ('滬', '沪'),
    ('華', '华'),
    ('雲', '云'),
    ('貴', '贵'),
    ('陝', '陕'),
    ('寧', '宁'),
    ('遼', '辽'),
    ('龍', '龙'),
    ('灣', '湾'),
    ('島', '岛'),
    ('漢', '汉'),
    ('瀋', '沈'),
    ('慶', '庆'),
];

fn simplified(c: char) -> char {
    static SORTED: std::sync::OnceLock<Vec<(char, char)>> = std::sync::OnceLock::new();
    let table = SORTED.get_or_init(|| {
        let mut t = TRADITIONAL.to_vec();
        t.sort_unstable();
        t
    });
    match table.binary_search_by(|(t, _)| t.cmp(&c)) {
        Ok(k) => table[k].1,
        Err(_) => c,
    }
}

/// Blocks of the punctuation and symbols Chinese text prints (general punctuation, CJK symbols,
/// full-width forms), whose NFKC forms are looked up in a table built once.
const PUNCTUATION: [(u32, u32); 2] = [(0x2000, 0x3100), (0xfe00, 0x10000)];

/// The NFKC form of `c` when it is one char and `c` is in [`PUNCTUATION`]: the same as
/// `once(c).nfkc()`, without running the normaliser for every comma.
fn nfkc_single(c: char) -> Option<char> {
    static TABLE: std::sync::OnceLock<Vec<Vec<Option<char>>>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        PUNCTUATION
            .iter()
            .map(|&(from, to)| {
                (from..to)
                    .map(|u| {
                        let c = char::from_u32(u)?;
                        let mut n = std::iter::once(c).nfkc();
                        match (n.next(), n.next()) {
                            (Some(one), None) => Some(one),
                            _ => None,
                        }
                    })
                    .collect()
            })
            .collect()
    });
    let u = c as u32;
    PUNCTUATION
        .iter()
        .zip(table)
        .find(|((from, to), _)| (*from..*to).contains(&u))
        .and_then(|((from, _), forms)| forms[(u - from) as usize])
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

/// Reads `text` into its reading form.
pub(crate) fn read(text: &str) -> Reading {
    let original: Vec<char> = text.chars().collect();
    let mut chars = Vec::with_capacity(original.len());
    let mut origin = Vec::with_capacity(original.len());
    for (i, &c) in original.iter().enumerate() {
        if c.is_ascii() {
            chars.push(c);
            origin.push(i);
            continue;
        }
        let c = simplified(c);
        if c as u32 >= 0x4e00 && (c as u32) < 0xa000 {
            // CJK ideographs are their own NFKC form: skip the table look-up.
            chars.push(c);
            origin.push(i);
            continue;
        }
        match nfkc_single(c) {
            Some(n) => {
                chars.push(n);
                origin.push(i);
            }
            None => {
                for n in std::iter::once(c).nfkc() {
                    chars.push(n);
                    origin.push(i);
                }
            }
        }
    }
    drop_spaces_and_separators(&mut chars, &mut origin);
    Reading { chars, origin, original }
}

/// Drops whitespace unless it separates two ASCII letters, and `,` between a digit and exactly
/// three digits (a thousands separator).
fn drop_spaces_and_separators(chars: &mut Vec<char>, origin: &mut Vec<usize>) {
    if !chars.iter().any(|&c| c == ',' || (c.is_whitespace() && c != '\n')) {
        return;
    }
    let mut keep = vec![true; chars.len()];
    for i in 0..chars.len() {
        let c = chars[i];
        if c.is_whitespace() && c != '\n' {
            let before = chars[..i].iter().rev().find(|c| !c.is_whitespace());
            let after = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            let letters = before.is_some_and(|c| c.is_ascii_alphabetic())
                && after.is_some_and(|c| c.is_ascii_alphabetic());
            keep[i] = letters;
        } else if c == ','
            && i > 0
            && is_digit(chars[i - 1])
            && (1..=3).all(|k| chars.get(i + k).is_some_and(|c| is_digit(*c)))
            && !chars.get(i + 4).is_some_and(|c| is_digit(*c))
        {
            keep[i] = false;
        }
    }
    let mut k = 0;
    chars.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    let mut k = 0;
    origin.retain(|_| {
        k += 1;
        keep[k - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_forms() {
        for (text, want) in [
            ("增长１１．１％", "增长11.1%"),
            ("增长 6.3 %", "增长6.3%"),
            ("1-9 月,湖南", "1-9月,湖南"),
            ("收入1,000.21亿元，增长", "收入1000.21亿元,增长"),
            ("同比增長3.2%", "同比增长3.2%"),
            ("GDP growth 5%", "GDP growth5%"),
            ("扣除留 抵退税", "扣除留抵退税"),
            ("（不含农户）：", "(不含农户):"),
            ("分别增长2.7%，5.6%", "分别增长2.7%,5.6%"),
        ] {
            assert_eq!(read(text).chars.iter().collect::<String>(), want, "{text}");
        }
    }

    #[test]
    fn the_punctuation_table_is_nfkc() {
        // Every char of the tabled blocks, and a few outside them: one char the same as the
        // normaliser's, or left to it (None) when its form is several chars.
        let outside = ['a', '甲', '\u{a0}', '\u{10000}'];
        let tabled = PUNCTUATION.iter().flat_map(|&(from, to)| from..to).filter_map(char::from_u32);
        for c in tabled.chain(outside) {
            let full: Vec<char> = std::iter::once(c).nfkc().collect();
            match nfkc_single(c) {
                Some(one) => assert_eq!(vec![one], full, "U+{:04X}", c as u32),
                None => assert!(
                    full.len() != 1
                        || !PUNCTUATION.iter().any(|&(f, t)| (f..t).contains(&(c as u32))),
                    "U+{:04X}",
                    c as u32
                ),
            }
        }
        assert_eq!(nfkc_single('，'), Some(','));
        assert_eq!(nfkc_single('…'), None); // "..."
    }

    #[test]
    fn original_text_is_as_written() {
        let r = read("增长１１．１％，");
        assert_eq!(r.original_text(0, 7), "增长１１．１％");
    }
}
