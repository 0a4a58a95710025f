//! Finding known names in short texts (positions): a hash map from name to payload, tried at each
//! character for every length a name has, longest first. Costs nothing to build, unlike an
//! automaton over thousands of names, which start-up and `serve` would pay on every run; a
//! position of a few dozen characters takes a few hundred lookups.

use rustc_hash::FxHashMap;

/// Names with a payload each.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex<T> {
    /// Fx, not SipHash: thousands of short keys hashed per position read; order never matters.
    map: FxHashMap<String, T>,
    /// Byte lengths of the names, longest first.
    lens: Vec<usize>,
}

/// One name found: its byte range in the text and its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found<'a, T> {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) payload: &'a T,
}

impl<T> NameIndex<T> {
    /// The index of `names`; of two equal names the first is kept.
    pub(crate) fn new(names: impl IntoIterator<Item = (String, T)>) -> NameIndex<T> {
        let mut map = FxHashMap::default();
        for (name, payload) in names {
            if !name.is_empty() {
                map.entry(name).or_insert(payload);
            }
        }
        let mut lens: Vec<usize> = map.keys().map(String::len).collect();
        lens.sort_unstable_by(|a, b| b.cmp(a));
        lens.dedup();
        NameIndex { map, lens }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&T> {
        self.map.get(name)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// The names in `text`, leftmost first and at each place the longest, not overlapping.
    pub(crate) fn find_all<'a>(&'a self, text: &str) -> Vec<Found<'a, T>> {
        let mut found = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let hit = self.lens.iter().find_map(|&len| {
                let end = at + len;
                let name = text.get(at..end)?;
                self.map.get(name).map(|payload| Found { start: at, end, payload })
            });
            match hit {
                Some(f) => {
                    at = f.end;
                    found.push(f);
                }
                None => at += text[at..].chars().next().map_or(1, char::len_utf8),
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftmost_longest_without_overlap() {
        let index = NameIndex::new(
            [("万州区", 1), ("万州", 2), ("州区委", 3), ("区委", 4), ("福州市", 5)]
                .map(|(n, p)| (n.to_string(), p)),
        );
        let got: Vec<(usize, usize, i32)> = index
            .find_all("市委常委、万州区委书记、福州市")
            .iter()
            .map(|f| (f.start, f.end, *f.payload))
            .collect();
        // 万州区 (longest at its start) wins over 万州; 区委 overlaps it and is skipped.
        let text = "市委常委、万州区委书记、福州市";
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(
            got,
            vec![(at("万州区"), at("万州区") + "万州区".len(), 1), (at("福州市"), text.len(), 5)]
        );
        assert!(index.find_all("").is_empty());
        assert!(NameIndex::<i32>::new([]).find_all("万州区").is_empty());
    }
}
