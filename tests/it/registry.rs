//! The organisation registry through builds and the binary: units anywhere in China with their
//! slugs and kinds, a region that settles shared names, /districts/ grouped by parent, slug clashes
//! separated, reserved names refused, and "did you mean …?" from ingest, build and check.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{build, copy_site, read};

fn yilu(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yilu")).args(args).current_dir(dir).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// data/speeches.json as path → (org, org_slug, org_kind).
fn orgs(out: &Path) -> BTreeMap<String, (String, String, String)> {
    let json: serde_json::Value = serde_json::from_str(&read(out, "data/speeches.json")).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let field = |k: &str| s[k].as_str().unwrap_or_default().to_string();
            (field("path"), (field("org"), field("org_slug"), field("org_kind")))
        })
        .collect()
}

fn expect(list: &[(&str, &str, &str, &str)]) -> BTreeMap<String, (String, String, String)> {
    list.iter()
        .map(|(path, org, slug, kind)| {
            (path.to_string(), (org.to_string(), slug.to_string(), kind.to_string()))
        })
        .collect()
}

#[test]
fn units_anywhere_get_their_slug_and_kind() {
    let (tmp, root) = copy_site("nationwide");
    let out = tmp.path().join("out");
    let report = build(&root, &out).unwrap();
    let want = expect(&[
        ("meetings/2025-03-01/haidian/", "海淀区", "haidian", "district"),
        ("meetings/2025-03-01/kunshan/", "昆山市", "kunshan", "county_city"),
        ("meetings/2025-03-01/shenzhen/", "深圳市", "shenzhen", "city"),
        ("meetings/2025-03-01/maoming/", "茂名市", "maoming", "city"),
        ("meetings/2025-03-01/shouguang/", "寿光市", "shouguang", "county_city"),
        ("meetings/2025-03-01/etuoke/", "鄂托克旗", "etuoke", "county"),
        // Four cities have a 鼓楼区: without a region the first is taken, with a warning.
        ("meetings/2025-03-01/gulou-nanjing/", "南京市鼓楼区", "gulou-nanjing", "district"),
        (
            "meetings/2025-03-01/shenzhen-caizheng/",
            "深圳市财政局",
            "shenzhen-caizheng",
            "department",
        ),
        ("meetings/2025-04-01/gulou-fuzhou/", "福州市鼓楼区", "gulou-fuzhou", "district"),
        ("meetings/2025-04-01/haidian/", "海淀区", "haidian", "district"),
    ]);
    assert_eq!(orgs(&out), want);
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].starts_with(
            "content/meetings/2025-03-01/07-gulou.md:5:6: org: “鼓楼区” names 4 units"
        ),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("hint: write the full name"), "{}", warnings[0]);
    // Two 鼓楼区 are two organisations, each on its own page.
    assert!(out.join("districts/gulou-nanjing/index.html").is_file());
    assert!(out.join("districts/gulou-fuzhou/index.html").is_file());
}

#[test]
fn a_region_resolves_shared_names_inside_it() {
    let (tmp, root) = copy_site("nationwide");
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::write(root.join("site.toml"), format!("{toml}region = \"福州市\"\n")).unwrap();
    let out = tmp.path().join("out");
    let report = build(&root, &out).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let got = orgs(&out);
    for path in ["meetings/2025-03-01/gulou/", "meetings/2025-04-01/gulou/"] {
        let want = ("鼓楼区".to_string(), "gulou".to_string(), "district".to_string());
        assert_eq!(got.get(path), Some(&want), "{path}: {got:#?}");
    }
    assert_eq!(got["meetings/2025-03-01/shenzhen/"].1, "shenzhen");
}

#[test]
fn an_unknown_region_is_refused_at_its_line() {
    let (tmp, root) = copy_site("nationwide");
    fs::write(root.join("site.toml"), "title = \"x\"\nregion = \"福洲市\"\n").unwrap();
    let out = yilu(&["build", "-o", tmp.path().join("out").to_str().unwrap()], &root);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("site.toml:2:1: region \"福洲市\" is not a province, city or county"),
        "{err}"
    );
    assert!(err.contains("did you mean 福州市?"), "{err}");
}

