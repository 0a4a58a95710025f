//! The bucket, through `object_store`'s S3 client (request signing, retries with backoff on 5xx
//! and timeouts, paginated listing): list under the prefix, read an object's stored hash, put
//! with headers, delete. Errors are turned into messages that name the bucket and what to check.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Result, anyhow};
use futures_util::StreamExt as _;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, GetOptions, ObjectStore, PutOptions,
    PutPayload, RetryConfig,
};

use super::plan::{RemoteObject, Upload};
use super::target::{CREDENTIAL_VARIABLES, S3Url};

/// The user metadata key holding a file's MD5 (`x-amz-meta-yilu-md5`), for providers whose ETag
/// is not the MD5 of the bytes.
const MD5_METADATA: &str = "yilu-md5";

/// How long one request may take, and how often a failed one is tried again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Patience {
    pub(crate) timeout: Duration,
    pub(crate) retries: usize,
    /// Give up retrying a request this long after it first started.
    pub(crate) retry_for: Duration,
}

impl Default for Patience {
    fn default() -> Self {
        Patience {
            timeout: Duration::from_secs(60),
            retries: 5,
            retry_for: Duration::from_secs(60),
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The access key and secret from the environment, or an error naming the variables.
pub(crate) fn credentials(url: &S3Url) -> Result<(String, String)> {
    match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Ok((id, secret)),
        _ => Err(anyhow!(
            "no credentials for bucket `{}`: set {CREDENTIAL_VARIABLES} in the environment \
             (an access key allowed to list, put and delete objects in the bucket)",
            url.bucket
        )),
    }
}

/// The address the client is given: the endpoint for path style, the bucket's own host under
/// it for virtual-hosted style (`https://site.oss-cn-hangzhou.aliyuncs.com`); None for AWS.
fn endpoint(url: &S3Url) -> Option<String> {
    let endpoint = url.endpoint.as_ref()?;
    if !url.virtual_hosted {
        return Some(endpoint.clone());
    }
    let (scheme, host) = endpoint.split_once("://").expect("checked when parsed");
    Some(format!("{scheme}://{}.{host}", url.bucket))
}

pub(crate) struct Remote {
    store: AmazonS3,
    url: S3Url,
    /// `https://oss-cn-hangzhou.aliyuncs.com` or `AWS S3`, for messages.
    place: String,
}

impl Remote {
    /// A client for `url` with credentials from the environment.
    pub(crate) fn connect(url: &S3Url, patience: Patience) -> Result<Remote> {
        let (key_id, secret) = credentials(url)?;
        let region = url
            .region
            .clone()
            .or_else(|| var("AWS_REGION"))
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".into());
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&url.bucket)
            .with_region(region)
            .with_access_key_id(key_id)
            .with_secret_access_key(secret)
            .with_virtual_hosted_style_request(url.virtual_hosted)
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(patience.timeout)
                    .with_connect_timeout(Duration::from_secs(10))
                    .with_allow_http(
                        url.endpoint.as_deref().is_some_and(|e| e.starts_with("http://")),
                    ),
            )
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: patience.retries,
                retry_timeout: patience.retry_for,
            });
        if let Some(token) = var("AWS_SESSION_TOKEN") {
            builder = builder.with_token(token);
        }
        let place = match endpoint(url) {
            Some(endpoint) => {
                builder = builder.with_endpoint(&endpoint);
                endpoint
            }
            None => "AWS S3".into(),
        };
        let store =
            builder.build().map_err(|e| anyhow!("cannot set up a client for {url}: {e}"))?;
        Ok(Remote { store, url: url.clone(), place })
    }

    /// The object path of an output file, its key verbatim (`ObjectPath::from` would
    /// percent-encode non-ASCII names, and the site would link to keys that are not there).
    fn path(&self, rel: &str) -> Result<ObjectPath> {
        ObjectPath::parse(self.url.key(rel)).map_err(|e| {
            anyhow!("cannot publish `{rel}`: its name is not a valid object key ({e})")
        })
    }

    /// Every object under the prefix, by path relative to it.
    pub(crate) async fn list(&self) -> Result<BTreeMap<String, RemoteObject>> {
        let prefix = match self.url.prefix.as_str() {
            "" => None,
            prefix => Some(
                ObjectPath::parse(prefix)
                    .map_err(|e| anyhow!("bad prefix in {}: {e}", self.url))?,
            ),
        };
        let mut listing = self.store.list(prefix.as_ref());
        let mut objects = BTreeMap::new();
        while let Some(meta) = listing.next().await {
            let meta =
                meta.map_err(|e| self.explain("list", &format!("{}/", self.url.prefix), e))?;
            let key = meta.location.as_ref();
            let rel = if self.url.prefix.is_empty() {
                key
            } else {
                key.strip_prefix(self.url.prefix.as_str())
                    .and_then(|k| k.strip_prefix('/'))
                    .unwrap_or(key)
            };
            let etag = meta.e_tag.map(|t| t.trim_matches('"').to_ascii_lowercase());
            objects.insert(rel.to_string(), RemoteObject { size: meta.size, etag });
        }
        Ok(objects)
    }

    /// The MD5 yilu stored with an object when it uploaded it, if any.
    pub(crate) async fn stored_md5(&self, rel: &str) -> Result<Option<String>> {
        let options = GetOptions { head: true, ..GetOptions::default() };
        let result = self
            .store
            .get_opts(&self.path(rel)?, options)
            .await
            .map_err(|e| self.explain("read", &self.url.key(rel), e))?;
        Ok(result.attributes.get(&Attribute::Metadata(MD5_METADATA.into())).map(|v| v.to_string()))
    }

    /// Uploads one file with its Content-Type, Cache-Control and MD5.
    pub(crate) async fn put(&self, upload: &Upload) -> Result<()> {
        let bytes = std::fs::read(&upload.file.path)
            .map_err(|e| anyhow!("cannot read {}: {e}", upload.file.path.display()))?;
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, upload.content_type.clone().into());
        attributes.insert(Attribute::CacheControl, upload.cache_control.clone().into());
        attributes.insert(Attribute::Metadata(MD5_METADATA.into()), upload.file.md5.clone().into());
        let options = PutOptions { attributes, ..PutOptions::default() };
        self.store
            .put_opts(&self.path(&upload.file.rel)?, PutPayload::from(bytes), options)
            .await
            .map_err(|e| self.explain("upload", &upload.key, e))?;
        Ok(())
    }

    /// Deletes objects (in batches where the provider allows), calling `done` for each.
    pub(crate) async fn delete(&self, rels: &[String], done: &mut dyn FnMut(&str)) -> Result<()> {
        let paths: Vec<object_store::Result<ObjectPath>> = rels
            .iter()
            .map(|rel| self.path(rel))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .map(Ok)
            .collect();
        let mut deleted = self.store.delete_stream(futures_util::stream::iter(paths).boxed());
        while let Some(result) = deleted.next().await {
            let path = result.map_err(|e| self.explain("delete", &self.url.prefix, e))?;
            let key = path.as_ref();
            let rel = if self.url.prefix.is_empty() {
                key
            } else {
                key.strip_prefix(&format!("{}/", self.url.prefix)).unwrap_or(key)
            };
            done(rel);
        }
        Ok(())
    }

    /// A message that says which bucket, what was being done, and what to check.
    fn explain(&self, doing: &str, key: &str, e: object_store::Error) -> anyhow::Error {
        let bucket = &self.url.bucket;
        let place = &self.place;
        let failure = Failure::of(&e);
        let code = failure.code.as_deref().map(|c| format!(", {c}")).unwrap_or_default();
        let denied = matches!(
            e,
            object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }
        ) || matches!(failure.status, Some(401 | 403));
        if denied {
            return anyhow!(
                "access denied to bucket `{bucket}` at {place} ({} on {doing} `{key}`{code}): check \
                 {CREDENTIAL_VARIABLES} (and AWS_SESSION_TOKEN for temporary credentials), the \
                 region, and that the key may list, put and delete objects in the bucket",
                failure.status.unwrap_or(403)
            );
        }
        if doing == "list"
            && (failure.code.as_deref() == Some("NoSuchBucket") || failure.status == Some(404))
        {
            return anyhow!(
                "bucket `{bucket}` was not found at {place}: create it first, or check the url's \
                 bucket, endpoint and region"
            );
        }
        anyhow!("cannot {doing} `{key}` in bucket `{bucket}` at {place}: {}", failure.cause)
    }
}

