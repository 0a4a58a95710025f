//! The organisation registry: which unit a speech speaks for, its kind, parent and URL slug.
//!
//! Three layers, the first that knows a name wins: site.toml's `[[organisations]]`; Chongqing's
//! curated entries (when no region or a Chongqing region is set); the national table of
//! administrative divisions ([`divisions`]). Departments of any level are recognised by pattern
//! ([`departments`]). A `region` in site.toml makes short or shared names (鼓楼区, 高新区) resolve
//! inside it; outside a region a shared name takes its parent into its slug (`gulou-fuzhou`) and
//! gets a warning. Names nobody knows get a pinyin slug that no known unit uses, and a "did you
//! mean …?" when they are a slip away from a known name.

pub(crate) mod chongqing;
pub(crate) mod departments;
pub(crate) mod divisions;
mod kind;
mod names;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use divisions::DIVISIONS;
pub use kind::OrgKind;
use names::NameIndex;

/// One known organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Organisation {
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) kind: OrgKind,
    pub(crate) aliases: Vec<String>,
    /// The unit it belongs to (万州区 → 重庆市), when known.
    pub(crate) parent: Option<String>,
}

/// Something a user should know about how a name was resolved, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

/// A name or position resolved to an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The canonical name: unique within the site's scope (福州市鼓楼区 where 鼓楼区 is not).
    pub(crate) name: String,
    /// Its URL segment: pinyin, unique in the archive.
    pub slug: String,
    pub(crate) kind: OrgKind,
    pub(crate) parent: Option<String>,
    /// False when no layer knows the name (slug from pinyin).
    pub(crate) known: bool,
    /// Ambiguities and near misses, for warnings.
    pub(crate) notes: Vec<Note>,
}

/// Built-in entries plus site.toml's, resolved within an optional region.
#[derive(Debug, Clone)]
pub struct Registry {
    region: Option<usize>,
    curated: Vec<Organisation>,
    /// Name or alias → curated entry.
    curated_names: NameIndex<usize>,
    curated_slugs: HashSet<String>,
    /// Each division's slug in this scope (shared with the table's when no region is set).
    slugs: Arc<Vec<String>>,
    /// Slug → division, in this scope.
    units: Arc<HashMap<String, usize>>,
    /// Divisions a curated entry stands for (same name).
    shadow: HashMap<usize, usize>,
    /// Near-miss suggestions already computed, by name.
    hints: Arc<Mutex<HashMap<String, Vec<String>>>>,
}

/// One `[[organisations]]` entry of site.toml: a name the registry lacks, or a slug or kind
/// that overrides the built-in one.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OrganisationEntry {
    pub(crate) name: String,
    pub(crate) slug: String,
    /// province | city | district | county | county_city | zone | department | other
    #[serde(default)]
    pub(crate) kind: Option<OrgKind>,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
}

impl Registry {
    /// The built-in registry with site.toml's entries applied (same name: replaced), no region.
    pub fn new(overrides: &[OrganisationEntry]) -> Registry {
        Registry::build(overrides, None)
    }