#[test]
fn districts_group_by_parent_when_the_archive_spans_several() {
    let (tmp, root) = copy_site("nationwide");
    let out = tmp.path().join("out");
    build(&root, &out).unwrap();
    let page = read(&out, "districts/index.html");
    // Parents in code order: 北京市 (11…) before 江苏省's 苏州市 (3205…) before 广东省 (44…).
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at(">北京市</h2>") < at(">苏州市</h2>"));
    assert!(at(">苏州市</h2>") < at(">广东省</h2>"));
    assert!(at(">广东省</h2>") < at(">深圳市</h2>"), "深圳市财政局 is under 深圳市");
    assert!(page.contains("县级市（1）"), "kinds inside each parent");

    // One parent (the Chongqing archive): grouped by kind only, as before.
    let (tmp, root) = copy_site("basic");
    let out = tmp.path().join("out");
    build(&root, &out).unwrap();
    let page = read(&out, "districts/index.html");
    assert!(page.contains("<h2 id=\"kind-district\">区（"), "{page}");
    assert!(!page.contains("id=\"region-"), "{page}");
}

#[test]
fn chongqing_example_keeps_its_slugs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build(Path::new(env!("CARGO_MANIFEST_DIR")), &out).unwrap();
    let slugs: Vec<(String, String)> =
        orgs(&out).into_values().map(|(_, slug, kind)| (slug, kind)).collect();
    let mut want: Vec<(String, String)> = [
        ("caizhengju", "department"),
        ("dazu", "district"),
        ("fuling", "district"),
        ("gaoxin", "zone"),
        ("jingxinwei", "department"),
        ("kaizhou", "district"),
        ("nanan", "district"),
        ("pengshui", "county"),
        ("wansheng", "zone"),
        ("wanzhou", "district"),
    ]
    .iter()
    .map(|(s, k)| (s.to_string(), k.to_string()))
    .collect();
    let mut got = slugs;
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn ingest_names_units_and_suggests_near_misses_with_the_line() {
    let (tmp, root) = copy_site("nationwide");
    let dest = tmp.path().join("ingested");
    let out = yilu(
        &["ingest", "guangdong.txt", "--year", "2025", "--out", dest.to_str().unwrap()],
        &root,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(log.contains("guangdong.txt:29:1: speech 4: unknown organisation \"南按区\""), "{log}");
    assert!(log.contains("did you mean 南岸区?"), "{log}");
    let folder = dest.join("meetings/2025-03-01");
    let mut got = Vec::new();
    for entry in fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "_index.md" {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        let (fm, _) = yilu::content::front_matter::read_speech(&text).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        got.push((name, fm.org.unwrap(), fm.org_kind.unwrap().as_str()));
    }
    got.sort();
    let want: Vec<(String, String, &str)> = [
        ("01-shenzhen.md", "深圳市", "city"),
        ("02-maoming.md", "茂名市", "city"),
        ("03-panyu.md", "番禺区", "district"),
        ("04-nan-an-qu.md", "南按区", "district"),
        ("05-sheng-fagaiwei.md", "省发展改革委", "department"),
    ]
    .iter()
    .map(|(f, o, k)| (f.to_string(), o.to_string(), *k))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn build_and_check_suggest_near_misses_at_the_org_line() {
    let (tmp, root) = copy_site("basic");
    let speech = "content/meetings/2024-10-21/05-wanzhou-typo.md";
    fs::write(
        root.join(speech),
        "---\ntitle: 万洲区发言\nspeaker: 卢红\n\norg: 万洲区\norder: 5\n---\n正文。\n",
    )
    .unwrap();
    let out_dir = tmp.path().join("out");
    let built = yilu(&["build", "-o", out_dir.to_str().unwrap()], &root);
    assert!(built.status.success(), "{}", stderr(&built));
    let want = format!("warning: {speech}:5:6: org: unknown organisation “万洲区”");
    let err = stderr(&built);
    assert!(err.contains(&want), "{err}");
    assert!(err.contains("hint: did you mean 万州区?"), "{err}");
    // Still a usable page of its own, never 万州区's.
    assert!(out_dir.join("districts/wan-zhou-qu/index.html").is_file());

    let checked = yilu(&["check", "-o", out_dir.to_str().unwrap()], &root);
    let err = stderr(&checked);
    assert!(err.contains(&format!("{speech}:5:6: org: unknown organisation “万洲区”")), "{err}");
    assert!(err.contains("hint: did you mean 万州区?"), "{err}");
    assert_eq!(err.matches("万洲区").count(), 1, "one message for the slip: {err}");
}

#[test]
fn organisations_whose_slugs_clash_get_their_own() {
    let (tmp, root) = copy_site("basic");
    let folder = root.join("content/meetings/2024-10-21");
    // Two unknown names with one pinyin, in one meeting and in another.
    for (file, org, order) in [("07-a.md", "某城区", 7), ("08-b.md", "某成区", 8)] {
        let text = format!(
            "---\ntitle: {org}\nspeaker: 甲{order}\norg: {org}\norder: {order}\n---\n正文。\n"
        );
        fs::write(folder.join(file), text).unwrap();
    }
    let other = root.join("content/meetings/2025-01-20/09-c.md");
    fs::write(&other, "---\ntitle: 某成区\nspeaker: 乙\norg: 某成区\norder: 9\n---\n正文。\n")
        .unwrap();
    let out = tmp.path().join("out");
    let report = build(&root, &out).unwrap();
    let got = orgs(&out);
    assert_eq!(got["meetings/2024-10-21/mou-cheng-qu/"].0, "某城区");
    assert_eq!(got["meetings/2024-10-21/mou-cheng-qu-2/"].0, "某成区");
    assert_eq!(got["meetings/2025-01-20/mou-cheng-qu-2/"].0, "某成区");
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains(
            "“某成区” and “某城区” both take the slug mou-cheng-qu; “某成区” gets mou-cheng-qu-2"
        ),
        "{}",
        warnings[0]
    );
    assert!(read(&out, "districts/mou-cheng-qu/index.html").contains("某城区"));
    assert!(read(&out, "districts/mou-cheng-qu-2/index.html").contains("某成区"));
}

#[test]
fn windows_reserved_names_never_become_a_path_segment() {
    let (tmp, root) = copy_site("basic");
    let folder = root.join("content/meetings/2024-10-21");
    fs::write(
        folder.join("07-con.md"),
        "---\ntitle: x\nspeaker: 甲\norg: CON\norder: 7\n---\n正文。\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    build(&root, &out).unwrap();
    assert!(out.join("districts/con-x/index.html").is_file());
    assert!(out.join("meetings/2024-10-21/con-x/index.html").is_file());
    assert!(!out.join("districts/con").exists());

    fs::write(folder.join("07-con.md"), "---\ntitle: x\nslug: nul\norder: 7\n---\n正文。\n")
        .unwrap();
    let failed = yilu(&["build", "-o", out.to_str().unwrap()], &root);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("slug: \"nul\" is a name Windows reserves"),
        "{}",
        stderr(&failed)
    );

    fs::remove_file(folder.join("07-con.md")).unwrap();
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::write(root.join("site.toml"), toml.replace("slug = \"moumou\"", "slug = \"aux\"")).unwrap();
    let failed = yilu(&["build", "-o", out.to_str().unwrap()], &root);
    assert!(
        stderr(&failed).contains("slug \"aux\" is a name Windows reserves"),
        "{}",
        stderr(&failed)
    );
}

#[test]
fn ingest_settles_a_shared_name_by_the_other_speakers_city() {
    let text = "推进城市更新\n\n——福州市城区工作会议发言摘登\n\n3月1日，市委召开城区工作会议。以下是发言摘登。\n\n\
                以更新激发活力\n\n仓山区委书记 甲乙\n\n仓山区推进城市更新，GDP增长5.1%。\n\n\
                以改革破解难题\n\n鼓楼区委书记 丙丁\n\n鼓楼区深化改革，GDP增长5.3%。\n";
    let options = yilu::ingest::IngestOptions { year: Some(2025), ..Default::default() };
    let meeting = yilu::ingest::ingest_text(Path::new("2025-03-01.txt"), text, &options).unwrap();
    let got: Vec<(&str, &str)> = meeting
        .speeches
        .iter()
        .map(|s| (s.front_matter.org.as_deref().unwrap(), s.file_name.as_str()))
        .collect();
    assert_eq!(got, [("仓山区", "01-cangshan.md"), ("福州市鼓楼区", "02-gulou-fuzhou.md")]);
    assert!(
        meeting.warnings.iter().all(|w| !w.message.contains("鼓楼区")),
        "{:?}",
        meeting.warnings
    );
}
