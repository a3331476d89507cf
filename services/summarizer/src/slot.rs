//! The summariser of a long-running process, which picks up a model file that appears later.

use std::path::Path;
use std::time::SystemTime;

use crate::{Summarizer, SummarizerSettings};

/// The summariser a long-running process (the jobs of `jevons serve`) uses: loaded on first
/// use. While it is the extractive fallback because the model file was missing or would not
/// load, every use looks at the file again and loads the model once the file appears or
/// changes, so a model fetched in the background (`summarizer.auto_fetch`) or by `jevons model
/// fetch` takes effect without a restart. One given with [`SummarizerSlot::set`] stays.
pub struct SummarizerSlot {
    settings: SummarizerSettings,
    state: tokio::sync::Mutex<State>,
}

enum State {
    Empty,
    /// Given by the caller (tests): never replaced.
    Pinned(Summarizer),
    /// The local model.
    Loaded(Summarizer),
    /// Extractive because the model file was missing (`file: None`) or failed to load as it was.
    Fallback {
        summarizer: Summarizer,
        file: Option<FileStamp>,
    },
}

/// Enough of a file's metadata to tell that it was replaced or finished.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<FileStamp> {
    // Follows symlinks: a link to a model elsewhere (.ci/run's cache) is the model.
    let m = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    Some(FileStamp {
        len: m.len(),
        modified: m.modified().ok(),
    })
}

impl SummarizerSlot {
    pub fn new(settings: SummarizerSettings) -> Self {
        Self {
            settings,
            state: tokio::sync::Mutex::new(State::Empty),
        }
    }

    /// Uses `summarizer` from now on (no loading, no re-checks). Fails (giving it back) when
    /// the slot already holds one.
    pub fn set(&self, summarizer: Summarizer) -> Result<(), Summarizer> {
        let Ok(mut state) = self.state.try_lock() else {
            return Err(summarizer);
        };
        if !matches!(*state, State::Empty) {
            return Err(summarizer);
        }
        *state = State::Pinned(summarizer);
        Ok(())
    }

    /// The local model when its file is there and loads, else the extractive summariser.
    /// Callers at the same time wait for one load.
    pub async fn get(&self) -> Summarizer {
        let path = &self.settings.model_path;
        let mut state = self.state.lock().await;
        let retry = match &*state {
            State::Pinned(s) | State::Loaded(s) => return s.clone(),
            State::Fallback { summarizer, file } => {
                if stamp(path) == *file {
                    return summarizer.clone();
                }
                true
            }
            State::Empty => false,
        };
        let file = stamp(path);
        match Summarizer::load(&self.settings).await {
            Ok(s) => {
                if retry {
                    tracing::info!(model = %s.model_name(), path = %path.display(), "the model file is here now: summaries by the local model from this run on");
                } else {
                    tracing::info!(model = %s.model_name(), "summaries by the local model");
                }
                *state = State::Loaded(s.clone());
                s
            }
            Err(e) => {
                tracing::warn!(error = %e, "summaries are extractive until the model file appears or changes");
                let s = Summarizer::extractive();
                *state = State::Fallback {
                    summarizer: s.clone(),
                    file,
                };
                s
            }
        }
    }
}