    /// The registry with short names resolved inside `region` (a province, city or county by
    /// name, e.g. 重庆市 or 福州市). An unknown region is an error that says what is known.
    pub(crate) fn with_region(
        overrides: &[OrganisationEntry],
        region: Option<&str>,
    ) -> anyhow::Result<Registry> {
        let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(name) => Some(DIVISIONS.region(name).ok_or_else(|| {
                let named = DIVISIONS.named(name);
                let hint = if named.len() > 1 {
                    let full: Vec<String> = named.iter().map(|&i| qualified_name(i)).collect();
                    format!("{name} is not one unit: write one of {}", full.join(", "))
                } else {
                    match suggestions(name, &[]).first() {
                        Some(s) => format!("did you mean {s}?"),
                        None => "name a province, city or county, e.g. 重庆市 or 广东省".into(),
                    }
                };
                anyhow::anyhow!(
                    "region {name:?} is not a province, city or county of China; {hint}"
                )
            })?),
        };
        Ok(Registry::build(overrides, region))
    }

    fn build(overrides: &[OrganisationEntry], region: Option<usize>) -> Registry {
        let chongqing = DIVISIONS.region(chongqing::PARENT).expect("重庆市 is in the table");
        let curated_applies = region.is_none_or(|r| DIVISIONS.within(r, chongqing));
        let mut curated = if curated_applies { chongqing::organisations() } else { Vec::new() };
        for entry in overrides {
            let kind = entry.kind.unwrap_or(OrgKind::Other);
            let parent = DIVISIONS
                .named(&entry.name)
                .first()
                .and_then(|&i| DIVISIONS.all[i].parent)
                .map(|p| DIVISIONS.all[p].name.to_string());
            let org = Organisation {
                name: entry.name.clone(),
                slug: entry.slug.clone(),
                kind,
                aliases: entry.aliases.clone(),
                parent,
            };
            match curated.iter_mut().find(|o| o.name == entry.name) {
                Some(existing) => *existing = org,
                None => curated.push(org),
            }
        }
        let curated_names = NameIndex::new(curated.iter().enumerate().flat_map(|(c, org)| {
            std::iter::once(&org.name).chain(&org.aliases).map(move |n| (n.clone(), c))
        }));
        let mut shadow = HashMap::new();
        for name in curated_names.keys() {
            let c = curated_names.get(name).copied().unwrap_or_default();
            for &d in DIVISIONS.named(name) {
                if DIVISIONS.all[d].name == name {
                    shadow.insert(d, c);
                }
            }
        }
        let curated_slugs: HashSet<String> = curated.iter().map(|o| o.slug.clone()).collect();
        let (mut slugs, mut units) = match region {
            None => (DIVISIONS.national_slugs.clone(), DIVISIONS.national_units.clone()),
            Some(_) => {
                let slugs = divisions::scoped_slugs(&DIVISIONS.all, region);
                let units = slugs.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect();
                (Arc::new(slugs), Arc::new(units))
            }
        };
        // A unit whose slug a curated entry for something else uses is qualified by its code.
        let clashes: Vec<usize> = curated_slugs
            .iter()
            .filter_map(|s| units.get(s).copied())
            .filter(|d| !shadow.contains_key(d))
            .collect();
        if !clashes.is_empty() {
            let (slugs, units) = (Arc::make_mut(&mut slugs), Arc::make_mut(&mut units));
            for d in clashes {
                let fresh = crate::slug::cap(&format!("{}-{}", slugs[d], DIVISIONS.all[d].code));
                units.remove(&slugs[d]);
                units.insert(fresh.clone(), d);
                slugs[d] = fresh;
            }
        }
        Registry {
            region,
            curated,
            curated_names,
            curated_slugs,
            slugs,
            units,
            shadow,
            hints: Arc::default(),
        }
    }

    /// The region's name, when one is set.
    #[cfg(test)]
    pub(crate) fn region(&self) -> Option<&'static str> {
        self.region.map(|r| DIVISIONS.all[r].name)
    }

    /// The known organisation with this name or alias (万州 → 万州区; 福州市鼓楼区; 深圳市财政局).
    pub fn lookup(&self, name: &str) -> Option<Resolved> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        if let Some(&c) = self.curated_names.get(name) {
            return Some(self.curated_resolved(c));
        }
        let units = DIVISIONS.named(name);
        if !units.is_empty() {
            return Some(self.division_resolved(units, &[], name));
        }
        if let Some(zone) = self.region_zone(name) {
            return Some(zone);
        }
        // A name made of parts: 福州市鼓楼区, 深圳市财政局, 市发展改革委.
        self.find(name, &[])
            .filter(|(_, start, end)| *start == 0 && *end == name.len())
            .map(|f| f.0)
    }

    /// The organisation `text` (a position: "市委常委、万州区委书记") speaks for: the most specific
    /// unit named in the last post that names one.
    pub(crate) fn find_in(&self, text: &str) -> Option<Resolved> {
        self.find(text, &[]).map(|f| f.0)
    }

    /// A name from front matter, resolved; an unknown one gets a pinyin slug no known unit uses,
    /// and a note when it is a slip away from a known name.
    pub(crate) fn resolve_name(&self, name: &str) -> Resolved {
        self.lookup(name).unwrap_or_else(|| self.unknown(name.trim(), None))
    }

    /// The organisation of a speaker's position: a known unit named in it, else a unit guessed
    /// from the position's wording ("某某区委书记" → 某某区, a district) with a pinyin slug.
    #[cfg(test)]
    pub(crate) fn resolve_position(&self, position: &str) -> Resolved {
        self.resolve_position_near(position, &[])
    }

    /// [`Registry::resolve_position`], where a name several units share is settled by the units
    /// `near` it (the parents of the other speakers' units at one meeting: a 鼓楼区 among
    /// 仓山区 and 晋安区 is 福州市's).
    pub(crate) fn resolve_position_near(&self, position: &str, near: &[String]) -> Resolved {
        if let Some((found, _, _)) = self.find(position, near) {
            return found;
        }
        let (name, kind) = guess_organisation(position);
        self.unknown(&name, Some(kind))
    }

    /// The parent units of the units `positions` (one meeting's) name without doubt, in order:
    /// the `near` of [`Registry::resolve_position_near`] (a 鼓楼区 among 仓山区 and 晋安区 is
    /// 福州市's).
    pub(crate) fn parents_near<'a>(
        &self,
        positions: impl IntoIterator<Item = &'a str>,
    ) -> Vec<String> {
        let mut near: Vec<String> = Vec::new();
        for position in positions {
            if let Some(found) = self.find_in(position)
                && found.notes.is_empty()
                && let Some(parent) = found.parent
                && !near.contains(&parent)
            {
                near.push(parent);
            }
        }
        near
    }

    /// Every curated entry (Chongqing's when in scope, and site.toml's).
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Organisation> {
        self.curated.iter()
    }

    /// True when a known organisation uses `slug`.
    pub(crate) fn is_taken(&self, slug: &str) -> bool {
        self.curated_slugs.contains(slug) || self.units.contains_key(slug)
    }

    /// Known names within a small edit distance of `name`, the closest first: the curated
    /// entries, then the region's units, then the rest of the country; at most three.
    pub(crate) fn did_you_mean(&self, name: &str) -> Vec<String> {
        if let Some(hit) = self.hints.lock().ok().and_then(|h| h.get(name).cloned()) {
            return hit;
        }
        let curated: Vec<&str> = self.curated_names.keys().collect();
        let found = suggestions_scoped(name, &curated, self.region);
        if let Ok(mut h) = self.hints.lock() {
            h.insert(name.to_string(), found.clone());
        }
        found
    }

    fn curated_resolved(&self, c: usize) -> Resolved {
        let o = &self.curated[c];
        Resolved {
            name: o.name.clone(),
            slug: o.slug.clone(),
            kind: o.kind,
            parent: o.parent.clone(),
            known: true,
            notes: Vec::new(),
        }
    }

    /// One of `units` (all answering to `asked`): the one inside a unit named alongside it
    /// (`context`), else the one inside the region, else the only one; else the first, with a
    /// note that the name is ambiguous.
    fn division_resolved(&self, units: &[usize], context: &[usize], asked: &str) -> Resolved {
        let inside = |within: &dyn Fn(usize) -> bool| -> Vec<usize> {
            units.iter().copied().filter(|&u| within(u)).collect()
        };
        let mut by_context = inside(&|u| context.iter().any(|&c| c != u && DIVISIONS.within(u, c)));
        // Namesakes in one city and in another province: the nearest settles it.
        if by_context.len() > 1 {
            let parents =
                inside(&|u| DIVISIONS.all[u].parent.is_some_and(|p| context.contains(&p)));
            if parents.len() == 1 {
                by_context = parents;
            }
        }
        let by_region = match self.region {
            Some(r) => inside(&|u| DIVISIONS.within(u, r)),
            None => Vec::new(),
        };
        let (unit, ambiguous) = match (by_context.as_slice(), by_region.as_slice(), units) {
            ([one], _, _) | ([], [one], _) | (_, _, [one]) => (*one, false),
            _ => {
                // Several namesakes: the highest level first (朝阳 → 朝阳市), then by code.
                let first = units.iter().copied().min_by_key(|&u| (DIVISIONS.level(u), u));
                (first.unwrap_or(units[0]), true)
            }
        };
        if let Some(&c) = self.shadow.get(&unit) {
            return self.curated_resolved(c);
        }
        let d = &DIVISIONS.all[unit];
        // The name is shared beyond the region: the canonical name carries the parent.
        let namesakes =
            DIVISIONS.named(d.name).iter().filter(|&&u| DIVISIONS.all[u].name == d.name);
        let shared = namesakes.clone().count() > 1;
        let unique_in_region = self.region.is_some_and(|r| {
            DIVISIONS.within(unit, r) && namesakes.filter(|&&u| DIVISIONS.within(u, r)).count() == 1
        });
        let name =
            if shared && !unique_in_region { qualified_name(unit) } else { d.name.to_string() };
        let mut notes = Vec::new();
        if ambiguous {
            let places: Vec<String> = units.iter().map(|&u| qualified_name(u)).collect();
            let example = units.iter().map(|&u| qualified_name(u)).nth(1).unwrap_or_default();
            let example_region = units
                .get(1)
                .and_then(|&u| DIVISIONS.all[u].parent)
                .map_or("", |p| DIVISIONS.all[p].name);
            notes.push(Note {
                message: format!(
                    "“{asked}” names {} units ({}); taken as {name} (slug {})",
                    places.len(),
                    places.join("、"),
                    self.slugs[unit]
                ),
                hint: Some(format!(
                    "write the full name (e.g. {example}), or set region = \"{example_region}\" in site.toml"
                )),
            });
        }
        Resolved {
            name,
            slug: self.slugs[unit].clone(),
            kind: d.kind,
            parent: d.parent.map(|p| DIVISIONS.all[p].name.to_string()),
            known: true,
            notes,
        }
    }

    /// 高新区, 经开区 … inside the region: the region's one zone of that form.
    fn region_zone(&self, name: &str) -> Option<Resolved> {
        let region = self.region?;
        let zones: Vec<usize> = DIVISIONS
            .all
            .iter()
            .enumerate()
            .filter(|(i, d)| {
                d.kind == OrgKind::Zone
                    && DIVISIONS.within(*i, region)
                    && (d.name.ends_with(name) || d.aliases.iter().any(|a| a.ends_with(name)))
            })
            .map(|(i, _)| i)
            .collect();
        match zones[..] {
            [one] => Some(self.division_resolved(&[one], &[], name)),
            _ => None,
        }
    }

    /// The organisation `text` names, with the byte range of the name.
    fn find(&self, text: &str, near: &[String]) -> Option<(Resolved, usize, usize)> {
        let mut segments = Vec::new();
        let mut start = 0;
        for (at, c) in text.char_indices() {
            if matches!(c, '、' | '，' | ',' | '；' | ';' | ' ' | '\u{3000}' | '\n') {
                segments.push((start, at));
                start = at + c.len_utf8();
            }
        }
        segments.push((start, text.len()));
        // Units named anywhere in the text settle which namesake a shared name means
        // ("福建省委常委、福州市鼓楼区委书记").
        let mut all_units: Vec<usize> = DIVISIONS
            .finder
            .find_all(text)
            .into_iter()
            .flat_map(|f| f.payload.iter().copied())
            .collect();
        for name in near {
            all_units
                .extend(DIVISIONS.named(name).iter().filter(|&&u| DIVISIONS.all[u].name == name));
        }
        for &(from, to) in segments.iter().rev() {
            if let Some(found) = self.find_in_segment(text, from, to, &all_units) {
                return Some(found);
            }
        }
        None
    }

    fn find_in_segment(
        &self,
        text: &str,
        from: usize,
        to: usize,
        context: &[usize],
    ) -> Option<(Resolved, usize, usize)> {
        let segment = &text[from..to];
        // Names of units, curated entries first where both match the same text.
        let mut names: Vec<Span> = Vec::new();
        for f in self.curated_names.find_all(segment) {
            names.push(Span {
                start: from + f.start,
                end: from + f.end,
                target: Target::Curated(*f.payload),
            });
        }
        for f in DIVISIONS.finder.find_all(segment) {
            names.push(Span {
                start: from + f.start,
                end: from + f.end,
                target: Target::Units(f.payload),
            });
        }
        names.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end), s.target.rank()));
        let mut chosen: Vec<Span> = Vec::new();
        for span in names {
            if chosen.last().is_none_or(|last| span.start >= last.end) {
                chosen.push(span);
            }
        }
        // A department: a unit or a level word, then a department's name.
        let department = departments::FINDER
            .find_all(segment)
            .into_iter()
            .rev()
            .map(|f| (from + f.start, from + f.end, *f.payload))
            .filter(|(start, end, _)| !chosen.iter().any(|s| s.start < *end && *start < s.end))
            .find_map(|(start, end, slug)| self.department(text, from, &chosen, start, end, slug));
        if department.is_some() {
            return department;
        }
        let best = chosen.iter().max_by_key(|s| {
            let depth = match s.target {
                Target::Curated(c) => self.curated[c].kind.depth(),
                Target::Units(units) => {
                    units.iter().map(|&u| DIVISIONS.all[u].kind.depth()).max().unwrap_or(0)
                }
            };
            (depth, s.end - s.start, std::cmp::Reverse(s.start))
        })?;
        let resolved = match best.target {
            Target::Curated(c) => self.curated_resolved(c),
            Target::Units(units) => {
                self.division_resolved(units, context, &text[best.start..best.end])
            }
        };
        // The names right before it are part of its name (福州市 + 鼓楼区).
        let mut start = best.start;
        for span in chosen.iter().rev().filter(|s| s.end <= best.start) {
            if span.end != start {
                break;
            }
            start = span.start;
        }
        Some((resolved, start, best.end))
    }

    /// The department whose name spans `start..end`, when a unit or a level word stands right
    /// before it (深圳市 + 财政局, 市 + 发展改革委, 万州区 + 委组织部).
    fn department(
        &self,
        text: &str,
        from: usize,
        units: &[Span],
        start: usize,
        end: usize,
        slug: &str,
    ) -> Option<(Resolved, usize, usize)> {
        let printed = &text[start..end];
        for unit in units.iter().filter(|u| u.end <= start) {
            let join = &text[unit.end..start];
            if !departments::JOINS.contains(&join) {
                continue;
            }
            let owner = match unit.target {
                Target::Curated(c) => self.curated_resolved(c),
                Target::Units(units) => {
                    self.division_resolved(units, &[], &text[unit.start..unit.end])
                }
            };
            // A curated department is no owner of another (市财政局 + …).
            if owner.kind == OrgKind::Department {
                continue;
            }
            let resolved = Resolved {
                name: format!("{}{join}{printed}", owner.name),
                slug: crate::slug::cap(&format!("{}-{slug}", owner.slug)),
                kind: OrgKind::Department,
                parent: Some(owner.name),
                known: true,
                notes: owner.notes,
            };
            return Some((resolved, unit.start, end));
        }
        let (word, level) = departments::level_before(&text[from..start])?;
        let begin = start - word.len();
        let resolved = Resolved {
            name: text[begin..end].to_string(),
            slug: format!("{level}-{slug}"),
            kind: OrgKind::Department,
            parent: None,
            known: true,
            notes: Vec::new(),
        };
        Some((resolved, begin, end))
    }

    /// An organisation no layer knows: its kind from the wording (or from the near miss it
    /// resembles), a pinyin slug that no known unit uses, a note with near misses.
    fn unknown(&self, name: &str, kind: Option<OrgKind>) -> Resolved {
        let near = self.did_you_mean(name);
        let kind = kind.unwrap_or_else(|| guess_kind(name));
        let base = crate::slug::ascii_slug(name);
        let mut slug = base.clone();
        let mut n = 2;
        while self.is_taken(&slug) {
            slug = crate::slug::numbered(&base, n);
            n += 1;
        }
        let notes = if near.is_empty() {
            Vec::new()
        } else {
            vec![Note {
                message: format!("unknown organisation “{name}” (slug {slug})"),
                hint: Some(format!("did you mean {}?", near.join(" or "))),
            }]
        };
        Resolved { name: name.to_string(), slug, kind, parent: None, known: false, notes }
    }
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    target: Target,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Curated(usize),
    /// Units of the national table that answer to the name.
    Units(&'static [usize]),
}

