//! The words of Chinese statistical writing the figure parser reads: measure verbs and their
//! sign, the links and qualifiers around a value, units, amount units, bases of comparison,
//! periods, area names and the markers of targets, shares, contributions and gaps.
//! Word lists and small matchers over `&[char]`; the grammar that combines them is in `extract`.

/// The length in chars of `word` when it is at `i` in `chars`.
fn matched(chars: &[char], i: usize, word: &str) -> Option<usize> {
    let mut k = i;
    for w in word.chars() {
        if chars.get(k) != Some(&w) {
            return None;
        }
        k += 1;
    }
    Some(k - i)
}

/// True when `word` is at `i` in `chars`.
pub(crate) fn at(chars: &[char], i: usize, word: &str) -> bool {
    matched(chars, i, word).is_some()
}

/// The first of `words` (listed longest first where it matters) at `i`: its length in chars.
pub(crate) fn any_at<'a>(chars: &[char], i: usize, words: &[&'a str]) -> Option<(&'a str, usize)> {
    words.iter().find_map(|w| matched(chars, i, w).map(|n| (*w, n)))
}

/// True when `chars` contains any of `words` (cheaper than `str::contains` on short texts).
pub(crate) fn has_any(chars: &[char], words: &[&str]) -> bool {
    (0..chars.len()).any(|i| words.iter().any(|w| at(chars, i, w)))
}

/// True when `text` contains any of `words`.
pub(crate) fn contains_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// How a measure verb reads its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Verb {
    pub(crate) word: &'static str,
    /// +1 for growth, -1 for decline.
    pub(crate) sign: f64,
}

/// Measure verbs, longest first so `负增长` wins over `增长`.
pub(crate) const VERBS: &[Verb] = &[
    Verb { word: "负增长", sign: -1.0 },
    Verb { word: "增长", sign: 1.0 },
    Verb { word: "增速", sign: 1.0 },
    Verb { word: "增幅", sign: 1.0 },
    Verb { word: "增加", sign: 1.0 },
    Verb { word: "比增", sign: 1.0 },
    Verb { word: "同增", sign: 1.0 },
    Verb { word: "上升", sign: 1.0 },
    Verb { word: "上涨", sign: 1.0 },
    Verb { word: "涨幅", sign: 1.0 },
    Verb { word: "提高", sign: 1.0 },
    Verb { word: "提升", sign: 1.0 },
    Verb { word: "加快", sign: 1.0 },
    Verb { word: "回升", sign: 1.0 },
    Verb { word: "下降", sign: -1.0 },
    Verb { word: "降低", sign: -1.0 },
    Verb { word: "降幅", sign: -1.0 },
    Verb { word: "回落", sign: -1.0 },
    Verb { word: "减少", sign: -1.0 },
    Verb { word: "下滑", sign: -1.0 },
    Verb { word: "增", sign: 1.0 },
];

/// The verb at `i`, if any.
pub(crate) fn verb_at(chars: &[char], i: usize) -> Option<Verb> {
    // Every verb starts with one of these: most chars are rejected here.
    let first = chars.get(i)?;
    if !matches!(
        first,
        '负' | '增' | '比' | '同' | '上' | '涨' | '提' | '加' | '回' | '下' | '降' | '减'
    ) {
        return None;
    }
    if at(chars, i, "增加值") {
        return None;
    }
    VERBS.iter().find(|v| at(chars, i, v.word)).copied()
}

/// Adverbs and links allowed between a verb and its value, longest first.
pub(crate) const LINKS: &[&str] = &[
    "分别达到",
    "分别为",
    "分别是",
    "分别达",
    "甚至达到了",
    "甚至达到",
    "更是达到",
    "达到了",
    "分别",
    "高达",
    "达到",
    "只有",
    "仅为",
    "为",
    "达",
    "是",
    "了",
    "仅",
];

/// Qualifiers written before a value ("增长超过10%", "增长近1倍").
pub(crate) const QUALIFIERS_BEFORE: &[&str] = &["超过", "接近", "约", "近", "逾", "超"];

/// Qualifiers written after a value ("增长10%以上", "5%左右").
pub(crate) const QUALIFIERS_AFTER: &[&str] = &["以上", "左右", "以内", "以下", "上下", "多"];

