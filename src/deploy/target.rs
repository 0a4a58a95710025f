//! What a `[[deploy]]` entry of site.toml says, parsed and checked where it is read so that a bad
//! entry is reported with its line and column: the `s3://bucket/prefix?endpoint=…&region=…` URL,
//! the Cache-Control patterns, and the refusal of credentials (they belong in the environment).

use std::fmt;

use serde::{Deserialize, Deserializer};

/// One `[[deploy]]` entry: a named place `yilu deploy` publishes the output to.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeployEntry {
    pub(crate) name: String,
    /// `s3://bucket/prefix?endpoint=https://…&region=…&style=path|virtual`
    pub(crate) url: S3Url,
    /// `[[deploy.headers]]`: Cache-Control by pattern, first match wins, before the defaults.
    #[serde(default)]
    pub(crate) headers: Vec<HeaderRule>,
}

/// One `[[deploy.headers]]` rule.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct HeaderRule {
    /// `*.html` (a file name anywhere) or `search/*.js` (a path from the output root).
    pub(crate) pattern: PathPattern,
    pub(crate) cache_control: String,
}

/// The environment variables `yilu deploy` reads credentials from.
pub(crate) const CREDENTIAL_VARIABLES: &str = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

/// Where a target publishes: a bucket, a key prefix inside it, and the S3-compatible endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct S3Url {
    pub(crate) bucket: String,
    /// Key prefix without leading or trailing `/`; empty for the bucket's root.
    pub(crate) prefix: String,
    /// `https://oss-cn-hangzhou.aliyuncs.com`; None for AWS itself.
    pub(crate) endpoint: Option<String>,
    pub(crate) region: Option<String>,
    /// Virtual-hosted style (`https://bucket.endpoint/key`) rather than path style
    /// (`https://endpoint/bucket/key`). Default: virtual for AWS, path for a custom endpoint.
    pub(crate) virtual_hosted: bool,
}

impl S3Url {
    /// Parses `s3://bucket[/prefix][?endpoint=URL&region=NAME&style=path|virtual]`.
    pub(crate) fn parse(url: &str) -> Result<S3Url, String> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            format!("deploy url {url:?} must start with s3:// (s3://bucket/prefix?endpoint=https://…&region=…)")
        })?;
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        if bucket.contains('@') || bucket.contains(':') {
            return Err(format!(
                "deploy url {url:?} holds credentials or a port: put only the bucket after s3://; \
                 credentials go in {CREDENTIAL_VARIABLES}, the endpoint in ?endpoint="
            ));
        }
        check_bucket(bucket)
            .map_err(|why| format!("deploy url {url:?}: bucket {bucket:?} {why}"))?;
        let prefix = prefix.trim_matches('/');
        let bad_segment = |seg: &str| seg.is_empty() || seg == "." || seg == "..";
        if prefix.chars().any(char::is_control)
            || (!prefix.is_empty() && prefix.split('/').any(bad_segment))
        {
            return Err(format!(
                "deploy url {url:?}: prefix {prefix:?} has an empty, `.` or `..` segment or a control character"
            ));
        }
        let mut parsed = S3Url {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
            endpoint: None,
            region: None,
            virtual_hosted: false,
        };
        let mut style = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value =
                percent_encoding::percent_decode_str(value).decode_utf8_lossy().into_owned();
            match key {
                "endpoint" => {
                    let host = value
                        .strip_prefix("https://")
                        .or_else(|| value.strip_prefix("http://"))
                        .unwrap_or("");
                    if host.is_empty() || host.contains('@') {
                        return Err(format!(
                            "deploy url {url:?}: endpoint {value:?} must be http(s)://host[:port], without credentials"
                        ));
                    }
                    parsed.endpoint = Some(value.trim_end_matches('/').to_string());
                }
                "region" if !value.is_empty() => parsed.region = Some(value),
                "style" if value == "path" || value == "virtual" => {
                    style = Some(value == "virtual")
                }
                "style" => {
                    return Err(format!(
                        "deploy url {url:?}: style must be `path` or `virtual`, not {value:?}"
                    ));
                }
                "region" => return Err(format!("deploy url {url:?}: region is empty")),
                _ if looks_like_credential(key) => {
                    return Err(format!(
                        "deploy url {url:?}: `{key}` looks like a credential; {CREDENTIALS_NOT_HERE}"
                    ));
                }
                _ => {
                    return Err(format!(
                        "deploy url {url:?}: unknown parameter `{key}` (known: endpoint, region, style)"
                    ));
                }
            }
        }
        parsed.virtual_hosted = style.unwrap_or(parsed.endpoint.is_none());
        Ok(parsed)
    }

    /// The key of an output file: `prefix/rel`.
    pub(crate) fn key(&self, rel: &str) -> String {
        if self.prefix.is_empty() { rel.to_string() } else { format!("{}/{rel}", self.prefix) }
    }
}

impl fmt::Display for S3Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

