//! Client-side full-text search for Chinese: the index the `/search/` page reads.
//!
//! Off-the-shelf tools are too slow here (pagefind with Chinese segmentation: 17 s and 3.5 GB for
//! 10,000 speeches), so the build writes its own small, sharded index: Han text as character
//! bigrams, ASCII words whole ([`tokenize`]), postings sharded by token hash and documents sharded
//! by id ([`index`]). `themes/default/static/js/search.js` tokenizes the query the same way,
//! fetches only the shards it needs, intersects, verifies the phrase in the fetched text and ranks
//! title matches above speaker/organisation matches above body matches, newer first.
//!
//! It depends on nothing above it: `site` turns the archive into [`SearchDoc`]s and hands them in.

mod doc;
pub mod index;
pub mod tokenize;

pub use doc::SearchDoc;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::index::{BODY, MEETING, ORG, SPEAKER, build_index};
    use super::tokenize::{Token, fold, shard_of, tokenize, tokenize_with};
    use super::*;

    fn doc(path: &str, date: &str, title: &str, speaker: &str, org: &str, body: &str) -> SearchDoc {
        SearchDoc {
            path: path.into(),
            title: title.into(),
            speaker: speaker.into(),
            org: org.into(),
            date: date.into(),
            meeting: "区县委书记和部门一把手例会".into(),
            body: body.into(),
        }
    }

    fn sample() -> Vec<SearchDoc> {
        vec![
            doc(
                "meetings/2024-07-01/nanan/",
                "2024-07-01",
                "发挥比较优势 聚力攻坚突破",
                "许洪斌",
                "南岸区",
                "前三季度，南岸区GDP增长6.5%，固投增长5.2%。与万州区加强合作。",
            ),
            doc(
                "meetings/2024-10-21/wanzhou/",
                "2024-10-21",
                "以改革强动力增活力提质效",
                "卢红",
                "万州区",
                "万州区坚持用好改革关键一招。前三季度GDP增长6.6%，固投增长8.6%。",
            ),
            doc(
                "meetings/2024-10-21/dazu/",
                "2024-10-21",
                "培育新质生产力 万州经验",
                "于学信",
                "大足区",
                "大足区发展新质生产力，5G基站新建120个。",
            ),
        ]
    }

    /// The browser's algorithm, in Rust, over the built files: tokens → shards → intersect →
    /// verify the phrase in the doc text → rank (title, then speaker/org, then body; newer first).
    fn query(files: &[(String, Vec<u8>)], q: &str) -> Vec<String> {
        let file = |name: &str| -> serde_json::Value {
            let bytes = &files.iter().find(|(p, _)| p == name).expect(name).1;
            serde_json::from_slice(bytes).unwrap()
        };
        let meta = file("search/meta.json");
        let shards = meta["shards"].as_u64().unwrap() as usize;
        let per = meta["docs_per_shard"].as_u64().unwrap() as usize;
        let terms: Vec<String> =
            q.split_whitespace().map(|t| t.chars().map(fold).collect()).collect();
        let mut tokens = Vec::new();
        for t in &terms {
            tokenize_with(t, |tok| tokens.push(tok));
        }
        let mut candidates: Option<BTreeMap<u32, u8>> = None;
        for tok in &tokens {
            let idx = file(&format!("search/idx-{:02x}.json", shard_of(tok, shards)));
            let mut found = BTreeMap::new();
            if let Some(list) = idx[tok.text()].as_str() {
                let mut id = 0;
                for entry in list.split(',') {
                    let (delta, mask) = entry.split_once('.').unwrap_or((entry, "g"));
                    id += u32::from_str_radix(delta, 36).unwrap();
                    found.insert(id, u8::from_str_radix(mask, 36).unwrap());
                }
            }
            candidates = Some(match candidates {
                None => found,
                Some(c) => c
                    .into_iter()
                    .filter_map(|(id, m)| found.get(&id).map(|f| (id, m & f)))
                    .collect(),
            });
        }
        let mut hits: Vec<(u32, u32, String)> = Vec::new();
        for id in candidates.unwrap_or_default().into_keys() {
            let shard = file(&format!("search/docs-{}.json", id as usize / per));
            let d = &shard[id as usize % per];
            // Per term, the weight of the best field holding it; a missing term drops the doc.
            let fields = [("title", 16), ("speaker", 4), ("org", 4), ("meeting", 2), ("body", 1)];
            let score = terms.iter().try_fold(0, |sum, t| {
                let best = fields
                    .iter()
                    .filter(|(f, _)| {
                        let text: String = d[*f].as_str().unwrap().chars().map(fold).collect();
                        text.contains(t.as_str())
                    })
                    .map(|(_, w)| *w)
                    .max()?;
                Some(sum + best)
            });
            if let Some(score) = score {
                hits.push((score, id, d["path"].as_str().unwrap().to_string()));
            }
        }
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        hits.into_iter().map(|h| h.2).collect()
    }

    #[test]
    fn finds_places_abbreviations_and_long_words() {
        let files = build_index(&sample());
        // Title match (大足: 万州经验) first, then speaker/org (万州区), then body (南岸区).
        assert_eq!(
            query(&files, "万州"),
            [
                "meetings/2024-10-21/dazu/",
                "meetings/2024-10-21/wanzhou/",
                "meetings/2024-07-01/nanan/"
            ]
        );
        // Body only: newer first.
        assert_eq!(
            query(&files, "固投"),
            ["meetings/2024-10-21/wanzhou/", "meetings/2024-07-01/nanan/"]
        );
        assert_eq!(query(&files, "新质生产力"), ["meetings/2024-10-21/dazu/"]);
        assert_eq!(query(&files, "ＧＤＰ 6.6"), ["meetings/2024-10-21/wanzhou/"]);
        assert_eq!(query(&files, "5g"), ["meetings/2024-10-21/dazu/"]);
        assert_eq!(query(&files, "许洪斌"), ["meetings/2024-07-01/nanan/"]);
        assert!(query(&files, "重庆").is_empty());
        // Every bigram of 区固投 is in the Nanan doc (南岸区, 固投) but never the phrase.
        assert!(query(&files, "区固投").is_empty());
    }

    #[test]
    fn postings_carry_field_masks() {
        let files = build_index(&sample());
        let shards = 1;
        let wz = Token::han('万', Some('州'));
        assert_eq!(shard_of(&wz, shards), 0);
        assert_eq!(files[1].0, "search/idx-00.json");
        let idx: serde_json::Value = serde_json::from_slice(&files[1].1).unwrap();
        // Ids newest first: wanzhou 0, dazu 1, nanan 2.
        // Masks in base 36: ORG|BODY = 20 = "k"; body-only entries carry none.
        assert_eq!(ORG | BODY, 20);
        assert_eq!(idx["万州"], "0.k,1.1,1");
        assert_eq!(SPEAKER, 2);
        assert_eq!(idx["许洪"], "2.2");
        assert_eq!(MEETING, 8);
        assert_eq!(idx["例会"], "0.8,1.8,1.8");
        assert_eq!(idx["固投"], "0,2");
    }

    #[test]
    fn files_and_meta() {
        let files = build_index(&sample());
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["search/docs-0.json", "search/idx-00.json", "search/meta.json"]);
        let meta = std::str::from_utf8(&files[2].1).unwrap();
        assert_eq!(
            meta,
            r#"{"version":1,"docs":3,"docs_per_shard":100,"shards":1,"fields":{"title":1,"speaker":2,"org":4,"meeting":8,"body":16}}"#
        );
    }

    #[test]
    fn long_docs_with_many_distinct_tokens() {
        // 6,000 distinct bigrams in one doc, then a short doc: the per-doc table grows and resets.
        let body: String = (0x4E00..0x4E00 + 6001).filter_map(char::from_u32).collect();
        let mut docs = sample();
        docs.push(doc("meetings/2024-10-21/long/", "2024-10-21", "长", "", "", &body));
        docs.push(doc("meetings/2024-10-21/short/", "2024-10-21", "短", "", "", "一丁，万州"));
        let files = build_index(&docs);
        let last: String = body.chars().skip(5998).collect();
        assert_eq!(query(&files, &last), ["meetings/2024-10-21/long/"]);
        assert_eq!(
            query(&files, "一丁"),
            ["meetings/2024-10-21/long/", "meetings/2024-10-21/short/"]
        );
        assert_eq!(query(&files, "万州").len(), 4);
    }

    #[test]
    fn two_builds_are_byte_identical() {
        let mut docs = sample();
        // Enough docs for many shards and several doc files.
        for i in 0..500 {
            let mut d = sample()[i % 3].clone();
            d.path = format!("meetings/x/{i}/");
            d.body = format!("{}第{i}次 word{i}", d.body);
            docs.push(d);
        }
        let a = build_index(&docs);
        let b = build_index(&docs);
        assert!(a.len() > 10);
        assert!(a == b);
        let meta: serde_json::Value =
            serde_json::from_slice(&a.iter().find(|f| f.0 == "search/meta.json").unwrap().1)
                .unwrap();
        assert_eq!(meta["docs"], 503);
        assert_eq!(meta["shards"], 16);
        assert_eq!(query(&a, "word42"), ["meetings/x/42/"]);
        assert_eq!(tokenize("第42次"), ["第", "42", "次"]);
    }
}
