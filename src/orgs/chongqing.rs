//! Chongqing's curated registry: its districts, counties and functional zones with the short
//! names the municipal digests print (万州 → 万州区) and its municipal departments, each with a
//! hand-checked slug. It applies when site.toml sets no region or a region in Chongqing, on top of
//! the national table, so archives built before the national table keep their URLs.

use super::{OrgKind, Organisation};

/// The unit every curated entry belongs to.
pub(crate) const PARENT: &str = "重庆市";

/// Districts and counties: (name, slug, short alias, other aliases). Slugs are the plain pinyin
/// of the name without its 区/县 suffix, curated by hand (pinyin crates misread 长寿, 重庆 …).
pub(crate) const DISTRICTS: &[(&str, &str, &[&str])] = &[
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

pub(crate) const COUNTIES: &[(&str, &str, &[&str])] = &[
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

pub(crate) const ZONES: &[(&str, &str, &[&str])] = &[
    ("两江新区", "liangjiang", &["重庆两江新区", "两江"]),
    ("重庆高新区", "gaoxin", &["西部科学城重庆高新区", "科学城高新区", "高新区"]),
    ("万盛经开区", "wansheng", &["万盛经济技术开发区", "万盛"]),
];

/// Municipal departments, by the short names the digests print.
pub(crate) const DEPARTMENTS: &[(&str, &str, &[&str])] = &[
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

/// Every curated entry, in table order.
pub(crate) fn organisations() -> Vec<Organisation> {
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
                parent: Some(PARENT.to_string()),
            })
        })
        .collect()
}