impl<'de> Deserialize<'de> for S3Url {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<S3Url, D::Error> {
        let text = String::deserialize(d)?;
        S3Url::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// S3 bucket names: 3–63 lowercase letters, digits, `-` and `.`, starting and ending with a
/// letter or digit.
fn check_bucket(bucket: &str) -> Result<(), &'static str> {
    if bucket.is_empty() {
        return Err("is missing (s3://BUCKET/prefix)");
    }
    if !(3..=63).contains(&bucket.len()) {
        return Err("must be 3 to 63 characters long");
    }
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !bucket.chars().all(ok_char)
        || !ends_ok(bucket.chars().next())
        || !ends_ok(bucket.chars().last())
    {
        return Err(
            "must be lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit",
        );
    }
    Ok(())
}

/// Whether a key of site.toml or of a deploy url names a credential.
pub(crate) fn looks_like_credential(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["access_key", "accesskey", "secret", "token", "password", "credential"]
        .iter()
        .any(|w| key.contains(w))
}

/// Why credentials are refused in site.toml, and where they go instead.
pub(crate) const CREDENTIALS_NOT_HERE: &str = "credentials do not belong in site.toml (it is usually \
    committed); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for \
    temporary credentials) in the environment instead";

/// A glob over output paths (`*.html`, `search/*.js`, `css/**`): without a `/` it matches a file
/// name in any folder, with one the whole path from the output root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathPattern {
    text: String,
    pattern: glob::Pattern,
}

impl PathPattern {
    pub(crate) fn new(text: &str) -> Result<PathPattern, String> {
        let pattern = glob::Pattern::new(text)
            .map_err(|e| format!("pattern {text:?} is not a valid glob: {}", e.msg))?;
        Ok(PathPattern { text: text.to_string(), pattern })
    }

    /// Whether `rel` (a `/`-separated path under the output root) matches.
    pub(crate) fn matches(&self, rel: &str) -> bool {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        if self.text.contains('/') {
            self.pattern.matches_with(rel, options)
        } else {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            self.pattern.matches_with(name, options)
        }
    }
}

impl<'de> Deserialize<'de> for PathPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PathPattern, D::Error> {
        let text = String::deserialize(d)?;
        PathPattern::new(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse() {
        // url, bucket, prefix, endpoint, region, virtual-hosted
        type Row<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>, bool);
        let table: &[Row] = &[
            ("s3://site", "site", "", None, None, true),
            ("s3://site/", "site", "", None, None, true),
            ("s3://site/a/b/", "site", "a/b", None, None, true),
            ("s3://site/议录", "site", "议录", None, None, true),
            (
                "s3://site/archive?endpoint=http://127.0.0.1:9000/&region=us-east-1",
                "site",
                "archive",
                Some("http://127.0.0.1:9000"),
                Some("us-east-1"),
                false,
            ),
            (
                "s3://my.site?endpoint=https%3A%2F%2Foss-cn-hangzhou.aliyuncs.com&style=virtual",
                "my.site",
                "",
                Some("https://oss-cn-hangzhou.aliyuncs.com"),
                None,
                true,
            ),
            ("s3://abc?style=path", "abc", "", None, None, false),
        ];
        for &(url, bucket, prefix, endpoint, region, virtual_hosted) in table {
            let u = S3Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(u.bucket, bucket, "{url}");
            assert_eq!(u.prefix, prefix, "{url}");
            assert_eq!(u.endpoint.as_deref(), endpoint, "{url}");
            assert_eq!(u.region.as_deref(), region, "{url}");
            assert_eq!(u.virtual_hosted, virtual_hosted, "{url}");
        }
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        let table = [
            ("https://site/x", "must start with s3://"),
            ("s3://", "is missing"),
            ("s3://ab", "3 to 63"),
            ("s3://My_Site", "lowercase letters"),
            ("s3://KEY:SECRET@site", "credentials"),
            ("s3://site/a//b", "empty, `.` or `..` segment"),
            ("s3://site/../b", "empty, `.` or `..` segment"),
            ("s3://site/a\tb", "control character"),
            ("s3://site?endpoint=oss.example.com", "must be http(s)://host"),
            ("s3://site?endpoint=https://", "must be http(s)://host"),
            ("s3://site?regoin=x", "unknown parameter `regoin`"),
            ("s3://site?style=vhost", "style must be"),
            ("s3://site?region=", "region is empty"),
            ("s3://site?access_key=AKIA", "looks like a credential"),
            ("s3://site?secret=x", "looks like a credential"),
            ("s3://site?AccessKeyId=x", "looks like a credential"),
        ];
        for (url, want) in table {
            let err = S3Url::parse(url).unwrap_err();
            assert!(err.contains(want), "{url}: {err}");
        }
    }

    #[test]
    fn keys_join_the_prefix() {
        assert_eq!(S3Url::parse("s3://site").unwrap().key("index.html"), "index.html");
        assert_eq!(S3Url::parse("s3://site/a/b").unwrap().key("x/index.html"), "a/b/x/index.html");
    }

    #[test]
    fn patterns_match_names_or_paths() {
        let table = [
            ("*.html", "index.html", true),
            ("*.html", "meetings/2024/index.html", true),
            ("*.html", "css/yilu.css", false),
            ("search/*.js", "search/idx-00.js", true),
            ("search/*.js", "js/search.js", false),
            ("search/*.js", "search/a/b.js", false),
            ("css/**", "css/a/b.css", true),
            ("**/*.xml", "atom.xml", true),
            ("data/*", "data/metrics.csv", true),
        ];
        for (pattern, path, want) in table {
            assert_eq!(PathPattern::new(pattern).unwrap().matches(path), want, "{pattern} {path}");
        }
        assert!(PathPattern::new("[").unwrap_err().contains("not a valid glob"));
    }
}
