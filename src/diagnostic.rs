//! Per-file problems, collected over a whole run and reported together, so a user fixes every
//! broken file in one pass instead of one per build. Every stage speaks this one vocabulary: a
//! place (file, line, column), a severity, a message and, where there is one, a hint that says how
//! to fix it.

use std::fmt;
use std::path::PathBuf;

/// How bad a problem is: an error fails the command (exit 1); a warning is reported and the
/// command goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem at a place in a file: `content/x.md:7:3: metrics.gdp: expected a number`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub(crate) path: PathBuf,
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) severity: Severity,
    /// The front matter or config key the problem concerns (`org`, `metrics.gdp`), printed
    /// before the message; tools and later stages tell kinds of problem apart by it.
    pub(crate) key: Option<Box<str>>,
    /// What is wrong.
    pub message: String,
    /// How to fix it ("did you mean `speaker`?"), shown on its own line.
    pub(crate) hint: Option<Box<str>>,
}

impl Diagnostic {
    /// An error at `path`.
    pub(crate) fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: path.into(),
            line: None,
            column: None,
            severity: Severity::Error,
            key: None,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning at `path`.
    pub(crate) fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::new(path, message) }
    }

    pub(crate) fn at(mut self, line: usize, column: usize) -> Diagnostic {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Says which key the problem concerns: `warning(p, "missing").about("org")` prints
    /// `p: org: missing`.
    pub(crate) fn about(mut self, key: impl Into<String>) -> Diagnostic {
        self.key = Some(key.into().into_boxed_str());
        self
    }

    /// The message as printed: `key: message`, or the message alone.
    pub(crate) fn text(&self) -> String {
        match &self.key {
            Some(key) => format!("{key}: {}", self.message),
            None => self.message.clone(),
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into().into_boxed_str());
        self
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.text())?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// One problem as printed: `warning: content/x.md:3:1: message`, its hint on the next line.
pub(crate) fn show(d: &Diagnostic) -> String {
    format!("{}: {d}", d.severity.as_str())
}

/// "2 errors, 1 warning"; "no problems" when there are none.
pub(crate) fn summary(problems: &[Diagnostic]) -> String {
    let errors = problems.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = problems.len() - errors;
    match (errors, warnings) {
        (0, 0) => "no problems".into(),
        (e, 0) => count(e, "error", "errors"),
        (0, w) => count(w, "warning", "warnings"),
        (e, w) => format!("{}, {}", count(e, "error", "errors"), count(w, "warning", "warnings")),
    }
}

/// A failed run's error as the terminal shows it, a line each: every problem of a problem list
/// with its severity, then their count; any other error as `error: …` with its causes. The one
/// place an error chain is formatted (the CLI prints it; `yilu serve` also shows it in the page).
pub(crate) fn error_report(err: &anyhow::Error) -> String {
    let mut lines = Vec::new();
    for cause in err.chain() {
        if let Some(list) = cause.downcast_ref::<Diagnostics>() {
            lines.extend(list.0.iter().map(show));
            lines.push(summary(&list.0));
            break;
        }
        let lead = if lines.is_empty() { "error: " } else { "  caused by: " };
        lines.push(format!("{lead}{cause}"));
    }
    lines.join("\n")
}

/// `n` with its noun, singular or plural: "1 problem", "2 problems".
pub(crate) fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    Lines::new(text).line_col(offset)
}

/// Where each line of a text starts: line and column of many offsets of one text, each found
/// by a binary search instead of a scan from the start.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        let after_breaks = memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1);
        Lines { text, starts: std::iter::once(0).chain(after_breaks).collect() }
    }

    /// The 1-based line and column (in characters) of byte `offset`, as [`line_col`] counts.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }
}

#[cfg(test)]
fn line_col_by_scan(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// The known key `word` is most likely a slip for, if any: one edit away (two for longer
/// words), a swap of two letters counting as one edit, case ignored.
pub(crate) fn near_miss<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let allowed = if lower.chars().count() <= 4 { 1 } else { 2 };
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&lower, k), *k))
        .filter(|(d, k)| *d <= allowed && *k != word)
        .min()
        .map(|(_, k)| k)
}

/// For serde's "unknown field `titel`, expected one of `title`, …" (and "unknown variant"), the
/// known name the unknown one is most likely a slip for: "did you mean `title`?".
pub(crate) fn did_you_mean(message: &str) -> Option<String> {
    let rest =
        message.find("unknown field `").map(|i| &message[i + "unknown field `".len()..]).or_else(
            || message.find("unknown variant `").map(|i| &message[i + "unknown variant `".len()..]),
        )?;
    let (word, expected) = rest.split_once('`')?;
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let near = near_miss(word, &known)?;
    Some(format!("did you mean `{near}`?"))
}

/// Every problem of one run; an error whose message lists them all, sorted by place.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Ok when empty; otherwise an error listing every problem.
    pub(crate) fn into_result(mut self) -> anyhow::Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort();
        self.0.dedup();
        Err(anyhow::Error::new(self))
    }
}

/// The values of `results` when none failed; otherwise an error listing every failure.
pub(crate) fn all_ok<T>(
    results: impl IntoIterator<Item = Result<T, Diagnostic>>,
) -> anyhow::Result<Vec<T>> {
    let mut problems = Diagnostics::default();
    let mut values = Vec::new();
    for result in results {
        match result {
            Ok(v) => values.push(v),
            Err(d) => problems.push(d),
        }
    }
    problems.into_result()?;
    Ok(values)
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        write!(f, "{}", count(self.0.len(), "problem", "problems"))
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn lines_place_offsets_as_a_scan_does(text in "(万|a|\n|\r){0,40}", cut in 0usize..60) {
            let lines = Lines::new(&text);
            let boundaries = text.char_indices().map(|(i, _)| i).chain([text.len(), text.len() + cut]);
            for offset in boundaries {
                proptest::prop_assert_eq!(lines.line_col(offset), line_col_by_scan(&text, offset));
            }
        }
    }
    use anyhow::Context as _;

    #[test]
    fn an_error_report_shows_the_causes_or_the_problem_list() {
        let io = std::io::Error::other("disk full");
        let plain = Err::<(), _>(io).context("cannot write out/a.html").unwrap_err();
        assert_eq!(error_report(&plain), "error: cannot write out/a.html\n  caused by: disk full");

        let mut list = Diagnostics::default();
        list.push(Diagnostic::new("b.md", "no title").at(2, 1).with_hint("add `title:`"));
        list.push(Diagnostic::warning("a.md", "unknown key"));
        let wrapped = list.into_result().context("the build failed").unwrap_err();
        assert_eq!(
            error_report(&wrapped),
            "error: the build failed\n\
             warning: a.md: unknown key\n\
             error: b.md:2:1: no title\n  hint: add `title:`\n\
             1 error, 1 warning"
        );
    }

    #[test]
    fn all_ok_gives_every_value_or_every_failure() {
        assert_eq!(all_ok([Ok::<_, Diagnostic>(1), Ok(2)]).unwrap(), vec![1, 2]);
        let results = [Err(Diagnostic::new("b.md", "x")), Ok(1), Err(Diagnostic::new("a.md", "y"))];
        let err = all_ok(results).unwrap_err();
        let list = err.downcast_ref::<Diagnostics>().unwrap();
        let paths: Vec<_> = list.0.iter().map(|d| d.path.to_str().unwrap()).collect();
        assert_eq!(paths, ["a.md", "b.md"]);
    }
}
