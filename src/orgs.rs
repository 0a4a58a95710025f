//! The organisation registry: Chongqing's districts, counties and zones and the common municipal
//! departments, each with its kind, aliases and a curated ASCII slug (pinyin crates misread
//! polyphonic names such as 重庆 and 长寿, so known names never go through pinyin). site.toml can
//! add or override entries; names outside the registry fall back to a pinyin slug.

use serde::{Deserialize, Serialize};

use crate::config::OrganisationEntry;

/// What kind of unit an organisation is; drives grouping on `/districts/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    District,
    County,
    Zone,
    Department,
    Other,
}

impl OrgKind {
    pub fn parse(s: &str) -> Option<OrgKind> {
        Some(match s {
            "district" => OrgKind::District,
            "county" => OrgKind::County,
            "zone" => OrgKind::Zone,
            "department" => OrgKind::Department,
            "other" => OrgKind::Other,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::District => "district",
            OrgKind::County => "county",
            OrgKind::Zone => "zone",
            OrgKind::Department => "department",
            OrgKind::Other => "other",
        }
    }

    /// The heading a reader sees for this kind.
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::District => "区",
            OrgKind::County => "县",
            OrgKind::Zone => "功能区",
            OrgKind::Department => "市级部门",
            OrgKind::Other => "其他",
        }
    }
}

/// One known organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub name: String,
    pub slug: String,
    pub kind: OrgKind,
    pub aliases: Vec<String>,
}

/// Built-in entries plus site.toml's.
#[derive(Debug, Clone)]
pub struct Registry {
    orgs: Vec<Organisation>,
}

impl Registry {
    /// The built-in registry with site.toml's entries applied (same name: replaced).
    pub fn new(overrides: &[OrganisationEntry]) -> Registry {
        let mut orgs: Vec<Organisation> = builtin();
        for entry in overrides {
            let kind = entry.kind.unwrap_or(OrgKind::Other);
            let org = Organisation {
                name: entry.name.clone(),
                slug: entry.slug.clone(),
                kind,
                aliases: entry.aliases.clone(),
            };
            match orgs.iter_mut().find(|o| o.name == entry.name) {
                Some(existing) => *existing = org,
                None => orgs.push(org),
            }
        }
        Registry { orgs }
    }

    /// The organisation with this name or alias.
    pub fn lookup(&self, name: &str) -> Option<&Organisation> {
        self.orgs
            .iter()
            .find(|o| o.name == name)
            .or_else(|| self.orgs.iter().find(|o| o.aliases.iter().any(|a| a == name)))
    }