impl Target {
    fn rank(self) -> u8 {
        match self {
            Target::Curated(_) => 0,
            Target::Units(_) => 1,
        }
    }
}

/// Where a unit of this name comes in the national table (code order); names outside it, and
/// no name, last.
pub(crate) fn order_of(name: Option<&str>) -> u32 {
    name.and_then(|n| DIVISIONS.named(n).iter().find(|&&u| DIVISIONS.all[u].name == n))
        .map_or(u32::MAX, |&u| DIVISIONS.all[u].code)
}

/// 福州市鼓楼区: a unit with its parent in front (a province's own units: 北京市朝阳区).
fn qualified_name(unit: usize) -> String {
    let d = &DIVISIONS.all[unit];
    match d.parent {
        Some(p) => format!("{}{}", DIVISIONS.all[p].name, d.name),
        None => d.name.to_string(),
    }
}

/// Near misses of `name` among `curated` names and every unit of the country.
fn suggestions(name: &str, curated: &[&str]) -> Vec<String> {
    suggestions_scoped(name, curated, None)
}

/// Names within edit distance 1 (2 for names of five or more characters) of `name` that start
/// like it or sound like it, closest first, then those that sound most alike; among equally
/// close ones the curated names, then the region's units, then the rest.
fn suggestions_scoped(name: &str, curated: &[&str], region: Option<usize>) -> Vec<String> {
    let len = name.chars().count();
    if len < 2 {
        return Vec::new();
    }
    let limit = if len >= 5 { 2 } else { 1 };
    // (distance, syllables that sound different, tier, characters not shared at the start,
    // name): a slip of a pinyin keyboard (南按区 for 南岸区) sounds right, wherever it is.
    let mut found: BTreeMap<(usize, usize, u8, usize, String), ()> = BTreeMap::new();
    let sounds = syllables(name);
    let mut consider = |candidate: &str, tier: u8| {
        let clen = candidate.chars().count();
        if candidate == name || clen.abs_diff(len) > limit {
            return;
        }
        let distance = strsim::levenshtein(name, candidate);
        if distance > limit {
            return;
        }
        let shared = name.chars().zip(candidate.chars()).take_while(|(a, b)| a == b).count();
        let other = syllables(candidate);
        let unlike = sounds.iter().zip(&other).filter(|(a, b)| a != b).count()
            + sounds.len().abs_diff(other.len());
        // A slip keeps the start of the name or its sound (南按区, 难岸区 → 南岸区); a name that
        // only shares its suffix (某城区, 东城区) is no near miss.
        if shared > 0 || unlike == 0 {
            found.insert((distance, unlike, tier, len - shared, candidate.to_string()), ());
        }
    };
    for c in curated {
        consider(c, 0);
    }
    for (i, d) in DIVISIONS.all.iter().enumerate() {
        let tier = if region.is_some_and(|r| DIVISIONS.within(i, r)) { 1 } else { 2 };
        consider(d.name, tier);
    }
    let mut out: Vec<String> = Vec::new();
    let best = found.keys().next().map(|k| (k.0, k.1, k.2, k.3));
    for (distance, unlike, tier, unshared, candidate) in found.into_keys() {
        if Some((distance, unlike, tier, unshared)) != best
            || out.contains(&candidate)
            || out.len() == 3
        {
            continue;
        }
        out.push(candidate);
    }
    out
}

