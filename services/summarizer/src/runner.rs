//! The model's own OS threads: the first loads the model, then `workers` threads (each inside
//! its own rayon pool, so candle's parallel kernels use the configured threads) serve requests
//! from one channel, one generation at a time each. Callers await a oneshot reply, so inference
//! never blocks the async runtime; the weights exist once however many workers and tasks there
//! are (each worker has its own KV cache).

use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::oneshot;

use crate::model::{Generation, LocalModel, ModelInfo};
use crate::threads::{ThreadPlan, quantized_pool_threads};
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
    workers: usize,
}

type Queue = Arc<Mutex<mpsc::Receiver<Job>>>;

/// Starts the workers and waits (without blocking) until the model is loaded or failed. The
/// threads end when the last handle is dropped.
pub(crate) async fn spawn(settings: SummarizerSettings) -> Result<ModelHandle, SummarizerError> {
    let cpu = crate::model::select_device(&settings.device)?.is_cpu();
    let plan = ThreadPlan::new(&settings, cpu);
    if cpu {
        let quantized = quantized_pool_threads();
        if quantized != plan.quantized_threads() {
            tracing::warn!(
                workers = plan.workers,
                threads_per_worker = plan.per_worker,
                candle_num_threads = quantized,
                wanted = plan.quantized_threads(),
                "candle's quantized kernels use a process-wide pool sized from CANDLE_NUM_THREADS \
                 at first use; set it before the model loads (jevons does at start)"
            );
        }
    }
    let (tx, rx) = mpsc::channel::<Job>();
    let queue: Queue = Arc::new(Mutex::new(rx));
    let (ready_tx, ready_rx) = oneshot::channel();
    let first = pool(plan.per_worker)?;
    std::thread::Builder::new()
        .name("jevons-model-0".into())
        .spawn(move || {
            first.install(move || {
                let model = match LocalModel::load(&settings) {
                    Ok(m) => m,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let mut info = model.info().clone();
                if info.device.starts_with("cpu") {
                    info.device = format!(
                        "cpu ({} × {} thread{})",
                        plan.workers,
                        plan.per_worker,
                        if plan.per_worker == 1 { "" } else { "s" }
                    );
                }
                for i in 1..plan.workers {
                    if let Err(e) = start_worker(i, &model, &settings, plan, queue.clone()) {
                        tracing::warn!(error = %e, worker = i, "model worker not started");
                    }
                }
                let _ = ready_tx.send(Ok(info));
                serve(model, &queue);
            })
        })
        .map_err(|e| SummarizerError::Settings(format!("cannot start the model thread: {e}")))?;
    let info = ready_rx.await.map_err(|_| SummarizerError::ThreadGone)??;
    Ok(ModelHandle {
        tx,
        info: Arc::new(info),
        workers: plan.workers,
    })
}

fn pool(threads: usize) -> Result<rayon::ThreadPool, SummarizerError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("jevons-model-pool-{i}"))
        .build()
        .map_err(|e| SummarizerError::Settings(format!("cannot start a model thread pool: {e}")))
}

/// One more worker: shares the loaded weights when the architecture allows, else loads its own.
fn start_worker(
    i: usize,
    model: &LocalModel,
    settings: &SummarizerSettings,
    plan: ThreadPlan,
    queue: Queue,
) -> Result<(), SummarizerError> {
    let pool = pool(plan.per_worker)?;
    let shared = model.fork();
    let settings = settings.clone();
    std::thread::Builder::new()
        .name(format!("jevons-model-{i}"))
        .spawn(move || {
            pool.install(move || {
                let model = match shared {
                    Some(m) => m,
                    None => match LocalModel::load(&settings) {
                        Ok(m) => m,
                        Err(e) => {
                            tracing::warn!(error = %e, worker = i, "model worker failed to load");
                            return;
                        }
                    },
                };
                serve(model, &queue);
            })
        })
        .map_err(|e| SummarizerError::Settings(format!("cannot start a model thread: {e}")))?;
    Ok(())
}

/// Takes jobs until every sender is gone.
fn serve(mut model: LocalModel, queue: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // One worker waits on the channel, the others on the lock; a job goes to whichever
        // worker is free first.
        let job = match queue.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => break,
        };
        let Ok(job) = job else { break };
        let result = model.summarize(&job.title, &job.article);
        if let Err(e) = &result {
            tracing::warn!(error = %e, "generation failed");
        }
        // The caller may have gone away (timeout, shutdown): nothing to do then.
        let _ = job.reply.send(result);
    }
    tracing::debug!("model worker stopped");
}

impl ModelHandle {
    pub(crate) fn info(&self) -> &ModelInfo {
        &self.info
    }

    pub(crate) fn workers(&self) -> usize {
        self.workers
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
