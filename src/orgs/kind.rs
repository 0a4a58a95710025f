//! The kinds of organisation (province … department): a leaf the registry, its generated
//! divisions and site.toml's entries all name.

use serde::{Deserialize, Serialize};

/// What kind of unit an organisation is; drives grouping on `/districts/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A province-level unit (省, 自治区, 直辖市).
    Province,
    /// A prefecture-level city (地级市, 自治州, 地区, 盟).
    City,
    /// A county-level unit (区, 县, 县级市, 旗).
    District,
    /// 县, 旗, 自治县, 自治旗, 特区, 林区.
    County,
    /// A county-level city (县级市).
    CountyCity,
    /// A functional zone: 新区, 开发区, 高新区, 经开区.
    Zone,
    /// A department of a government or party committee (市财政局).
    Department,
    /// Anything else.
    Other,
}

impl OrgKind {
    /// Every kind, in the order `/districts/` shows them.
    pub(crate) const ALL: [OrgKind; 8] = [
        OrgKind::Province,
        OrgKind::City,
        OrgKind::District,
        OrgKind::County,
        OrgKind::CountyCity,
        OrgKind::Zone,
        OrgKind::Department,
        OrgKind::Other,
    ];

    pub(crate) fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind's key in URLs, data files and string tables.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Province => "province",
            OrgKind::City => "city",
            OrgKind::District => "district",
            OrgKind::County => "county",
            OrgKind::CountyCity => "county_city",
            OrgKind::Zone => "zone",
            OrgKind::Department => "department",
            OrgKind::Other => "other",
        }
    }

    /// The heading a reader sees for this kind.
    pub(crate) fn label(self) -> &'static str {
        match self {
            OrgKind::Province => "省",
            OrgKind::City => "市",
            OrgKind::District => "区",
            OrgKind::County => "县",
            OrgKind::CountyCity => "县级市",
            OrgKind::Zone => "功能区",
            OrgKind::Department => "部门",
            OrgKind::Other => "其他",
        }
    }

    /// How specific a unit of this kind is: a department inside a district inside a city inside
    /// a province. A position naming several units speaks for the most specific.
    pub(crate) fn depth(self) -> u8 {
        match self {
            OrgKind::Province => 0,
            OrgKind::City => 1,
            OrgKind::Department => 3,
            _ => 2,
        }
    }
}
