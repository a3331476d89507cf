//! The model's own OS thread: it loads the model, then serves requests from a channel one at a
//! time. Callers await a oneshot reply, so inference never blocks the async runtime, and the
//! weights (and KV cache) exist once however many tasks summarise.

use std::sync::{Arc, mpsc};

use tokio::sync::oneshot;

use crate::model::{Generation, LocalModel, ModelInfo};
use crate::{SummarizerError, SummarizerSettings};

struct Job {
    title: String,
    article: String,
    reply: oneshot::Sender<Result<Generation, SummarizerError>>,
}

#[derive(Clone)]
pub(crate) struct ModelHandle {
    tx: mpsc::Sender<Job>,
    info: Arc<ModelInfo>,
}

/// Starts the thread and waits (without blocking) until the model is loaded or failed. The
/// thread ends when the last handle is dropped.
pub(crate) async fn spawn(settings: SummarizerSettings) -> Result<ModelHandle, SummarizerError> {
    let (tx, rx) = mpsc::channel::<Job>();
    let (ready_tx, ready_rx) = oneshot::channel();
    std::thread::Builder::new()
        .name("jevons-model".into())
        .spawn(move || {
            let mut model = match LocalModel::load(&settings) {
                Ok(m) => {
                    let _ = ready_tx.send(Ok(m.info().clone()));
                    m
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            while let Ok(job) = rx.recv() {
                let result = model.summarize(&job.title, &job.article);
                if let Err(e) = &result {
                    tracing::warn!(error = %e, "generation failed");
                }
                // The caller may have gone away (timeout, shutdown): nothing to do then.
                let _ = job.reply.send(result);
            }
            tracing::debug!("model thread stopped");
        })
        .map_err(|e| SummarizerError::Settings(format!("cannot start the model thread: {e}")))?;
    let info = ready_rx.await.map_err(|_| SummarizerError::ThreadGone)??;
    Ok(ModelHandle {
        tx,
        info: Arc::new(info),
    })
}

impl ModelHandle {
    pub(crate) fn info(&self) -> &ModelInfo {
        &self.info
    }

    pub(crate) async fn generate(
        &self,
        title: String,
        article: String,
    ) -> Result<Generation, SummarizerError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job {
                title,
                article,
                reply,
            })
            .map_err(|_| SummarizerError::ThreadGone)?;
        rx.await.map_err(|_| SummarizerError::ThreadGone)?
    }
}