/// What an `object_store` error chain says: the HTTP status and S3 error code when the server
/// answered, and the innermost cause (`Connection refused`, a timeout) for messages.
#[derive(Debug, PartialEq, Eq)]
struct Failure {
    status: Option<u16>,
    code: Option<String>,
    cause: String,
}

impl Failure {
    fn of(e: &(dyn std::error::Error + 'static)) -> Failure {
        let mut failure = Failure { status: None, code: None, cause: e.to_string() };
        let mut current = Some(e);
        while let Some(err) = current {
            let text = err.to_string();
            // object_store's status errors read "… status code: 403 Forbidden: <body>".
            if failure.status.is_none()
                && let Some((_, after)) = text.split_once("status code: ")
            {
                failure.status = after.get(..3).and_then(|s| s.parse().ok());
            }
            if failure.code.is_none()
                && let Some((_, after)) = text.split_once("<Code>")
            {
                failure.code = after.split_once("</Code>").map(|(code, _)| code.to_string());
            }
            // The innermost message without a body is the most telling.
            if !text.contains('<') {
                failure.cause = text;
            }
            current = err.source();
        }
        failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_addressing_style() {
        let table = [
            ("s3://site", None),
            ("s3://site?endpoint=http://127.0.0.1:9000", Some("http://127.0.0.1:9000")),
            (
                "s3://site/a?endpoint=https://oss-cn-hangzhou.aliyuncs.com&style=virtual",
                Some("https://site.oss-cn-hangzhou.aliyuncs.com"),
            ),
            (
                "s3://site?endpoint=https://acc.r2.cloudflarestorage.com&region=auto",
                Some("https://acc.r2.cloudflarestorage.com"),
            ),
        ];
        for (url, want) in table {
            assert_eq!(endpoint(&S3Url::parse(url).unwrap()).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn failures_are_read_from_the_error_chain() {
        let e = std::io::Error::other(
            "Server returned non-2xx status code: 403 Forbidden: <Error><Code>AccessDenied</Code></Error>",
        );
        let f = Failure::of(&e);
        assert_eq!(f.status, Some(403));
        assert_eq!(f.code.as_deref(), Some("AccessDenied"));
        let e = std::io::Error::other("Connection refused (os error 111)");
        assert_eq!(
            Failure::of(&e),
            Failure { status: None, code: None, cause: "Connection refused (os error 111)".into() }
        );
    }
}
