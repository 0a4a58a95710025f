//! `yilu new meeting DATE` and `yilu new speech DATE ORG`: scaffold content files with the front
//! matter a build expects, like `hugo new`. Files are written through `content::front_matter`,
//! so they load exactly as written; nothing is overwritten without `--force`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use crate::config::SiteConfig;
use crate::content::{
    self, LoadOptions, MeetingFrontMatter, SpeechFrontMatter, front_matter, write_file_atomic,
};
use crate::diagnostic::Diagnostic;
use crate::orgs::Registry;
use crate::slug;

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    #[command(subcommand)]
    pub(crate) what: NewCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum NewCommand {
    /// A meeting: content/meetings/DATE/_index.md with a title to fill in.
    Meeting {
        /// The meeting's date, YYYY-MM-DD.
        #[arg(value_parser = parse_date)]
        date: NaiveDate,
        #[command(flatten)]
        common: Common,
    },
    /// A speech in an existing meeting: NN-SLUG.md, numbered after the meeting's last speech.
    Speech {
        /// The meeting's date, YYYY-MM-DD (its folder must exist: `yilu new meeting DATE`).
        #[arg(value_parser = parse_date)]
        date: NaiveDate,
        /// The organisation, by name or alias (万州区, 万州); resolved through the registry.
        org: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
pub(crate) struct Common {
    /// The site folder (holding site.toml).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Overwrite a file that exists.
    #[arg(long)]
    pub(crate) force: bool,
}

/// The placeholder titles a new file gets; the user replaces them.
const MEETING_TITLE: &str = "会议标题（待填写）";
const SPEECH_TITLE: &str = "发言标题（待填写）";

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| ok)
        .ok_or_else(|| format!("expected a date as YYYY-MM-DD, e.g. 2025-01-20 (found {text:?})"))
}

impl NewArgs {
    pub(crate) fn run(self, quiet: bool) -> Result<()> {
        let (created, warnings) = match &self.what {
            NewCommand::Meeting { date, common } => (new_meeting(*date, common)?, Vec::new()),
            NewCommand::Speech { date, org, common } => new_speech(*date, org, common)?,
        };
        if !quiet {
            for w in warnings {
                eprintln!("warning: {w}");
            }
            eprintln!("created {}", created.display());
        }
        Ok(())
    }
}

fn config(root: &Path) -> Result<SiteConfig> {
    SiteConfig::load(&root.join("site.toml"))
}

fn meeting_dir(date: NaiveDate) -> PathBuf {
    Path::new("content").join("meetings").join(date.format("%Y-%m-%d").to_string())
}

/// Writes `root/rel` unless it exists and `force` is off.
fn write_new(root: &Path, rel: &Path, text: &str, force: bool) -> Result<()> {
    let path = root.join(rel);
    if path.exists() && !force {
        return Err(anyhow!(
            "{}",
            Diagnostic::new(rel, "exists already; nothing was written")
                .with_hint("edit it, or pass --force to replace it")
        ));
    }
    write_file_atomic(&path, text.as_bytes())
}

/// Writes `content/meetings/DATE/_index.md`; returns its path relative to the root.
fn new_meeting(date: NaiveDate, common: &Common) -> Result<PathBuf> {
    config(&common.root)?;
    let rel = meeting_dir(date).join("_index.md");
    let front =
        MeetingFrontMatter { title: MEETING_TITLE.into(), date: Some(date), ..Default::default() };
    write_new(&common.root, &rel, &front_matter::write_meeting(&front, ""), common.force)?;
    Ok(rel)
}

/// Writes the next speech of a meeting; returns its path and any warnings.
fn new_speech(date: NaiveDate, org: &str, common: &Common) -> Result<(PathBuf, Vec<Diagnostic>)> {
    let root = &common.root;
    let config = config(root)?;
    let registry = Registry::new(&config.organisations);
    let dir = meeting_dir(date);
    if !root.join(&dir).is_dir() {
        return Err(anyhow!(
            "{}",
            Diagnostic::new(&dir, "no such meeting folder").with_hint(format!(
                "create the meeting first: yilu new meeting {}",
                date.format("%Y-%m-%d")
            ))
        ));
    }
    let org = org.trim();
    if org.is_empty() {
        return Err(anyhow!("the organisation is empty; name it, e.g. 万州区"));
    }
    let (name, org_slug, kind) = match registry.lookup(org) {
        Some(o) => (o.name.clone(), o.slug.clone(), Some(o.kind)),
        None => (org.to_string(), slug::ascii_slug(org), None),
    };
    let speeches = meeting_speeches(root, &dir, &registry)?;
    let (rel, order) = match speeches.iter().find(|s| s.slug == org_slug) {
        Some(same) if !common.force => {
            return Err(anyhow!(
                "{}",
                Diagnostic::new(
                    &same.path,
                    format!("the meeting has a speech of {name} already (its URL would be taken)"),
                )
                .with_hint("edit that file, or pass --force to replace it")
            ));
        }
        Some(same) => (same.path.clone(), same.order),
        None => {
            let last = speeches.iter().map(|s| s.order).filter(|&o| o != u32::MAX).max();
            let order = last.unwrap_or(0) + 1;
            (dir.join(format!("{order:02}-{org_slug}.md")), order)
        }
    };
    let mut warnings = Vec::new();
    if kind.is_none() {
        warnings.push(unregistered(&rel, &name, &org_slug));
    }
    let front = SpeechFrontMatter {
        title: SPEECH_TITLE.into(),
        speaker: Some(String::new()),
        position: Some(String::new()),
        org: Some(name),
        org_kind: kind,
        order: Some(order),
        ..Default::default()
    };
    write_new(root, &rel, &front_matter::write_speech(&front, ""), common.force)?;
    Ok((rel, warnings))
}

/// The meeting's speeches as a build reads them (each one's order and URL slug), drafts too.
/// A meeting whose files do not load is an error: nothing is written next to them.
fn meeting_speeches(root: &Path, dir: &Path, registry: &Registry) -> Result<Vec<content::Speech>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let meeting = content::load_meeting(
        root,
        &root.join(dir),
        &files,
        registry,
        LoadOptions { drafts: true },
    )
    .map_err(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow!("{}\nfix the meeting's files first; nothing was written", list.join("\n"))
    })?;
    Ok(meeting.map(|m| m.speeches).unwrap_or_default())
}

/// The warning for an organisation the registry does not know: its slug was made up.
fn unregistered(rel: &Path, name: &str, slug: &str) -> Diagnostic {
    Diagnostic::warning(
        rel,
        format!("{name} is not in the organisation registry; its URL slug is `{slug}`"),
    )
    .with_hint(format!(
        "to choose the slug, add [[organisations]] name = \"{name}\" slug = \"…\" to site.toml"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for (text, ok) in [
            ("2025-01-20", true),
            ("2024-02-29", true),
            ("2025-02-29", false),
            ("2025-1-20", false),
            ("20250120", false),
            ("2025/01/20", false),
            ("", false),
        ] {
            assert_eq!(parse_date(text).is_ok(), ok, "{text}");
        }
        assert!(parse_date("x").unwrap_err().contains("YYYY-MM-DD"));
    }
}
