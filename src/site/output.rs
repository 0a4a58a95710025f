//! Writing the output atomically: the whole site is written into a staging folder beside the
//! output folder and swapped in only when every page succeeded, so a failed build leaves the
//! previous output untouched and a host never serves half a site.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, Result, bail};

/// A staging folder that becomes the output on [`Staging::commit`] and disappears otherwise.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging folder next to `target`.
    pub fn new(target: &Path) -> Result<Staging> {
        let target = absolute(target)?;
        let parent = target.parent().context("the output folder cannot be the file system root")?;
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = target.file_name().context("output folder has no name")?.to_string_lossy();
        let dir = parent.join(format!(".{name}.yilu-staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging { dir, target, committed: false })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` at `rel` (a site path: `meetings/x/index.html`) inside the staging folder.
    /// Paths that would leave the folder are refused.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(checked_relative(rel)?);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let mut file =
            fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        file.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    /// Replaces the output folder with the staging folder.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = self.dir.with_file_name(format!(
            ".{}.yilu-old-{}",
            self.target.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).with_context(|| {
                format!("cannot move the previous {} aside", self.target.display())
            })?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(e)
                .with_context(|| format!("cannot move the new site to {}", self.target.display()));
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).with_context(|| format!("cannot remove {}", old.display()))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A relative path with no `..`, root or prefix component.
pub fn checked_relative(rel: &str) -> Result<PathBuf> {
    let path = Path::new(rel);
    if rel.is_empty() || path.components().any(|c| !matches!(c, Component::Normal(_))) {
        bail!("refusing to write outside the output folder: {rel:?}");
    }
    Ok(path.to_path_buf())
}

fn absolute(path: &Path) -> Result<PathBuf> {
    // std's absolute() also drops `.` components, so messages read /site/public, not /site/./public.
    std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escaping_paths() {
        assert!(checked_relative("../x").is_err());
        assert!(checked_relative("/etc/passwd").is_err());
        assert!(checked_relative("a/../../b").is_err());
        assert!(checked_relative("meetings/x/index.html").is_ok());
    }

    #[test]
    fn failed_build_leaves_previous_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("old.html"), "old").unwrap();
        {
            let s = Staging::new(&out).unwrap();
            s.write("new.html", b"new").unwrap();
            // dropped without commit: a failed build
        }
        assert_eq!(fs::read_to_string(out.join("old.html")).unwrap(), "old");
        assert!(!out.join("new.html").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "staging folder removed");
        let s = Staging::new(&out).unwrap();
        s.write("new.html", b"new").unwrap();
        s.commit().unwrap();
        assert!(!out.join("old.html").exists());
        assert_eq!(fs::read_to_string(out.join("new.html")).unwrap(), "new");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
