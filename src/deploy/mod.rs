//! `yilu deploy`: publish a built output folder to an S3-compatible bucket (AWS S3, Aliyun OSS,
//! Tencent COS, Cloudflare R2, MinIO…), uploading only what changed.
//!
//! A file is unchanged when the listed ETag equals its MD5 (what S3, OSS, COS, R2, MinIO and moto
//! return for a single-part upload, which is how yilu uploads); when the ETag is something else
//! (multipart or KMS-encrypted objects) and the size is the same, the MD5 yilu stores in the
//! object's metadata (`x-amz-meta-yilu-md5`) decides, so any provider stays incremental. Remote
//! files under the prefix with no output file are deleted, after every upload succeeded, and at
//! most `max_deletes` of them unless forced. The library reports through return values and a
//! callback; it never prints.

mod plan;
mod remote;
mod target;

use std::net::IpAddr;
use std::path::Path;

use anyhow::{Result, anyhow};
use futures_util::{StreamExt as _, TryStreamExt as _};

use crate::diagnostic::Diagnostic;
pub(crate) use plan::{LocalFile, Plan, Reason, Upload, scan};
pub(crate) use remote::{Patience, credentials};
pub(crate) use target::{CREDENTIALS_NOT_HERE, DeployEntry, looks_like_credential};

/// How a deploy runs.
#[derive(Debug, Clone)]
pub(crate) struct DeployOptions {
    /// Plan only: list and compare, change nothing.
    pub(crate) dry_run: bool,
    /// Delete more than `max_deletes` files.
    pub(crate) force: bool,
    pub(crate) max_deletes: usize,
    /// Uploads in flight at once.
    pub(crate) jobs: usize,
    pub(crate) patience: Patience,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            dry_run: false,
            force: false,
            max_deletes: 256,
            jobs: 8,
            patience: Patience::default(),
        }
    }
}

/// Progress, reported as it happens.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event<'a> {
    /// The plan is made; uploads and deletes follow (or not, on a dry run).
    Planned(&'a Plan),
    Uploaded(&'a Upload),
    Deleted(&'a str),
}

/// What a deploy did (or, on a dry run, would do).
#[derive(Debug, Clone)]
pub(crate) struct DeployReport {
    pub(crate) plan: Plan,
    pub(crate) uploaded: usize,
    pub(crate) deleted: usize,
    pub(crate) unchanged: usize,
    /// Bytes uploaded (planned, on a dry run).
    pub(crate) bytes: u64,
    pub(crate) dry_run: bool,
}

/// The `[[deploy]]` target to use: the one named, or the only one.
pub(crate) fn select_target<'a>(
    targets: &'a [DeployEntry],
    config_path: &Path,
    name: Option<&str>,
) -> Result<&'a DeployEntry> {
    let names = || targets.iter().map(|t| format!("`{}`", t.name)).collect::<Vec<_>>().join(", ");
    match name {
        _ if targets.is_empty() => Err(error(
            Diagnostic::new(config_path, "no deploy target is configured").with_hint(
                "add one to site.toml, then set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY:\n\n    \
                 [[deploy]]\n    name = \"production\"\n    \
                 url = \"s3://BUCKET/PREFIX?endpoint=https://ENDPOINT&region=REGION\"",
            ),
        )),
        None if targets.len() == 1 => Ok(&targets[0]),
        None => Err(error(
            Diagnostic::new(config_path, format!("{} deploy targets are configured", targets.len()))
                .with_hint(format!("pick one with --target: {}", names())),
        )),
        Some(name) => targets.iter().find(|t| t.name == name).ok_or_else(|| {
            let closest = targets
                .iter()
                .map(|t| (strsim::jaro_winkler(name, &t.name), &t.name))
                .filter(|(score, _)| *score > 0.7)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let hint = match closest {
                Some((_, near)) => format!("did you mean `{near}`? (targets: {})", names()),
                None => format!("targets: {}", names()),
            };
            error(Diagnostic::new(config_path, format!("no deploy target named `{name}`")).with_hint(hint))
        }),
    }
}

fn error(d: Diagnostic) -> anyhow::Error {
    anyhow!("{d}")
}

