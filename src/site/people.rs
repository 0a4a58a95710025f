//! Who is who: speeches grouped into people for the /speakers/ pages.
//!
//! The rule, in order:
//! 1. A speech whose front matter has `speaker_id: SLUG` belongs to that person, whatever the name.
//! 2. Otherwise speeches are grouped by the speaker's name: people move between posts, so one
//!    name across meetings and organisations is one person...
//! 3. ...unless the name speaks for two different organisations at the same meeting: one person
//!    cannot hold both seats at once, so that name is split into one person per organisation
//!    (slug `name-org`), and `yilu check` says so. Never merged silently.
//!
//! Slugs are the name's pinyin; two names with the same pinyin (王伟, 汪伟) get `-2`, `-3` in the
//! order of their first appearance.

use std::collections::{BTreeMap, BTreeSet};

use crate::content::Archive;
use crate::slug;

/// One person and where they spoke.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Person {
    pub(crate) slug: String,
    pub(crate) name: String,
    /// (meeting index, speech index) in archive order (newest meeting first).
    pub(crate) speeches: Vec<(usize, usize)>,
    /// True when this name was split because it spoke for two organisations at one meeting.
    pub(crate) split: bool,
}

/// Speeches that will become one person, before slugs are made unique.
struct Group {
    wanted: String,
    name: String,
    speeches: Vec<(usize, usize)>,
    split: bool,
}

impl Group {
    /// Index of its oldest meeting (meetings are newest first, so the largest index).
    fn oldest(&self) -> usize {
        self.speeches.iter().map(|&(i, _)| i).max().unwrap_or(0)
    }
}

/// Groups every named speech into people. Returns the people (sorted by slug) and, for each
/// (meeting, speech), the index of its person.
pub(crate) fn identify(archive: &Archive) -> (Vec<Person>, BTreeMap<(usize, usize), usize>) {
    let (by_id, by_name) = speeches_by_key(archive);
    let mut groups: Vec<Group> = Vec::new();
    for (id, speeches) in by_id {
        let (i, j) = speeches[0];
        let name = archive.meetings[i].speeches[j].speaker_name().unwrap_or(&id).to_string();
        groups.push(Group { wanted: id, name, speeches, split: false });
    }
    for (name, speeches) in by_name {
        name_groups(archive, name, speeches, &mut groups);
    }
    let people = with_unique_slugs(groups);
    let mut index = BTreeMap::new();
    for (p, person) in people.iter().enumerate() {
        for &key in &person.speeches {
            index.insert(key, p);
        }
    }
    (people, index)
}

/// (meeting, speech) indices by a key that names their speaker.
type SpeechesBy = BTreeMap<String, Vec<(usize, usize)>>;

/// Speeches whose front matter names a valid `speaker_id`, by that id; the other named
/// speeches by the speaker's name.
fn speeches_by_key(archive: &Archive) -> (SpeechesBy, SpeechesBy) {
    let mut by_name = SpeechesBy::new();
    let mut by_id = SpeechesBy::new();
    for (i, m) in archive.meetings.iter().enumerate() {
        for (j, s) in m.speeches.iter().enumerate() {
            let explicit = s
                .front
                .extra
                .get("speaker_id")
                .and_then(|v| v.as_str())
                .filter(|id| slug::is_valid(id));
            match (explicit, s.speaker_name()) {
                (Some(id), _) => by_id.entry(id.to_string()).or_default().push((i, j)),
                (None, Some(name)) => by_name.entry(name.to_string()).or_default().push((i, j)),
                (None, None) => {}
            }
        }
    }
    (by_id, by_name)
}

/// The organisation a speech speaks for, as a slug: its organisation's, else its position's.
fn org_key(archive: &Archive, (i, j): (usize, usize)) -> String {
    let s = &archive.meetings[i].speeches[j];
    s.org
        .as_ref()
        .map(|o| o.slug.clone())
        .unwrap_or_else(|| slug::ascii_slug(s.front.position.as_deref().unwrap_or("")))
}

