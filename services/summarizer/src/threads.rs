//! How many model workers run, and with how many CPU threads each.
//!
//! candle 0.11 sizes its CPU parallelism in three places, none of which is a per-model setting:
//! * the quantized kernels (Q8_0/Q4_K… matmuls: every decoding step) run on one process-wide
//!   "barrier pool" sized once, at first use, from `CANDLE_NUM_THREADS` (else
//!   `RAYON_NUM_THREADS`, else the physical cores); concurrent callers take turns on its lock;
//! * dense matmuls (gemm: the F32 prompt path) split into `get_num_threads()` parts
//!   (`RAYON_NUM_THREADS`, else the physical cores) and run them on the *current* rayon pool;
//! * element-wise ops of candle-nn (softmax, RMSNorm) run on the current rayon pool.
//!
//! So each worker runs inside its own rayon pool of [`ThreadPlan::per_worker`] threads
//! (`pool.install`), and the process sets ([`pin`]) before candle first runs a quantized kernel:
//! `CANDLE_NUM_THREADS` to the per-worker threads with one worker, to 1 with several (each worker
//! then computes its quantized matmuls on its own thread instead of queueing for the shared pool),
//! and `RAYON_NUM_THREADS` to the per-worker threads (gemm's split; without it candle counts the
//! physical cores by parsing /proc/cpuinfo on every matmul, ~7 % of the decoding time here).

use crate::SummarizerSettings;

/// Workers and threads for one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ThreadPlan {
    /// Model threads, each generating one summary at a time.
    pub workers: usize,
    /// Threads of each worker's rayon pool.
    pub per_worker: usize,
}

impl ThreadPlan {
    /// `threads` and `workers` of the settings, with their defaults resolved (`cpu`: whether
    /// the model runs on the CPU; on a GPU, `workers = 0` means one).
    pub fn new(settings: &SummarizerSettings, cpu: bool) -> Self {
        let total = if settings.threads > 0 {
            settings.threads
        } else {
            candle_core::utils::get_num_threads()
        }
        .max(1);
        let workers = match settings.workers {
            0 if cpu => total,
            0 => 1,
            n => n,
        };
        Self {
            workers,
            per_worker: (total / workers).max(1),
        }
    }

    /// What `CANDLE_NUM_THREADS` (the quantized kernels' pool) should be for this plan.
    pub fn quantized_threads(&self) -> usize {
        if self.workers > 1 { 1 } else { self.per_worker }
    }
}

/// The size of candle's quantized-kernel pool in this process, as candle computes it.
pub fn quantized_pool_threads() -> usize {
    std::env::var("CANDLE_NUM_THREADS")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(candle_core::utils::get_num_threads)
}

/// Resolves `threads` and `workers` of `settings` (0 = default) to this machine's plan, and
/// returns the environment variables that apply it to candle — each unless already set — plus
/// `JEVONS__SUMMARIZER__THREADS`/`WORKERS`, so settings loaded later in the process resolve to
/// the same plan. The process must set them before any model runs, while it is still
/// single-threaded (setting the environment is `unsafe` in Rust 2024). Nothing on a GPU.
pub fn pin(settings: &mut SummarizerSettings) -> Vec<(&'static str, String)> {
    let device = settings.device.trim().to_ascii_lowercase();
    let cpu = device == "cpu" || (device == "auto" && !cfg!(feature = "cuda"));
    if !cpu {
        return Vec::new();
    }
    let plan = ThreadPlan::new(settings, true);
    settings.threads = plan.workers * plan.per_worker;
    settings.workers = plan.workers;
    let mut env = vec![
        ("JEVONS__SUMMARIZER__THREADS", settings.threads.to_string()),
        ("JEVONS__SUMMARIZER__WORKERS", settings.workers.to_string()),
    ];
    for (key, value) in [
        ("CANDLE_NUM_THREADS", plan.quantized_threads()),
        ("RAYON_NUM_THREADS", plan.per_worker),
    ] {
        if std::env::var_os(key).is_none() {
            env.push((key, value.to_string()));
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(threads: usize, workers: usize) -> SummarizerSettings {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
        let mut s = jevons_core::Settings::load_with(&root, Vec::<(String, String)>::new())
            .expect("default config")
            .summarizer;
        s.threads = threads;
        s.workers = workers;
        s
    }

    #[test]
    fn threads_are_split_between_workers() {
        let plan = |t, w, cpu| ThreadPlan::new(&settings(t, w), cpu);
        assert_eq!(
            plan(2, 0, true),
            ThreadPlan {
                workers: 2,
                per_worker: 1
            }
        );
        assert_eq!(
            plan(2, 1, true),
            ThreadPlan {
                workers: 1,
                per_worker: 2
            }
        );
        assert_eq!(
            plan(8, 2, true),
            ThreadPlan {
                workers: 2,
                per_worker: 4
            }
        );
        // More workers than threads: each still gets one.
        assert_eq!(plan(2, 3, true).per_worker, 1);
        assert_eq!(plan(4, 0, false).workers, 1, "one GPU worker by default");
        assert_eq!(plan(2, 2, true).quantized_threads(), 1);
        assert_eq!(plan(2, 1, true).quantized_threads(), 2);
    }

    #[test]
    fn pinning_resolves_the_defaults_for_the_whole_process() {
        let mut s = settings(2, 0);
        s.device = "cpu".into();
        let env = pin(&mut s);
        assert_eq!((s.threads, s.workers), (2, 2));
        let get = |k: &str| {
            env.iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("JEVONS__SUMMARIZER__THREADS"), Some("2"));
        assert_eq!(get("JEVONS__SUMMARIZER__WORKERS"), Some("2"));
        if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
            assert_eq!(get("CANDLE_NUM_THREADS"), Some("1"));
        }
        if std::env::var_os("RAYON_NUM_THREADS").is_none() {
            assert_eq!(get("RAYON_NUM_THREADS"), Some("1"));
        }
        let mut gpu = settings(2, 0);
        gpu.device = "cuda:0".into();
        assert!(pin(&mut gpu).is_empty());
    }
}
