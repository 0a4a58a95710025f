//! China's administrative divisions: every province, prefecture-level city and county-level unit
//! with its GB/T 2260 code, parent, kind and pinyin slug. The table, divisions.tsv, is generated
//! by scripts/gen_divisions.py (source package, version and licence in its header), embedded in
//! the binary and parsed once, on first use.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use super::kind::OrgKind;
use super::names::NameIndex;

/// One unit of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Division {
    /// GB/T 2260 code (six digits; NN7x for statistical development zones).
    pub(crate) code: u32,
    /// Index of the parent unit; None for provinces.
    pub(crate) parent: Option<usize>,
    pub(crate) kind: OrgKind,
    pub(crate) name: &'static str,
    /// The name without its administrative suffix (海淀区 → 海淀).
    pub(crate) stem: &'static str,
    /// Pinyin of the stem; several units may share one (see [`Divisions::national_slugs`]).
    pub(crate) slug: &'static str,
    pub(crate) aliases: Vec<&'static str>,
}

/// The parsed table with its indexes.
#[derive(Debug)]
pub(crate) struct Divisions {
    pub(crate) all: Vec<Division>,
    /// Name, stem or alias → units, in code order.
    by_name: HashMap<&'static str, Vec<usize>>,
    /// Slug of each unit when no region is set: the plain slug where no other unit shares it,
    /// else qualified by the parent (`gulou-fuzhou`), the highest-level unit keeping the plain one.
    pub(crate) national_slugs: Arc<Vec<String>>,
    /// National slug → unit.
    pub(crate) national_units: Arc<HashMap<String, usize>>,
    /// Finds unit names (and zone short forms) in free text: name → units it names.
    pub(crate) finder: NameIndex<Vec<usize>>,
}

const TABLE: &str = include_str!("divisions.tsv");

/// The table, parsed on first use.
pub(crate) static DIVISIONS: LazyLock<Divisions> = LazyLock::new(|| Divisions::parse(TABLE));

impl Divisions {
    fn parse(table: &'static str) -> Divisions {
        let mut all = Vec::new();
        let mut index: HashMap<u32, usize> = HashMap::new();
        let mut parents: Vec<Option<u32>> = Vec::new();
        for line in table.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let mut f = line.split('\t');
            let mut next = || f.next().unwrap_or("");
            let (code, parent, kind, name, stem, slug, aliases) =
                (next(), next(), next(), next(), next(), next(), next());
            let code: u32 = code.parse().expect("divisions.tsv: numeric code");
            index.insert(code, all.len());
            parents.push(parent.parse().ok());
            all.push(Division {
                code,
                parent: None,
                kind: OrgKind::parse(kind).expect("divisions.tsv: known kind"),
                name,
                stem,
                slug,
                aliases: aliases.split('|').filter(|a| !a.is_empty()).collect(),
            });
        }
        for (d, parent) in all.iter_mut().zip(parents) {
            d.parent = parent.and_then(|p| index.get(&p).copied());
        }
        let mut by_name: HashMap<&'static str, Vec<usize>> = HashMap::new();
        for (i, d) in all.iter().enumerate() {
            let mut names = vec![d.name, d.stem];
            names.extend(&d.aliases);
            names.dedup();
            for n in names {
                by_name.entry(n).or_default().push(i);
            }
        }
        let national_slugs = scoped_slugs(&all, None);
        let national_units =
            national_slugs.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect();
        // Free text: full names and zone short forms, not stems (长寿, 和平 are also words), and
        // names of two characters only with their parent in front (阳泉市城区, not 主城区).
        let mut patterns: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in all.iter().enumerate() {
            let mut names: Vec<String> = Vec::new();
            if d.name.chars().count() > 2 {
                names.push(d.name.to_string());
            } else if let Some(p) = d.parent {
                names.push(format!("{}{}", all[p].name, d.name));
            }
            names.extend(d.aliases.iter().map(|a| a.to_string()));
            for n in names {
                patterns.entry(n).or_default().push(i);
            }
        }
        Divisions {
            all,
            by_name,
            national_slugs: Arc::new(national_slugs),
            national_units: Arc::new(national_units),
            finder: NameIndex::new(patterns),
        }
    }

    /// Units with this name, stem or alias, in code order.
    pub(crate) fn named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// The unit a region setting names: a full name, or a stem or alias that names one unit.
    pub(crate) fn region(&self, name: &str) -> Option<usize> {
        let units = self.named(name.trim());
        let exact: Vec<usize> =
            units.iter().copied().filter(|&i| self.all[i].name == name.trim()).collect();
        match (exact.as_slice(), units) {
            ([one], _) | ([], [one]) => Some(*one),
            _ => None,
        }
    }

    /// True when `unit` is `ancestor` or lies inside it.
    pub(crate) fn within(&self, unit: usize, ancestor: usize) -> bool {
        let mut at = Some(unit);
        while let Some(i) = at {
            if i == ancestor {
                return true;
            }
            at = self.all[i].parent;
        }
        false
    }

    /// 0 province, 1 prefecture-level city, 2 county-level unit.
    pub(crate) fn level(&self, unit: usize) -> u8 {
        match self.all[unit].kind {
            OrgKind::Province => 0,
            OrgKind::City => 1,
            _ => 2,
        }
    }
}