/// Value units as read (after NFKC), longest first, and how a figure records them.
pub(crate) const UNITS: &[(&str, &str)] =
    &[("个百分点", "个百分点"), ("百分点", "个百分点"), ("%", "%"), ("倍", "倍")];

/// Units of absolute amounts ("1245.4亿元", "8.8亿吨"), longest first.
pub(crate) const AMOUNT_UNITS: &[&str] = &[
    "万亿元",
    "亿美元",
    "万美元",
    "亿千瓦时",
    "万千瓦时",
    "千瓦时",
    "亿立方米",
    "万立方米",
    "万平方米",
    "平方米",
    "万人次",
    "万标箱",
    "亿元",
    "万元",
    "千元",
    "美元",
    "亿吨",
    "万吨",
    "万人",
    "万户",
    "万辆",
    "万件",
    "亿件",
    "元",
    "吨",
    "人",
    "户",
    "个",
    "家",
    "项",
    "辆",
    "件",
];

/// Words that open a basis of comparison between a subject and its verb.
pub(crate) const BASIS_WORDS: &[&str] = &[
    "扣除",
    "按可比价格计算",
    "按可比价",
    "可比价",
    "可比",
    "同比",
    "环比",
    "两年平均",
    "年均",
    "名义",
    "实际",
    "按年",
    "相比",
    "比上年",
    "比去年",
    "较",
];

/// Basis words meaning "not year-on-year" (the figure is growth, but not the metric).
pub(crate) const NOT_YOY: &[&str] =
    &["环比", "两年平均", "年均", "实际", "扣除", "上月", "比20", "比19", "比1", "比2", "较"];

/// Words before a value that make it a target or plan, not an outcome.
pub(crate) const TARGET_WORDS: &[&str] =
    &["目标", "预期", "力争", "争取", "提出", "计划增长", "预算增长"];

/// Target words that are not targets here ("完成全年目标的95%", "目标任务").
pub(crate) const NOT_TARGET: &[&str] = &["目标的", "目标任务", "计划的"];

/// Words that make a value a share, a rate or a level, not a growth.
pub(crate) const SHARE_WORDS: &[&str] = &["占", "比重", "占比", "比例"];

/// Words that make a value a contribution to another indicator's growth.
pub(crate) const CONTRIBUTION_WORDS: &[&str] = &["拉动", "拉低", "贡献"];

/// Words that make a value a gap between two rates.
pub(crate) const GAP_WORDS: &[&str] =
    &["高于", "低于", "高出", "低出", "快于", "慢于", "领先", "落后", "超出", "均超过"];

/// Connectives that open a clause before its subject.
pub(crate) const CONNECTIVES: &[&str] = &[
    "其中",
    "力争",
    "争取",
    "确保",
    "同期",
    "另外",
    "此外",
    "同时",
    "但是",
    "但",
    "而",
    "并且",
    "并",
    "且",
    "其",
    "从数据上看",
    "数据显示",
    "初步核算",
    "初步测算",
];

/// Adverbs and fillers around a subject that are not part of it.
pub(crate) const FILLERS: &[&str] = &[
    "累计完成",
    "上报完成",
    "累计入库",
    "累计",
    "入库",
    "实现",
    "完成",
    "全年",
    "当月",
    "合计",
    "总计",
    "共",
    "预计",
    "各项",
];

/// Adverbs between a subject and its verb ("小幅增长", "也增长").
pub(crate) const ADVERBS: &[&str] = &[
    "分别", "同比", "小幅", "大幅", "稳步", "持续", "继续", "快速", "逆势", "均", "也", "仍", "则",
    "再", "都", "只", "仅",
];

/// Heads that name no indicator alone ("增加值同比增长8.5%" continues an earlier subject).
pub(crate) const HEADS: &[&str] =
    &["增加值", "利润总额", "利润", "投资", "投资额", "零售额", "产值", "收入"];

/// Heads a list's last item shares with the others ("电子信息、先进材料增加值").
pub(crate) const SHARED_HEADS: &[&str] =
    &["增加值", "利润总额", "企业利润", "利润", "投资", "零售额", "产值", "进出口", "支出"];

/// Own-area words: the area a text is about (kept out of subjects).
pub(crate) const OWN_AREAS: &[&str] = &[
    "全区", "全市", "全县", "全省", "全州", "全盟", "全旗", "全镇", "全乡", "本市", "本区", "本县",
    "本省", "该区", "该市", "该县", "该省", "我市", "我区", "我县", "我省", "我州",
];

