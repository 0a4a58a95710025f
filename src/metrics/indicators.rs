//! The indicator dictionary: canonical key → label and the phrasings that name it in speeches.
//! Built in, extendable and overridable from site.toml's `[[indicators]]`.

use crate::config::IndicatorEntry;

/// One canonical indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub(crate) key: String,
    pub(crate) label: String,
    /// How texts name it; the longest matching phrasing wins.
    pub(crate) phrasings: Vec<String>,
}

/// The dictionary, in display order.
#[derive(Debug, Clone)]
pub struct Indicators {
    list: Vec<Indicator>,
}

/// Built-in indicators. A subject names one when, less areas, periods and fillers
/// (实现, 完成, 累计 …), it is exactly one of the phrasings.
const BUILTIN: &[(&str, &str, &[&str])] = &[
    (
        "gdp",
        "地区生产总值（GDP）",
        &["GDP", "地区生产总值", "生产总值", "国内生产总值", "经济增速", "经济"],
    ),
    (
        "industrial_value_added",
        "规上工业增加值",
        &["规上工业增加值", "规模以上工业增加值", "规上工业增加值增速"],
    ),
    (
        "fixed_asset_investment",
        "固定资产投资",
        &["固定资产投资", "全社会固定资产投资", "固定资产投资额", "全社会固定资产投资额", "固投"],
    ),
    ("industrial_investment", "工业投资", &["工业投资"]),
    ("general_budget_revenue", "一般公共预算收入", &["一般公共预算收入", "地方一般公共预算收入"]),
    (
        "import_export",
        "进出口总额",
        &[
            "进出口总额",
            "进出口总值",
            "进出口值",
            "外贸进出口",
            "外贸进出口总额",
            "外贸进出口总值",
            "外贸进出口值",
            "进出口",
        ],
    ),
    (
        "resident_income",
        "居民人均可支配收入",
        &[
            "全体居民收入",
            "居民人均可支配收入",
            "全体居民人均可支配收入",
            "常住居民人均可支配收入",
            "全体常住居民人均可支配收入",
        ],
    ),
    ("tax_revenue", "税收收入", &["税收收入", "税收"]),
    ("retail_sales", "社会消费品零售总额", &["社会消费品零售总额", "社零总额", "社零"]),
    (
        "industrial_profit",
        "工业利润",
        &[
            "规上工业利润",
            "工业利润",
            "规上工业企业利润",
            "规上工业利润总额",
            "规上工业企业利润总额",
            "规模以上工业企业利润",
            "规模以上工业利润总额",
            "规模以上工业企业利润总额",
        ],
    ),
    (
        "urban_income",
        "城镇居民人均可支配收入",
        &["城镇居民人均可支配收入", "城镇常住居民人均可支配收入", "城镇居民收入"],
    ),
    (
        "rural_income",
        "农村居民人均可支配收入",
        &["农村居民人均可支配收入", "农村常住居民人均可支配收入", "农村居民收入"],
    ),
];

impl Indicators {
    /// Built-in dictionary with site.toml's entries applied (same key: replaced).
    pub fn new(overrides: &[IndicatorEntry]) -> Indicators {
        let mut list: Vec<Indicator> = BUILTIN
            .iter()
            .map(|(key, label, phrasings)| Indicator {
                key: (*key).into(),
                label: (*label).into(),
                phrasings: phrasings.iter().map(|p| p.to_string()).collect(),
            })
            .collect();
        for entry in overrides {
            let ind = Indicator {
                key: entry.key.clone(),
                label: entry.label.clone(),
                phrasings: entry.phrasings.clone(),
            };
            match list.iter_mut().find(|i| i.key == entry.key) {
                Some(existing) => *existing = ind,
                None => list.push(ind),
            }
        }
        Indicators { list }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Indicator> {
        self.list.iter().find(|i| i.key == key)
    }

    /// Position of `key` in display order; unknown keys sort after all known ones.
    pub(crate) fn rank(&self, key: &str) -> usize {
        self.list.iter().position(|i| i.key == key).unwrap_or(usize::MAX)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Indicator> {
        self.list.iter()
    }

    /// Label for display: the dictionary's, else the key itself.
    pub fn label<'a>(&'a self, key: &'a str) -> &'a str {
        self.get(key).map(|i| i.label.as_str()).unwrap_or(key)
    }
}
