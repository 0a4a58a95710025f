//! Departments anywhere: a level (省/市/区/县, or a named unit such as 深圳市) followed by a
//! department's name (发展改革委, 财政局 …) is that level's department. The names the papers print
//! and a curated slug for each are listed here; the slug is prefixed by its level or unit
//! (`shi-caizheng`, `shenzhen-caizheng`).

use std::sync::LazyLock;

use super::names::NameIndex;

/// (names as printed, slug). A name may start with 委/政府 where that tells the party's office
/// from the government's.
const DEPARTMENTS: &[(&[&str], &str)] = &[
    (
        &["发展改革委", "发展和改革委员会", "发展和改革委", "发改委", "发展改革局", "发改局"],
        "fagaiwei",
    ),
    (&["财政局", "财政厅"], "caizheng"),
    (&["教委", "教育委员会", "教育局", "教育厅"], "jiaoyu"),
    (&["科技局", "科技厅", "科学技术局", "科学技术厅"], "keji"),
    (
        &[
            "经济信息委",
            "经济和信息化委员会",
            "经信委",
            "经信局",
            "工业和信息化局",
            "工信局",
            "工业和信息化厅",
            "工信厅",
        ],
        "gongxin",
    ),
    (&["公安局", "公安厅"], "gongan"),
    (&["民政局", "民政厅"], "minzheng"),
    (&["司法局", "司法厅"], "sifa"),
    (
        &[
            "人力社保局",
            "人力资源社会保障局",
            "人力资源和社会保障局",
            "人社局",
            "人力资源社会保障厅",
            "人力资源和社会保障厅",
            "人社厅",
        ],
        "renshe",
    ),
    (&["规划自然资源局", "规划和自然资源局", "自然资源局", "自然资源厅"], "ziranziyuan"),
    (&["生态环境局", "生态环境厅"], "shengtaihuanjing"),
    (
        &[
            "住房城乡建委",
            "住房和城乡建设委员会",
            "住房城乡建设局",
            "住房和城乡建设局",
            "住建委",
            "住建局",
            "住房和城乡建设厅",
            "住房城乡建设厅",
            "住建厅",
        ],
        "zhujian",
    ),
    (&["交通运输委", "交通运输局", "交通运输厅", "交通局", "交通委"], "jiaotong"),
    (&["水利局", "水利厅", "水务局"], "shuili"),
    (&["农业农村委", "农业农村局", "农业农村厅", "农业局"], "nongye"),
    (&["商务委", "商务局", "商务厅"], "shangwu"),
    (
        &[
            "文化旅游委",
            "文化和旅游局",
            "文化广电旅游局",
            "文广旅局",
            "文旅委",
            "文旅局",
            "文化和旅游厅",
        ],
        "wenlv",
    ),
    (&["卫生健康委", "卫生健康局", "卫健委", "卫健局", "卫生健康厅"], "weijian"),
    (&["退役军人事务局", "退役军人事务厅"], "tuiyijunren"),
    (&["应急管理局", "应急局", "应急管理厅"], "yingji"),
    (&["审计局", "审计厅"], "shenji"),
    (&["国资委"], "guozi"),
    (&["市场监管局", "市场监督管理局"], "shichangjianguan"),
    (&["统计局"], "tongji"),
    (&["医保局", "医疗保障局"], "yibao"),
    (&["林业局", "林业和草原局", "林草局"], "linye"),
    (&["税务局"], "shuiwu"),
    (&["大数据发展局", "大数据局", "大数据发展管理局"], "dashuju"),
    (&["城市管理局", "城管局", "城市管理综合执法局"], "chengguan"),
    (&["乡村振兴局"], "xiangcunzhenxing"),
    (&["能源局"], "nengyuan"),
    (&["信访局", "信访办"], "xinfang"),
    (&["外办", "外事办"], "waiban"),
    (&["机关事务局", "机关事务管理局"], "jiguanshiwu"),
    (&["招商投资局", "投资促进局", "投促局"], "touzi"),
    (&["金融监管局", "地方金融监管局", "金融办"], "jinrong"),
    (&["体育局"], "tiyu"),
    (&["委组织部", "组织部"], "zuzhibu"),
    (&["委宣传部", "宣传部"], "xuanchuanbu"),
    (&["委统战部", "统战部"], "tongzhanbu"),
    (&["委政法委", "政法委"], "zhengfawei"),
    (&["纪委监委", "纪委"], "jiwei"),
    (&["委办公厅", "委办公室"], "weiban"),
    (&["政府办公厅", "政府办公室", "人民政府办公厅", "人民政府办公室"], "zhengfuban"),
];

/// Level words that may stand before a department's name, with their slug: 市财政局, 省委组织部.
pub(crate) const LEVELS: &[(&str, &str)] = &[
    ("省人民政府", "sheng"),
    ("市人民政府", "shi"),
    ("区人民政府", "qu"),
    ("县人民政府", "xian"),
    ("省政府", "sheng"),
    ("市政府", "shi"),
    ("区政府", "qu"),
    ("县政府", "xian"),
    ("省委", "sheng"),
    ("市委", "shi"),
    ("区委", "qu"),
    ("县委", "xian"),
    ("省", "sheng"),
    ("市", "shi"),
    ("区", "qu"),
    ("县", "xian"),
];

/// What may stand between a unit's name and its department: 深圳市人民政府办公厅, 深圳市委组织部.
pub(crate) const JOINS: &[&str] = &["", "委", "政府", "人民政府"];

/// Department names in free text → their slug.
pub(crate) static FINDER: LazyLock<NameIndex<&'static str>> = LazyLock::new(|| {
    NameIndex::new(
        DEPARTMENTS
            .iter()
            .flat_map(|(names, slug)| names.iter().map(move |n| (n.to_string(), *slug))),
    )
});

/// The level word that `before` ends with, longest first, and its slug.
pub(crate) fn level_before(before: &str) -> Option<(&'static str, &'static str)> {
    LEVELS.iter().find(|(word, _)| before.ends_with(word)).copied()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_and_slugs_are_unique_and_valid() {
        let mut names = HashSet::new();
        let mut slugs = HashSet::new();
        for (list, slug) in DEPARTMENTS {
            assert!(crate::slug::is_valid(slug), "{slug}");
            assert!(slugs.insert(*slug), "duplicate slug {slug}");
            for n in *list {
                assert!(names.insert(*n), "duplicate name {n}");
            }
        }
    }

    #[test]
    fn levels_take_the_longest_word() {
        assert_eq!(level_before("重庆市委"), Some(("市委", "shi")));
        assert_eq!(level_before("省人民政府"), Some(("省人民政府", "sheng")));
        assert_eq!(level_before("主任"), None);
    }
}