/// Each character's toneless reading (the character itself where it has none).
fn syllables(text: &str) -> Vec<String> {
    use pinyin::ToPinyin as _;
    text.chars()
        .map(|c| c.to_pinyin().map_or_else(|| c.to_string(), |p| p.plain().to_string()))
        .collect()
}

/// Markers that end the unit's name inside a position, and whether the marker's first char
/// belongs to the name ("某某区委书记" → 某某区; "某某管委会主任" → 某某).
const ORG_MARKERS: &[(&str, bool)] = &[
    ("区委", true),
    ("县委", true),
    ("市委", true),
    ("旗委", true),
    ("州委", true),
    ("省委", true),
    ("党工委", false),
    ("党组", false),
    ("党委", false),
    ("管委会", false),
    ("人民政府", false),
    ("政府", false),
];

/// An organisation outside the registry: its name and a guess at its kind from the position.
pub(crate) fn guess_organisation(position: &str) -> (String, OrgKind) {
    // The unit is named in the last post: "市委常委、某某区委书记" → "某某区委书记".
    let post = position
        .rsplit('、')
        .find(|p| ORG_MARKERS.iter().any(|(m, _)| p.contains(m)))
        .unwrap_or(position);
    let mut name = post.to_string();
    let mut cut = None;
    for (marker, keep_first) in ORG_MARKERS {
        if let Some(at) = post.find(marker)
            && at > 0
            && cut.is_none_or(|(c, _)| at < c)
        {
            cut = Some((at, *keep_first));
        }
    }
    if let Some((at, keep_first)) = cut {
        let end =
            if keep_first { at + post[at..].chars().next().map_or(0, char::len_utf8) } else { at };
        name = post[..end].to_string();
    }
    let kind = guess_kind(&name);
    (name, kind)
}

