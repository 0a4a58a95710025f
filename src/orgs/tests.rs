use std::collections::HashSet;

use super::*;

fn region(name: &str) -> Registry {
    Registry::with_region(&[], Some(name)).unwrap()
}

fn entry(name: &str, slug: &str, kind: Option<&str>, aliases: &[&str]) -> OrganisationEntry {
    OrganisationEntry {
        name: name.into(),
        slug: slug.into(),
        kind: kind.map(|k| OrgKind::parse(k).expect("a kind")),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
    }
}

#[test]
fn kinds_parse_old_and_new_values() {
    for kind in OrgKind::ALL {
        assert_eq!(OrgKind::parse(kind.as_str()), Some(kind));
        let yaml = serde_yaml::to_string(&kind).unwrap();
        assert_eq!(serde_yaml::from_str::<OrgKind>(&yaml).unwrap(), kind);
    }
    for old in ["district", "county", "zone", "department", "other"] {
        assert!(serde_yaml::from_str::<OrgKind>(old).is_ok(), "{old}");
    }
    assert_eq!(serde_yaml::from_str::<OrgKind>("county_city").unwrap(), OrgKind::CountyCity);
    assert_eq!(OrgKind::parse("zon"), None);
}

#[test]
fn curated_slugs_are_valid_and_unique() {
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
fn chongqing_keeps_its_curated_slugs_with_or_without_region() {
    for registry in [Registry::new(&[]), region("重庆市")] {
        let slug = |name: &str| registry.lookup(name).unwrap().slug;
        assert_eq!(slug("长寿区"), "changshou");
        assert_eq!(slug("万州"), "wanzhou");
        assert_eq!(slug("万盛"), "wansheng");
        assert_eq!(slug("两江新区"), "liangjiang");
        assert_eq!(slug("高新区"), "gaoxin");
        assert_eq!(slug("市发展改革委"), "fazhangaigewei");
        assert_eq!(slug("石柱土家族自治县"), "shizhu");
        assert_eq!(registry.lookup("万州区").unwrap().parent.as_deref(), Some("重庆市"));
    }
}

#[test]
fn positions_name_their_unit() {
    let registry = Registry::new(&[]);
    for (text, want) in [
        ("市委常委、万州区委书记", Some(("万州区", "wanzhou", OrgKind::District))),
        (
            "西部科学城重庆高新区党工委副书记、管委会主任",
            Some(("重庆高新区", "gaoxin", OrgKind::Zone)),
        ),
        ("科学城高新区深入落实", Some(("重庆高新区", "gaoxin", OrgKind::Zone))),
        ("万盛经开区党工委副书记、管委会主任", Some(("万盛经开区", "wansheng", OrgKind::Zone))),
        ("市经济信息委党组书记、主任", Some(("市经济信息委", "jingxinwei", OrgKind::Department))),
        (
            "市市场监管局党组书记、局长",
            Some(("市市场监管局", "shichangjianguanju", OrgKind::Department)),
        ),
        ("彭水苗族土家族自治县县长", Some(("彭水县", "pengshui", OrgKind::County))),
        ("忠县县委书记", Some(("忠县", "zhongxian", OrgKind::County))),
        ("深圳市委副书记、市长", Some(("深圳市", "shenzhen", OrgKind::City))),
        ("茂名市委书记", Some(("茂名市", "maoming", OrgKind::City))),
        ("广东省委常委、深圳市委书记", Some(("深圳市", "shenzhen", OrgKind::City))),
        ("海淀区委书记", Some(("海淀区", "haidian", OrgKind::District))),
        ("昆山市委书记", Some(("昆山市", "kunshan", OrgKind::CountyCity))),
        ("寿光市委书记", Some(("寿光市", "shouguang", OrgKind::CountyCity))),
        ("鄂托克旗委书记", Some(("鄂托克旗", "etuoke", OrgKind::County))),
        ("鄂托克前旗旗长", Some(("鄂托克前旗", "etuokeqian", OrgKind::County))),
        ("福州市鼓楼区委书记", Some(("福州市鼓楼区", "gulou-fuzhou", OrgKind::District))),
        // 福州 and 抚州 read alike: both cities take their province into the slug.
        ("福建省委常委、福州市委书记", Some(("福州市", "fuzhou-fujian", OrgKind::City))),
        ("内蒙古自治区党委书记", Some(("内蒙古自治区", "neimenggu", OrgKind::Province))),
        ("某某区委书记", None),
        ("主城区委书记", None),
        ("", None),
    ] {
        let got = registry.find_in(text).map(|o| (o.name, o.slug, o.kind));
        let want = want.map(|(n, s, k)| (n.to_string(), s.to_string(), k));
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn departments_anywhere() {
    let registry = region("广东省");
    for (text, name, slug, parent) in [
        ("深圳市财政局党组书记、局长", "深圳市财政局", "shenzhen-caizheng", Some("深圳市")),
        ("省发展改革委主任", "省发展改革委", "sheng-fagaiwei", None),
        ("市委常委、市委组织部部长", "市委组织部", "shi-zuzhibu", None),
        ("茂名市人民政府办公室主任", "茂名市人民政府办公室", "maoming-zhengfuban", Some("茂名市")),
        ("番禺区卫健委主任", "番禺区卫健委", "panyu-weijian", Some("番禺区")),
        ("市财政局党组书记、局长", "市财政局", "shi-caizheng", None),
    ] {
        let got = registry.find_in(text).unwrap();
        assert_eq!((got.name.as_str(), got.slug.as_str()), (name, slug), "{text}");
        assert_eq!(got.kind, OrgKind::Department, "{text}");
        assert_eq!(got.parent.as_deref(), parent, "{text}");
        assert_eq!(registry.lookup(name).map(|o| o.slug), Some(slug.to_string()), "{name}");
    }
    // Without a region, Chongqing's curated departments come first.
    assert_eq!(Registry::new(&[]).find_in("市财政局党组书记").unwrap().slug, "caizhengju");
}

#[test]
fn shared_names_resolve_in_the_region_or_warn() {
    let none = Registry::new(&[]);
    let gulou = none.lookup("鼓楼区").unwrap();
    assert_eq!((gulou.name.as_str(), gulou.slug.as_str()), ("南京市鼓楼区", "gulou-nanjing"));
    assert_eq!(gulou.notes.len(), 1);
    assert!(gulou.notes[0].message.contains("names 4 units"), "{:?}", gulou.notes);
    assert!(gulou.notes[0].hint.as_deref().unwrap().contains("region"), "{:?}", gulou.notes);
    let fuzhou = none.lookup("福州市鼓楼区").unwrap();
    assert_eq!((fuzhou.slug.as_str(), fuzhou.notes.len()), ("gulou-fuzhou", 0));
    // The canonical name of a qualified unit resolves to the same unit again.
    assert_eq!(none.lookup(&fuzhou.name).unwrap().slug, "gulou-fuzhou");

    for scope in [region("福州市"), region("福建省")] {
        let gulou = scope.lookup("鼓楼区").unwrap();
        assert_eq!((gulou.name.as_str(), gulou.slug.as_str()), ("鼓楼区", "gulou"));
        assert!(gulou.notes.is_empty());
        assert_eq!(gulou.parent.as_deref(), Some("福州市"));
        assert_eq!(scope.lookup("南京市鼓楼区").unwrap().slug, "gulou-nanjing");
    }
    let zhengzhou = region("郑州市");
    assert_eq!(zhengzhou.lookup("高新区").unwrap().name, "郑州高新技术产业开发区");
    assert_eq!(zhengzhou.lookup("经开区").unwrap().slug, "zhengzhou-jingkai");
    assert_eq!(zhengzhou.find_in("郑州高新区党工委书记").unwrap().slug, "zhengzhou-gaoxin");
    assert!(zhengzhou.lookup("两江新区").is_none(), "Chongqing's curated names stay in Chongqing");
}

#[test]
fn the_other_speakers_units_settle_a_shared_name() {
    let registry = Registry::new(&[]);
    let near = ["福州市".to_string()];
    let gulou = registry.resolve_position_near("鼓楼区委书记", &near);
    assert_eq!((gulou.slug.as_str(), gulou.notes.len()), ("gulou-fuzhou", 0));
    let near = ["福建省".to_string()];
    assert_eq!(registry.resolve_position_near("鼓楼区委书记", &near).slug, "gulou-fuzhou");
    // Two candidate cities near: still ambiguous, still warned.
    let near = ["福州市".to_string(), "南京市".to_string()];
    assert_eq!(registry.resolve_position_near("鼓楼区委书记", &near).notes.len(), 1);
}

#[test]
fn near_misses_are_suggested() {
    let registry = Registry::new(&[]);
    for (name, want) in [("南按区", "南岸区"), ("万洲区", "万州区"), ("深川市", "深圳市")]
    {
        let got = registry.resolve_name(name);
        assert!(!got.known, "{name}");
        let hint = got.notes.first().and_then(|n| n.hint.clone()).unwrap_or_default();
        assert!(hint.starts_with(&format!("did you mean {want}")), "{name}: {hint}");
        assert!(crate::slug::is_valid(&got.slug) && !registry.is_taken(&got.slug), "{}", got.slug);
    }
    assert!(registry.resolve_name("某某集团").notes.is_empty());
    assert!(registry.resolve_name("某城区").notes.is_empty(), "a shared suffix is no near miss");
    // A homophone outside the region beats look-alikes inside it (南山区, 南沙区 in 广东省).
    let guangdong = region("广东省");
    let hint = guangdong.resolve_name("南按区").notes[0].hint.clone().unwrap();
    assert_eq!(hint, "did you mean 南岸区?");
    let hint = guangdong.resolve_name("番愚区").notes[0].hint.clone().unwrap();
    assert_eq!(hint, "did you mean 番禺区?");
    let pos = registry.resolve_position("南按区委书记");
    assert_eq!((pos.name.as_str(), pos.kind), ("南按区", OrgKind::District));
    assert!(pos.notes[0].hint.as_deref().unwrap().contains("南岸区"));
}

#[test]
fn overrides_replace_and_extend() {
    let registry = Registry::new(&[
        entry("万州区", "wz", Some("district"), &[]),
        entry("某某区", "moumou", None, &["某某"]),
    ]);
    assert_eq!(registry.lookup("万州区").unwrap().slug, "wz");
    assert_eq!(registry.find_in("某某区委书记").unwrap().slug, "moumou");
    assert_eq!(registry.lookup("某某").unwrap().kind, OrgKind::Other);
}

#[test]
fn unknown_organisations_are_guessed_from_the_position() {
    for (position, name, kind) in [
        ("某某区委书记", "某某区", OrgKind::District),
        ("市委常委、某某县委书记", "某某县", OrgKind::County),
        ("某某新区党工委书记", "某某新区", OrgKind::Zone),
        ("市某某局党组书记、局长", "市某某局", OrgKind::Department),
        ("某某集团董事长", "某某集团董事长", OrgKind::Other),
    ] {
        assert_eq!(guess_organisation(position), (name.to_string(), kind), "{position}");
    }
}

#[test]
fn unknown_names_never_take_a_known_slug() {
    // "xincheng" style clashes: an override takes the pinyin an unknown name would get.
    let registry = Registry::new(&[entry("某城区", "mou-cheng-qu", Some("district"), &[])]);
    let other = registry.resolve_name("某成区");
    assert_eq!(other.slug, "mou-cheng-qu-2");
}

#[test]
fn slug_clashes_in_an_archive_are_separated() {
    let orgs = |list: &[(&str, &str, bool)]| -> Vec<(String, String, bool)> {
        list.iter().map(|(n, s, k)| (n.to_string(), s.to_string(), *k)).collect()
    };
    let none = |_: &str| false;
    // 新城区 (known) keeps xincheng; 新成区 moves, whatever the order they come in.
    for list in [
        orgs(&[("新成区", "xincheng", false), ("新城区", "xincheng", true)]),
        orgs(&[("新城区", "xincheng", true), ("新成区", "xincheng", false)]),
    ] {
        let moves = separate_clashes(&list, &none);
        assert_eq!(
            moves,
            vec![("新成区".to_string(), "xincheng-2".to_string(), "新城区".to_string())]
        );
    }
    // The new slug avoids slugs in use and known ones; one name seen twice is no clash.
    let list = orgs(&[
        ("甲", "a", false),
        ("乙", "a", false),
        ("丙", "a", false),
        ("丁", "a-2", false),
        ("甲", "a", false),
    ]);
    let moves = separate_clashes(&list, &|s: &str| s == "a-3");
    let fresh: Vec<&str> = moves.iter().map(|m| m.1.as_str()).collect();
    assert_eq!(fresh, ["a-4", "a-5"]);
    assert!(moves.iter().all(|m| m.2 == "丙"), "{moves:?}");
    assert!(separate_clashes(&orgs(&[("甲", "a", true), ("甲", "a", true)]), &none).is_empty());
}

#[test]
fn unknown_regions_are_refused_with_a_suggestion() {
    let err = Registry::with_region(&[], Some("重庆是")).unwrap_err().to_string();
    assert!(err.contains("did you mean 重庆市?"), "{err}");
    assert!(Registry::with_region(&[], Some("  ")).unwrap().region().is_none());
}