/// The people one name stands for, added to `groups`: one person, or one per organisation
/// when the name speaks for two organisations at the same meeting.
fn name_groups(
    archive: &Archive,
    name: String,
    speeches: Vec<(usize, usize)>,
    groups: &mut Vec<Group>,
) {
    let mut orgs_per_meeting: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for &(i, j) in &speeches {
        orgs_per_meeting.entry(i).or_default().insert(org_key(archive, (i, j)));
    }
    let base = slug::ascii_slug(&name);
    if !orgs_per_meeting.values().any(|orgs| orgs.len() > 1) {
        groups.push(Group { wanted: base, name, speeches, split: false });
        return;
    }
    let mut per_org: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for &key in &speeches {
        per_org.entry(org_key(archive, key)).or_default().push(key);
    }
    for (org, list) in per_org {
        groups.push(Group {
            wanted: format!("{base}-{org}"),
            name: name.clone(),
            speeches: list,
            split: true,
        });
    }
}

/// People out of groups, sorted by slug: a clash of wanted slugs is settled deterministically,
/// the oldest first appearance keeping the plain slug and the others getting `-2`, `-3` ….
fn with_unique_slugs(mut groups: Vec<Group>) -> Vec<Person> {
    groups.sort_by(|a, b| {
        a.wanted.cmp(&b.wanted).then(b.oldest().cmp(&a.oldest())).then(a.name.cmp(&b.name))
    });
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut people = Vec::with_capacity(groups.len());
    for Group { wanted, name, speeches, split } in groups {
        let mut slug = wanted.clone();
        let mut n = 2;
        while !used.insert(slug.clone()) {
            slug = format!("{wanted}-{n}");
            n += 1;
        }
        people.push(Person { slug, name, speeches, split });
    }
    people.sort_by(|a, b| a.slug.cmp(&b.slug));
    people
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Meeting, OrgRef, Speech, SpeechFrontMatter};
    use crate::orgs::OrgKind;

    fn speech(name: &str, org: &str) -> Speech {
        Speech {
            slug: org.into(),
            path: format!("{org}.md").into(),
            front: SpeechFrontMatter {
                title: "t".into(),
                speaker: Some(name.into()),
                ..Default::default()
            },
            chars: 0,
            order: 1,
            org: Some(OrgRef {
                name: org.into(),
                slug: org.into(),
                kind: OrgKind::District,
                known: true,
                parent: None,
            }),
        }
    }

    fn meeting(slug: &str, speeches: Vec<Speech>) -> Meeting {
        Meeting {
            slug: slug.into(),
            date: chrono::NaiveDate::parse_from_str(slug, "%Y-%m-%d").unwrap(),
            path: slug.into(),
            front: Default::default(),
            body: String::new(),
            speeches,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn same_name_across_posts_over_time_is_one_person() {
        let archive = Archive {
            meetings: vec![
                meeting("2025-01-01", vec![speech("陈英", "fuling")]),
                meeting("2024-01-01", vec![speech("陈英", "wansheng")]),
            ],
        };
        let (people, index) = identify(&archive);
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].slug, "chen-ying");
        assert_eq!(people[0].speeches.len(), 2);
        assert_eq!(index[&(1, 0)], 0);
    }

    #[test]
    fn same_name_two_seats_at_one_meeting_is_two_people() {
        let archive = Archive {
            meetings: vec![
                meeting("2025-01-01", vec![speech("陈英", "fuling"), speech("陈英", "wansheng")]),
                meeting("2024-01-01", vec![speech("陈英", "wansheng")]),
            ],
        };
        let (people, _) = identify(&archive);
        let slugs: Vec<_> = people.iter().map(|p| p.slug.as_str()).collect();
        assert_eq!(slugs, ["chen-ying-fuling", "chen-ying-wansheng"]);
        assert!(people.iter().all(|p| p.split));
        assert_eq!(people[1].speeches, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn explicit_id_wins_and_pinyin_clashes_get_numbers() {
        let mut a = speech("王伟", "fuling");
        a.front.extra.insert("speaker_id".into(), serde_json::json!("wang-wei-senior"));
        let archive = Archive {
            meetings: vec![
                meeting("2025-01-01", vec![speech("汪伟", "dazu")]),
                meeting("2024-01-01", vec![speech("王伟", "nanan"), a]),
            ],
        };
        let (people, _) = identify(&archive);
        let slugs: Vec<_> = people.iter().map(|p| (p.slug.as_str(), p.name.as_str())).collect();
        // 王伟 appeared first (older meeting), so it keeps wang-wei.
        assert_eq!(
            slugs,
            [("wang-wei", "王伟"), ("wang-wei-2", "汪伟"), ("wang-wei-senior", "王伟")]
        );
    }
}