/// Named areas: the nation, provinces and large cities (a subject keeps them; a metric's
/// subject may start with one).
pub(crate) const NAMED_AREAS: &[&str] = &[
    "全国",
    "中国",
    "我国",
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "深圳",
    "广州",
    "成都",
    "西安",
    "杭州",
    "南京",
    "武汉",
    "厦门",
    "宁波",
    "青岛",
    "大连",
    "沈阳",
    "长春",
    "哈尔滨",
    "济南",
    "郑州",
    "长沙",
    "苏州",
    "合肥",
    "福州",
    "南昌",
    "昆明",
    "贵阳",
    "南宁",
    "太原",
    "石家庄",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
    "拉萨",
    "呼和浩特",
    "海口",
];

/// Endings of an administrative area's name (西安市, 歙县, 江苏省).
const AREA_SUFFIXES: &[char] = &['省', '市', '区', '县', '州', '旗', '盟'];

/// Words ending in an area suffix that are not areas.
const NOT_AREAS: &[&str] =
    &["园区", "城区", "社区", "小区", "片区", "景区", "山区", "库区", "辖区", "地区"];

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Length in chars of an area name at the start of `s`: an own-area word, a named area (with
/// an optional 省/市), or up to four ideographs and an area suffix.
pub(crate) fn area_prefix(s: &[char]) -> Option<usize> {
    if let Some((_, n)) = any_at(s, 0, OWN_AREAS) {
        return Some(n);
    }
    let named = NAMED_AREAS.iter().filter(|a| at(s, 0, a)).map(|a| a.chars().count()).max();
    if let Some(n) = named {
        let n = if s.get(n).is_some_and(|c| matches!(c, '省' | '市')) { n + 1 } else { n };
        return Some(n);
    }
    for n in 2..=5 {
        let Some(&c) = s.get(n - 1) else { break };
        if !is_cjk(c) {
            break;
        }
        if AREA_SUFFIXES.contains(&c) {
            let word: String = s[n.saturating_sub(2)..n].iter().collect();
            let all: String = s[..n].iter().collect();
            if NOT_AREAS.contains(&word.as_str()) || all.contains("工业") || all.contains("企业")
            {
                return None;
            }
            return Some(n);
        }
    }
    None
}

/// True when the whole of `s` is one named area (for lists of areas).
pub(crate) fn is_area(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    area_prefix(&chars) == Some(chars.len()) && !chars.is_empty()
}

const QUARTERS: &[&str] = &[
    "前三季度",
    "前两季度",
    "前二季度",
    "前四季度",
    "第一季度",
    "第二季度",
    "第三季度",
    "第四季度",
    "一季度",
    "二季度",
    "三季度",
    "四季度",
    "上半年",
    "下半年",
    "全年",
    "年初以来",
    "今年以来",
    "同期",
    "当月",
];

fn digits(s: &[char], from: usize, max: usize) -> Option<usize> {
    let mut j = from;
    while j < s.len() && s[j].is_ascii_digit() && j - from < max {
        j += 1;
    }
    (j > from).then_some(j)
}

/// Length in chars of a period at `i` ("2021年前三季度", "1—7月份", "前9月", "今年上半年",
/// "3月份当月", "2015年"), or None.
pub(crate) fn period_at(s: &[char], i: usize) -> Option<usize> {
    let first = *s.get(i)?;
    let can_start = first.is_ascii_digit()
        || matches!(
            first,
            '今' | '去'
                | '上'
                | '当'
                | '本'
                | '年'
                | '前'
                | '第'
                | '一'
                | '二'
                | '三'
                | '四'
                | '下'
                | '全'
                | '同'
        );
    if !can_start || (i > 0 && s[i - 1].is_ascii_digit()) {
        return None;
    }
    if let Some((_, n)) = any_at(s, i, &["今年以来", "年初以来"]) {
        return Some(n);
    }
    let mut j = i;
    // A year.
    if let Some(k) = digits(s, j, 4).filter(|k| k - j == 4 && s.get(*k) == Some(&'年')) {
        j = k + 1;
    } else if let Some((_, n)) = any_at(s, j, &["今年", "去年", "上年", "当年", "本年"]) {
        j += n;
    }
    let year_end = j;
    if let Some((_, n)) = any_at(s, j, QUARTERS) {
        j += n;
    } else if at(s, j, "前") && digits(s, j + 1, 2).is_some() {
        let k = digits(s, j + 1, 2).unwrap_or(j + 1);
        let k = if s.get(k) == Some(&'个') { k + 1 } else { k };
        if s.get(k) == Some(&'月') {
            j = k + 1;
        }
    } else if let Some(k) = digits(s, j, 2) {
        let mut m = k;
        while m < s.len() && matches!(s[m], '—' | '–' | '-' | '~' | '至' | '到' | '―') {
            m += 1;
        }
        let end = if m > k { digits(s, m, 2) } else { Some(k) };
        // "9月17日" is a date, not a period.
        let date = |e: usize| s.get(e + 1).is_some_and(|c| c.is_ascii_digit());
        if let Some(e) = end.filter(|e| s.get(*e) == Some(&'月') && !date(*e)) {
            j = e + 1;
        }
    }
    // A bare 今年/去年 names no period of its own; "2015年" does.
    if j == i || (j == year_end && !s[i].is_ascii_digit()) {
        return None;
    }
    if j > year_end || j > i {
        if at(s, j, "份") {
            j += 1;
        }
        if at(s, j, "当月") && j > year_end {
            j += 2;
        }
        if at(s, j, "累计") {
            j += 2;
        }
    }
    Some(j - i)
}

/// A period's comparable core: without 今年, 份, 累计 and 当月, dashes as `-`.
pub(crate) fn period_core(p: &str) -> String {
    // Most periods ("前三季度", "1-9月") are their own core: nothing to replace.
    if !p.contains(['今', '第', '份', '累', '当', '—', '–', '~', '至', '到', '―']) {
        return p.to_string();
    }
    p.replace("今年", "")
        .replace("第一季度", "一季度")
        .replace("第二季度", "二季度")
        .replace("第三季度", "三季度")
        .replace("第四季度", "四季度")
        .replace('份', "")
        .replace("累计", "")
        .replace("当月", "")
        .chars()
        .map(|c| if matches!(c, '—' | '–' | '~' | '至' | '到' | '―') { '-' } else { c })
        .collect()
}

/// True for a period that is a part of a longer one: a single month or quarter.
pub(crate) fn is_part_period(p: &str) -> bool {
    let core = period_core(p);
    let single_month = core.ends_with('月') && !core.contains('-') && !core.starts_with('前');
    let quarter = ["一季度", "二季度", "三季度", "四季度"].iter().any(|q| core.ends_with(q))
        && !core.contains("前");
    single_month || quarter || p.contains("当月")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn periods() {
        for (text, want) in [
            ("2021年前三季度广东", Some("2021年前三季度")),
            ("1-7月，", Some("1-7月")),
            ("1—10月份,全市", Some("1—10月份")),
            ("前9月规模", Some("前9月")),
            ("今年上半年", Some("今年上半年")),
            ("9月份当月", Some("9月份当月")),
            ("1至9月", Some("1至9月")),
            ("2015年全县", Some("2015年")),
            ("1-7月累计全国", Some("1-7月累计")),
            ("12.5%", None),
            ("全县", None),
        ] {
            let c = chars(text);
            let got = period_at(&c, 0).map(|n| c[..n].iter().collect::<String>());
            assert_eq!(got.as_deref(), want, "{text}");
        }
    }

    #[test]
    fn part_periods() {
        for (p, want) in [
            ("3月份", true),
            ("二季度", true),
            ("9月份当月", true),
            ("前三季度", false),
            ("1-7月", false),
            ("前9月", false),
            ("上半年", false),
        ] {
            assert_eq!(is_part_period(p), want, "{p}");
        }
    }

    #[test]
    fn areas() {
        for (text, want) in [
            ("全区地区生产总值", Some(2)),
            ("西安市规模以上", Some(3)),
            ("广东省统计局", Some(3)),
            ("广东外贸", Some(2)),
            ("歙县城镇", Some(2)),
            ("园区规模工业", None),
            ("规模以上工业", None),
            ("地区生产总值", None),
        ] {
            assert_eq!(area_prefix(&chars(text)), want, "{text}");
        }
    }
}