/// The kind a name's wording says: 新区/开发区 a zone, 县/旗 a county, 区 a district …
fn guess_kind(name: &str) -> OrgKind {
    if ["新区", "开区", "高新区", "园区", "开发区"].iter().any(|s| name.ends_with(s)) {
        OrgKind::Zone
    } else if name.ends_with('县') || name.ends_with('旗') {
        OrgKind::County
    } else if name.ends_with('区') {
        OrgKind::District
    } else if ["市", "省", "区", "县"].iter().any(|p| name.starts_with(p))
        && name.ends_with(['委', '局', '办', '厅', '部'])
    {
        OrgKind::Department
    } else if name.ends_with('省') {
        OrgKind::Province
    } else if name.ends_with('州') || name.ends_with('盟') {
        OrgKind::City
    } else if name.ends_with('市') {
        OrgKind::CountyCity
    } else {
        OrgKind::Other
    }
}

/// Organisations whose slugs meet in one archive: `(name, slug, known)` of each, one per name.
/// Returns the new slug of every name that must move, with the name that keeps the slug: known
/// units before unknown ones, then by name, so the same archive always gives the same answer.
/// New slugs avoid `taken` (every known unit's) and each other.
pub(crate) fn separate_clashes(
    orgs: &[(String, String, bool)],
    taken: &dyn Fn(&str) -> bool,
) -> Vec<(String, String, String)> {
    let mut by_slug: BTreeMap<&str, Vec<(bool, &str)>> = BTreeMap::new();
    for (name, slug, known) in orgs {
        let group = by_slug.entry(slug).or_default();
        if !group.iter().any(|(_, n)| n == name) {
            group.push((!known, name));
        }
    }
    let used: HashSet<&str> = by_slug.keys().copied().collect();
    let mut given: HashSet<String> = HashSet::new();
    let mut moves = Vec::new();
    for (slug, mut group) in by_slug {
        if group.len() < 2 {
            continue;
        }
        group.sort();
        let keeper = group[0].1;
        let mut n = 2;
        for (_, name) in &group[1..] {
            let fresh = loop {
                let candidate = crate::slug::numbered(slug, n);
                n += 1;
                if !used.contains(candidate.as_str())
                    && !taken(&candidate)
                    && !given.contains(&candidate)
                {
                    break candidate;
                }
            };
            given.insert(fresh.clone());
            moves.push((name.to_string(), fresh, keeper.to_string()));
        }
    }
    moves
}

#[cfg(test)]
mod tests;