/// Every unit's slug: inside `region`, the plain slug of a unit that no other unit of the region
/// shares; elsewhere the national rule (plain where unique, else qualified by the parent's slug),
/// qualified further where an outside unit would take a slug the region uses. No two units
/// share a slug.
pub(crate) fn scoped_slugs(all: &[Division], region: Option<usize>) -> Vec<String> {
    let within = |mut unit: usize, ancestor: usize| loop {
        if unit == ancestor {
            return true;
        }
        match all[unit].parent {
            Some(p) => unit = p,
            None => return false,
        }
    };
    let level = |i: usize| match all[i].kind {
        OrgKind::Province => 0,
        OrgKind::City => 1,
        _ => 2,
    };
    let qualified = |i: usize| match all[i].parent {
        Some(p) => format!("{}-{}", all[i].slug, all[p].slug),
        None => format!("{}-{}", all[i].slug, all[i].code),
    };
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in all.iter().enumerate() {
        groups.entry(d.slug).or_default().push(i);
    }
    let mut slugs: Vec<Option<String>> = vec![None; all.len()];
    let mut reserved: HashSet<String> = HashSet::new();
    if let Some(r) = region {
        let mut inside: HashMap<&str, Vec<usize>> = HashMap::new();
        for i in (0..all.len()).filter(|&i| within(i, r)) {
            inside.entry(all[i].slug).or_default().push(i);
        }
        for (slug, units) in inside {
            if let [one] = units[..] {
                slugs[one] = Some(slug.to_string());
                reserved.insert(slug.to_string());
            }
        }
    }
    for units in groups.values() {
        let top = units.iter().map(|&i| level(i)).min().unwrap_or(0);
        let at_top = units.iter().filter(|&&i| level(i) == top).count();
        for &i in units {
            if slugs[i].is_some() {
                continue;
            }
            let plain = units.len() == 1 || (at_top == 1 && level(i) == top);
            let slug = all[i].slug.to_string();
            slugs[i] = Some(if plain && !reserved.contains(&slug) { slug } else { qualified(i) });
        }
    }
    // Qualified slugs can still meet (two 城区 of one city's namesakes): the code settles it.
    let mut seen: HashSet<String> = HashSet::new();
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|&i| (level(i), all[i].code));
    let mut out = vec![String::new(); all.len()];
    for i in order {
        let mut slug = slugs[i].take().unwrap_or_default();
        if !seen.insert(slug.clone()) {
            slug = format!("{slug}-{}", all[i].code);
            seen.insert(slug.clone());
        }
        out[i] = crate::slug::cap(&slug);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str) -> usize {
        DIVISIONS.named(name).first().copied().unwrap_or_else(|| panic!("{name} not in table"))
    }

    #[test]
    fn table_covers_the_country() {
        let d = &*DIVISIONS;
        let count = |kind| d.all.iter().filter(|u| u.kind == kind).count();
        assert_eq!(count(OrgKind::Province), 31);
        assert!(count(OrgKind::City) >= 330, "{}", count(OrgKind::City));
        assert!(
            count(OrgKind::District) + count(OrgKind::County) + count(OrgKind::CountyCity) > 2800
        );
        for u in &d.all {
            assert_eq!(u.parent.is_none(), u.kind == OrgKind::Province, "{}", u.name);
            assert!(crate::slug::is_valid(u.slug), "{}: {:?}", u.name, u.slug);
        }
    }

    #[test]
    fn slugs_are_the_established_readings() {
        for (name, slug) in [
            ("深圳市", "shenzhen"),
            ("海淀区", "haidian"),
            ("昆山市", "kunshan"),
            ("长寿区", "changshou"),
            ("重庆市", "chongqing"),
            ("厦门市", "xiamen"),
            ("蚌埠市", "bengbu"),
            ("六安市", "luan"),
            ("乐清市", "yueqing"),
            ("番禺区", "panyu"),
            ("铅山县", "yanshan"),
            ("茂名市", "maoming"),
            ("寿光市", "shouguang"),
            ("鄂托克旗", "etuoke"),
            ("陕西省", "shaanxi"),
            ("成都市", "chengdu"),
            ("长治市", "changzhi"),
            ("忠县", "zhongxian"),
            ("石柱土家族自治县", "shizhu"),
        ] {
            let i = unit(name);
            assert_eq!(DIVISIONS.all[i].slug, slug, "{name}");
        }
        // Namesakes of these (盐山县 and 砚山县 are yanshan too) are qualified; these are not.
        for name in ["深圳市", "海淀区", "昆山市", "长寿区", "重庆市", "厦门市", "茂名市", "寿光市"]
        {
            let i = unit(name);
            assert_eq!(DIVISIONS.national_slugs[i], DIVISIONS.all[i].slug, "{name}");
        }
        assert_eq!(DIVISIONS.national_slugs[unit("铅山县")], "yanshan-shangrao");
    }

    #[test]
    fn national_slugs_are_unique_and_qualify_namesakes() {
        let d = &*DIVISIONS;
        let set: HashSet<&String> = d.national_slugs.iter().collect();
        assert_eq!(set.len(), d.all.len());
        let gulou: Vec<&str> =
            d.named("鼓楼区").iter().map(|&i| d.national_slugs[i].as_str()).collect();
        assert_eq!(gulou, ["gulou-nanjing", "gulou-xuzhou", "gulou-fuzhou", "gulou-kaifeng"]);
        // The city keeps the plain slug; the districts named like it are qualified.
        assert_eq!(d.national_slugs[unit("朝阳市")], "chaoyang");
        assert_eq!(d.national_slugs[d.named("朝阳区")[0]], "chaoyang-beijing");
    }

    #[test]
    fn a_region_gives_its_units_plain_slugs() {
        let d = &*DIVISIONS;
        let fuzhou = d.region("福州市").unwrap();
        let slugs = scoped_slugs(&d.all, Some(fuzhou));
        let gulou = d.named("鼓楼区");
        assert_eq!(slugs[gulou[2]], "gulou");
        assert_eq!(slugs[gulou[0]], "gulou-nanjing");
        let beijing = scoped_slugs(&d.all, d.region("北京市"));
        assert_eq!(beijing[d.named("朝阳区")[0]], "chaoyang");
        assert_eq!(beijing[unit("朝阳市")], "chaoyang-liaoning");
        assert_eq!(beijing.iter().collect::<HashSet<_>>().len(), d.all.len());
    }

    #[test]
    fn regions_by_name_or_stem() {
        let d = &*DIVISIONS;
        assert_eq!(d.all[d.region("重庆市").unwrap()].code, 500000);
        assert_eq!(d.all[d.region("重庆").unwrap()].code, 500000);
        assert_eq!(d.all[d.region("广东省").unwrap()].code, 440000);
        assert_eq!(d.region("鼓楼区"), None);
        assert_eq!(d.region("火星"), None);
    }
}
