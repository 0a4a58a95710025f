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
            let kind = entry.kind.as_deref().and_then(OrgKind::parse).unwrap_or(OrgKind::Other);
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

    pub fn iter(&self) -> impl Iterator<Item = &Organisation> {
        self.orgs.iter()
    }
}

/// A slug for a name outside the registry: pinyin of the Han characters, ASCII kept,
/// everything else a hyphen. Always `[a-z0-9-]+` (falls back to "org" for empty input).
pub fn fallback_slug(name: &str) -> String {
    crate::slug::ascii_slug(name)
}

fn builtin() -> Vec<Organisation> {
    let entry = |name: &str, slug: &str, kind: OrgKind, aliases: &[&str]| Organisation {
        name: name.into(),
        slug: slug.into(),
        kind,
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
    };
    use OrgKind::*;
    vec![
        entry("万州区", "wanzhou", District, &["万州"]),
        entry("涪陵区", "fuling", District, &["涪陵"]),
        entry("南岸区", "nanan", District, &["南岸"]),
        entry("大足区", "dazu", District, &["大足"]),
        entry("开州区", "kaizhou", District, &["开州"]),
        entry("彭水县", "pengshui", County, &["彭水", "彭水苗族土家族自治县"]),
        entry("重庆高新区", "gaoxin", Zone, &["西部科学城重庆高新区", "科学城高新区", "高新区"]),
        entry("万盛经开区", "wansheng", Zone, &["万盛"]),
        entry("市经济信息委", "jingxinwei", Department, &["重庆市经济和信息化委员会"]),
        entry("市财政局", "caizhengju", Department, &["重庆市财政局"]),
    ]
}