/// Whether a base URL points at this machine (`http://127.0.0.1:1111/`, `localhost`, `[::1]`,
/// `0.0.0.0`): what `yilu serve` builds with, and never what a public site wants.
pub(crate) fn is_loopback(base_url: &str) -> bool {
    let Some((_, rest)) = base_url.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// Refuses an output built for a loopback address (by `yilu serve`): its links and feeds would
/// point at the publisher's machine. The base URL is read back from the build's sitemap.
pub(crate) fn check_publishable(output: &Path) -> Result<()> {
    let sitemap = output.join("sitemap.xml");
    let text = std::fs::read_to_string(&sitemap).map_err(|e| {
        anyhow!(
            "{} is not a finished yilu build ({}: {e}); run `yilu deploy` without --no-build",
            output.display(),
            sitemap.display()
        )
    })?;
    let base = text.split("<loc>").nth(1).and_then(|s| s.split("</loc>").next()).unwrap_or("");
    if is_loopback(base) {
        return Err(anyhow!(
            "{} was built for {base}, a loopback address (a `yilu serve` build): deploying it \
             would publish links to your own machine; run `yilu deploy` without --no-build, or \
             `yilu build` first",
            output.display()
        ));
    }
    Ok(())
}

/// Plans and (unless a dry run) carries out a deploy of `output` to `target`.
pub(crate) fn deploy(
    target: &DeployEntry,
    output: &Path,
    options: &DeployOptions,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<DeployReport> {
    let local = scan(output)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow!("cannot start the network runtime: {e}"))?;
    runtime.block_on(run(target, local, options, on_event))
}

async fn run(
    target: &DeployEntry,
    local: Vec<LocalFile>,
    options: &DeployOptions,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<DeployReport> {
    let remote = remote::Remote::connect(&target.url, options.patience)?;
    let plan = plan_against(&remote, target, local, options.jobs).await?;
    on_event(Event::Planned(&plan));
    let mut report = DeployReport {
        uploaded: 0,
        deleted: 0,
        unchanged: plan.unchanged,
        bytes: plan.upload_bytes(),
        dry_run: options.dry_run,
        plan: Plan::default(),
    };
    if options.dry_run {
        report.plan = plan;
        return Ok(report);
    }
    refuse_mass_delete(&plan, &target.url, options)?;
    // Uploads first, so that pages never link to files not there yet.
    (report.uploaded, report.bytes) = upload_all(&remote, &plan, options.jobs, on_event).await?;
    let mut deleted = 0;
    remote
        .delete(&plan.deletes, &mut |rel| {
            deleted += 1;
            on_event(Event::Deleted(rel));
        })
        .await?;
    report.deleted = deleted;
    report.plan = plan;
    Ok(report)
}

/// What to upload and delete: new and changed files by size and ETag; a file of the same size
/// whose ETag is not its MD5 (a multipart upload) is decided by the hash stored beside it.
async fn plan_against(
    remote: &remote::Remote,
    target: &DeployEntry,
    local: Vec<LocalFile>,
    jobs: usize,
) -> Result<Plan> {
    let listing = remote.list().await?;
    let diff = plan::diff(local, &listing);
    let stored: Vec<(LocalFile, Option<String>)> = futures_util::stream::iter(diff.suspect)
        .map(|file| async move {
            let md5 = remote.stored_md5(&file.rel).await?;
            anyhow::Ok((file, md5))
        })
        .buffered(jobs.max(1))
        .try_collect()
        .await?;
    let mut plan = Plan { deletes: diff.deletes, unchanged: diff.unchanged, ..Plan::default() };
    let upload = |file, reason| plan::upload(&target.url, &target.headers, file, reason);
    plan.uploads.extend(diff.new.into_iter().map(|f| upload(f, Reason::New)));
    plan.uploads.extend(diff.changed.into_iter().map(|f| upload(f, Reason::Changed)));
    for (file, md5) in stored {
        if md5.as_deref() == Some(file.md5.as_str()) {
            plan.unchanged += 1;
        } else {
            plan.uploads.push(upload(file, Reason::Changed));
        }
    }
    plan.uploads.sort_by(|a, b| a.file.rel.cmp(&b.file.rel));
    Ok(plan)
}

/// A plan deleting more than `--max-deletes` files (an empty or wrong output folder, the wrong
/// target) is refused before anything changes, unless `--force`.
fn refuse_mass_delete(plan: &Plan, url: &target::S3Url, options: &DeployOptions) -> Result<()> {
    if plan.deletes.len() > options.max_deletes && !options.force {
        return Err(anyhow!(
            "deploying would delete {} from {url} (more than --max-deletes {}); nothing was \
             changed. Check the output folder and the target, then pass --force or a larger \
             --max-deletes",
            crate::diagnostic::count(plan.deletes.len(), "file", "files"),
            options.max_deletes
        ));
    }
    Ok(())
}

/// Uploads the plan's files, `jobs` at a time; returns how many and their bytes. Stops at the
/// first failure, saying how far it got (the next deploy picks up where this one stopped).
async fn upload_all(
    remote: &remote::Remote,
    plan: &Plan,
    jobs: usize,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<(usize, u64)> {
    let mut uploads = futures_util::stream::iter(&plan.uploads)
        .map(|u| async move { remote.put(u).await.map(|()| u) })
        .buffer_unordered(jobs.max(1));
    let (mut uploaded, mut bytes) = (0, 0);
    while let Some(done) = uploads.next().await {
        let done = done.map_err(|e| {
            e.context(format!(
                "the deploy stopped after {uploaded} of {}; run it again to finish",
                crate::diagnostic::count(plan.uploads.len(), "upload", "uploads")
            ))
        })?;
        uploaded += 1;
        bytes += done.file.size;
        on_event(Event::Uploaded(done));
    }
    Ok((uploaded, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_base_urls_are_recognised() {
        let table = [
            ("http://127.0.0.1:1111/", true),
            ("http://127.0.0.1/", true),
            ("http://localhost:1111/", true),
            ("http://LOCALHOST/", true),
            ("http://app.localhost/", true),
            ("http://[::1]:1111/", true),
            ("http://0.0.0.0:1111/", true),
            ("http://user@127.0.0.1/", true),
            ("https://yilu.example.org/", false),
            ("https://127.example.org/", false),
            ("http://192.168.1.5:1111/", false),
            ("/", false),
            ("", false),
        ];
        for (url, want) in table {
            assert_eq!(is_loopback(url), want, "{url}");
        }
    }

    fn config(text: &str) -> crate::config::SiteConfig {
        crate::config::SiteConfig::from_str(text, "site.toml").unwrap()
    }

    #[test]
    fn targets_are_selected_by_name_with_a_suggestion() {
        let two = config(
            "[[deploy]]\nname = \"production\"\nurl = \"s3://site\"\n\
             [[deploy]]\nname = \"staging\"\nurl = \"s3://site/staging\"\n",
        );
        let path = Path::new("site.toml");
        assert_eq!(select_target(&two.deploy, path, Some("staging")).unwrap().name, "staging");
        let err = select_target(&two.deploy, path, Some("prodution")).unwrap_err().to_string();
        assert_eq!(
            err,
            "site.toml: no deploy target named `prodution`\n  hint: did you mean `production`? (targets: `production`, `staging`)"
        );
        let err = select_target(&two.deploy, path, Some("xyz")).unwrap_err().to_string();
        assert!(err.ends_with("hint: targets: `production`, `staging`"), "{err}");
        let err = select_target(&two.deploy, path, None).unwrap_err().to_string();
        assert!(err.contains("2 deploy targets are configured"), "{err}");
        assert!(err.contains("pick one with --target: `production`, `staging`"), "{err}");

        let one = config("[[deploy]]\nname = \"production\"\nurl = \"s3://site\"\n");
        assert_eq!(select_target(&one.deploy, path, None).unwrap().name, "production");

        let none = config("title = \"x\"\n");
        let err = select_target(&none.deploy, path, None).unwrap_err().to_string();
        assert!(err.starts_with("site.toml: no deploy target is configured"), "{err}");
        assert!(err.contains("[[deploy]]"), "{err}");
    }
}