    /// The organisation whose name or alias is the longest one found inside `text`
    /// ("市委常委、万州区委书记" → 万州区; "西部科学城重庆高新区党工委副书记" → 重庆高新区).
    /// Ties go to the earlier occurrence, then to registry order.
    pub fn find_in(&self, text: &str) -> Option<&Organisation> {
        let mut best: Option<(&Organisation, usize, usize)> = None;
        for org in &self.orgs {
            for name in std::iter::once(&org.name).chain(&org.aliases) {
                if name.is_empty() {
                    continue;
                }
                if let Some(at) = text.find(name.as_str()) {
                    let better = match best {
                        None => true,
                        Some((_, len, pos)) => name.len() > len || (name.len() == len && at < pos),
                    };
                    if better {
                        best = Some((org, name.len(), at));
                    }
                }
            }
        }
        best.map(|(org, _, _)| org)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Organisation> {
        self.orgs.iter()
    }
}

/// Districts and counties: (name, slug, short alias, other aliases). Slugs are the plain pinyin
/// of the name without its 区/县 suffix, curated by hand (pinyin crates misread 长寿, 重庆 …).
const DISTRICTS: &[(&str, &str, &[&str])] = &[
    ("万州区", "wanzhou", &["万州"]),
    ("黔江区", "qianjiang", &["黔江"]),
    ("涪陵区", "fuling", &["涪陵"]),
    ("渝中区", "yuzhong", &["渝中"]),
    ("大渡口区", "dadukou", &["大渡口"]),
    ("江北区", "jiangbei", &["江北"]),
    ("沙坪坝区", "shapingba", &["沙坪坝"]),
    ("九龙坡区", "jiulongpo", &["九龙坡"]),
    ("南岸区", "nanan", &["南岸"]),
    ("北碚区", "beibei", &["北碚"]),
    ("渝北区", "yubei", &["渝北"]),
    ("巴南区", "banan", &["巴南"]),
    ("长寿区", "changshou", &["长寿"]),
    ("江津区", "jiangjin", &["江津"]),
    ("合川区", "hechuan", &["合川"]),
    ("永川区", "yongchuan", &["永川"]),
    ("南川区", "nanchuan", &["南川"]),
    ("綦江区", "qijiang", &["綦江"]),
    ("大足区", "dazu", &["大足"]),
    ("璧山区", "bishan", &["璧山"]),
    ("铜梁区", "tongliang", &["铜梁"]),
    ("潼南区", "tongnan", &["潼南"]),
    ("荣昌区", "rongchang", &["荣昌"]),
    ("开州区", "kaizhou", &["开州"]),
    ("梁平区", "liangping", &["梁平"]),
    ("武隆区", "wulong", &["武隆"]),
];

const COUNTIES: &[(&str, &str, &[&str])] = &[
    ("城口县", "chengkou", &["城口"]),
    ("丰都县", "fengdu", &["丰都"]),
    ("垫江县", "dianjiang", &["垫江"]),
    // One syllable alone is no name: the official romanisation keeps the suffix.
    ("忠县", "zhongxian", &[]),
    ("云阳县", "yunyang", &["云阳"]),
    ("奉节县", "fengjie", &["奉节"]),
    ("巫山县", "wushan", &["巫山"]),
    ("巫溪县", "wuxi", &["巫溪"]),
    ("石柱县", "shizhu", &["石柱", "石柱土家族自治县"]),
    ("秀山县", "xiushan", &["秀山", "秀山土家族苗族自治县"]),
    ("酉阳县", "youyang", &["酉阳", "酉阳土家族苗族自治县"]),
    ("彭水县", "pengshui", &["彭水", "彭水苗族土家族自治县"]),
];

const ZONES: &[(&str, &str, &[&str])] = &[
    ("两江新区", "liangjiang", &["重庆两江新区", "两江"]),
    ("重庆高新区", "gaoxin", &["西部科学城重庆高新区", "科学城高新区", "高新区"]),
    ("万盛经开区", "wansheng", &["万盛经济技术开发区", "万盛"]),
];

/// Municipal departments, by the short names the digests print.
const DEPARTMENTS: &[(&str, &str, &[&str])] = &[
    ("市委办公厅", "shiwei-bangongting", &[]),
    ("市政府办公厅", "shizhengfu-bangongting", &[]),
    ("市委组织部", "zuzhibu", &[]),
    ("市委宣传部", "xuanchuanbu", &[]),
    ("市委统战部", "tongzhanbu", &[]),
    ("市委政法委", "zhengfawei", &[]),
    ("市纪委监委", "jiwei", &["市纪委"]),
    ("市发展改革委", "fazhangaigewei", &["市发改委", "重庆市发展和改革委员会"]),
    ("市教委", "jiaowei", &["重庆市教育委员会"]),
    ("市科技局", "kejiju", &["重庆市科学技术局"]),
    ("市经济信息委", "jingxinwei", &["重庆市经济和信息化委员会"]),
    ("市公安局", "gonganju", &["重庆市公安局"]),
    ("市民政局", "minzhengju", &["重庆市民政局"]),
    ("市司法局", "sifaju", &["重庆市司法局"]),
    ("市财政局", "caizhengju", &["重庆市财政局"]),
    ("市人力社保局", "renlishebaoju", &["市人力资源社会保障局"]),
    ("市规划自然资源局", "guihuaziyuanju", &["市规划和自然资源局"]),
    ("市生态环境局", "shengtaihuanjingju", &[]),
    ("市住房城乡建委", "zhujianwei", &["市住房和城乡建设委员会"]),
    ("市城市管理局", "chengguanju", &["市城管局"]),
    ("市交通运输委", "jiaotongwei", &["市交通局"]),
    ("市水利局", "shuiliju", &[]),
    ("市农业农村委", "nongyenongcunwei", &[]),
    ("市商务委", "shangwuwei", &[]),
    ("市文化旅游委", "wenlvwei", &["市文旅委"]),
    ("市卫生健康委", "weijianwei", &["市卫健委"]),
    ("市退役军人事务局", "tuiyijunrenju", &[]),
    ("市应急局", "yingjiju", &["市应急管理局"]),
    ("市审计局", "shenjiju", &[]),
    ("市国资委", "guoziwei", &[]),
    ("市市场监管局", "shichangjianguanju", &["市市场监督管理局"]),
    ("市体育局", "tiyuju", &[]),
    ("市统计局", "tongjiju", &[]),
    ("市医保局", "yibaoju", &["市医疗保障局"]),
    ("市林业局", "linyeju", &[]),
    ("市乡村振兴局", "xiangcunzhenxingju", &[]),
    ("市大数据发展局", "dashujuju", &[]),
    ("市金融监管局", "jinrongjianguanju", &["市地方金融监管局"]),
    ("市能源局", "nengyuanju", &[]),
    ("市机关事务局", "jiguanshiwuju", &[]),
    ("市政府口岸物流办", "kouanwuliuban", &["市口岸物流办"]),
    ("市招商投资局", "zhaoshangtouziju", &[]),
    ("市信访办", "xinfangban", &["市信访局"]),
    ("市政府外办", "waiban", &["市外办"]),
    ("市税务局", "shuiwuju", &["国家税务总局重庆市税务局"]),
];

fn builtin() -> Vec<Organisation> {
    let groups = [
        (DISTRICTS, OrgKind::District),
        (COUNTIES, OrgKind::County),
        (ZONES, OrgKind::Zone),
        (DEPARTMENTS, OrgKind::Department),
    ];
    groups
        .iter()
        .flat_map(|(list, kind)| {
            list.iter().map(move |(name, slug, aliases)| Organisation {
                name: (*name).into(),
                slug: (*slug).into(),
                kind: *kind,
                aliases: aliases.iter().map(|s| s.to_string()).collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn builtin_slugs_are_valid_and_unique() {
        let registry = Registry::new(&[]);
        let mut slugs = HashSet::new();
        let mut names = HashSet::new();
        for org in registry.iter() {
            assert!(crate::slug::is_valid(&org.slug), "{}: {}", org.name, org.slug);
            assert!(slugs.insert(org.slug.clone()), "duplicate slug {}", org.slug);
            for name in std::iter::once(&org.name).chain(&org.aliases) {
                assert!(names.insert(name.clone()), "duplicate name or alias {name}");
            }
        }
        let count = |kind| registry.iter().filter(|o| o.kind == kind).count();
        assert_eq!(count(OrgKind::District) + count(OrgKind::County), 38);
        assert_eq!(count(OrgKind::Zone), 3);
        assert!(count(OrgKind::Department) >= 18);
    }

    #[test]
    fn curated_slugs_avoid_pinyin_misreadings() {
        let registry = Registry::new(&[]);
        assert_eq!(registry.lookup("长寿区").unwrap().slug, "changshou");
        assert_eq!(registry.lookup("万盛").unwrap().slug, "wansheng");
        assert_eq!(registry.lookup("市发展改革委").unwrap().slug, "fazhangaigewei");
    }

    #[test]
    fn find_in_takes_the_longest_name() {
        let registry = Registry::new(&[]);
        for (text, want) in [
            ("市委常委、万州区委书记", Some("万州区")),
            ("西部科学城重庆高新区党工委副书记、管委会主任", Some("重庆高新区")),
            ("科学城高新区深入落实", Some("重庆高新区")),
            ("万盛经开区党工委副书记、管委会主任", Some("万盛经开区")),
            ("市经济信息委党组书记、主任", Some("市经济信息委")),
            ("市市场监管局党组书记、局长", Some("市市场监管局")),
            ("彭水苗族土家族自治县县长", Some("彭水县")),
            ("忠县县委书记", Some("忠县")),
            ("某某区委书记", None),
            ("", None),
        ] {
            assert_eq!(registry.find_in(text).map(|o| o.name.as_str()), want, "{text}");
        }
    }

    #[test]
    fn overrides_replace_and_extend() {
        let registry = Registry::new(&[
            OrganisationEntry {
                name: "万州区".into(),
                slug: "wz".into(),
                kind: Some(OrgKind::District),
                aliases: vec![],
            },
            OrganisationEntry {
                name: "某某区".into(),
                slug: "moumou".into(),
                kind: None,
                aliases: vec!["某某".into()],
            },
        ]);
        assert_eq!(registry.lookup("万州区").unwrap().slug, "wz");
        assert_eq!(registry.find_in("某某区委书记").unwrap().slug, "moumou");
        assert_eq!(registry.lookup("某某").unwrap().kind, OrgKind::Other);
    }
}
