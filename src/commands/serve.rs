//! `jevons serve`: the web server, the metrics listener, the job scheduler and the digest
//! worker, supervised together. A task that fails stops the whole process (with an error, so a
//! supervisor restarts it); SIGTERM or SIGINT stops it gracefully: no new requests or jobs,
//! in-flight requests and a running job get `server.shutdown_timeout_s` to finish (a job that
//! does not is recorded `interrupted` and its lock released), the outbox worker stops between
//! two messages, and the caller then stops the embedded cluster.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jevons_core::Settings;
use jevons_jobs::JobContext;
use jevons_store::PgPool;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::commands::summarize;
use crate::{startup, telemetry};

/// A supervised task: one that runs until shutdown, or one that does its work and ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lifetime {
    UntilShutdown,
    OneShot,
}

struct Supervisor {
    tasks: JoinSet<(&'static str, Lifetime, anyhow::Result<()>)>,
}

impl Supervisor {
    fn spawn(
        &mut self,
        name: &'static str,
        lifetime: Lifetime,
        task: impl Future<Output = anyhow::Result<()>> + Send + 'static,
    ) {
        self.tasks
            .spawn(async move { (name, lifetime, task.await) });
    }

    /// Waits until a task that should run until shutdown ends, or one fails.
    async fn first_failure(&mut self) -> anyhow::Result<()> {
        while let Some(joined) = self.tasks.join_next().await {
            match joined {
                Ok((_, Lifetime::OneShot, Ok(()))) => {}
                Ok((name, _, Err(e))) => return Err(e.context(format!("{name} failed"))),
                Ok((name, Lifetime::UntilShutdown, Ok(()))) => {
                    anyhow::bail!("{name} stopped unexpectedly")
                }
                Err(e) => anyhow::bail!("a background task panicked: {e}"),
            }
        }
        Ok(())
    }

    /// Lets the tasks finish within `grace`, logging failures; then aborts what is left.
    async fn drain(mut self, grace: Duration) {
        let finished = tokio::time::timeout(grace, async {
            while let Some(joined) = self.tasks.join_next().await {
                match joined {
                    Ok((name, _, Err(e))) => {
                        tracing::warn!(task = name, error = %e, "stopped with an error")
                    }
                    Ok((name, _, Ok(()))) => tracing::debug!(task = name, "stopped"),
                    Err(e) => tracing::warn!(error = %e, "a background task panicked"),
                }
            }
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                left = self.tasks.len(),
                "tasks still running after the grace period; aborted"
            );
            self.tasks.shutdown().await;
        }
    }
}

pub async fn run(settings: &Arc<Settings>, pool: &PgPool) -> anyhow::Result<()> {
    startup::prepare_data(settings, pool).await?;
    let shutdown = CancellationToken::new();
    let grace = Duration::from_secs(settings.server.shutdown_timeout_s);
    let mut supervisor = Supervisor {
        tasks: JoinSet::new(),
    };

    let metrics_stop = if settings.metrics.enabled {
        let handle = telemetry::install_metrics()?;
        let (server, addr) =
            telemetry::metrics_server(settings.metrics.listen, handle, pool.clone())
                .with_context(|| format!("metrics cannot listen on {}", settings.metrics.listen))?;
        tracing::info!("metrics on http://{addr}/metrics");
        let stop = server.handle();
        supervisor.spawn("metrics listener", Lifetime::UntilShutdown, async move {
            Ok(server.await?)
        });
        Some(stop)
    } else {
        None
    };

    supervisor.spawn(
        "model fetch",
        Lifetime::OneShot,
        summarize::auto_fetch(settings.clone()).map_ok(),
    );

    let mut jobs = None;
    if settings.jobs.enabled {
        let mut ctx = JobContext::new(pool.clone(), settings.clone())?;
        ctx.shutdown = shutdown.clone();
        if settings.jobs.catch_up_on_start {
            let ctx = ctx.clone();
            supervisor.spawn("catch-up", Lifetime::OneShot, async move {
                if let Err(e) = jevons_jobs::catch_up(&ctx).await {
                    tracing::error!(error = %e, "catch-up failed");
                }
                Ok(())
            });
        }
        // Retries and confirmations that could not go out at once.
        let digests = jevons_digest::Digests::new(pool.clone(), settings.clone())
            .await?
            .with_shutdown(shutdown.clone());
        supervisor.spawn(
            "digest worker",
            Lifetime::UntilShutdown,
            digests.run_worker().map_ok(),
        );
        let scheduler = jevons_jobs::start_scheduler(ctx.clone()).await?;
        jobs = Some((ctx, scheduler));
    }

    let app = jevons_web::Application::build(settings, pool.clone())
        .await
        .with_context(|| format!("cannot listen on {}", settings.server.listen))?;
    tracing::info!(
        "serving on http://{}:{}",
        settings.server.listen.ip(),
        app.port()
    );
    let web_stop = app.stop_handle();
    supervisor.spawn("web server", Lifetime::UntilShutdown, async move {
        Ok(app.run_until_stopped().await?)
    });

    let outcome = tokio::select! {
        signal = stop_signal() => {
            tracing::info!(signal = signal?, "stopping gracefully");
            Ok(())
        }
        failure = supervisor.first_failure() => failure,
    };
    if let Err(e) = &outcome {
        tracing::error!(error = %e, "stopping");
    }

    shutdown.cancel();
    // No new requests; those in flight get `grace` (actix's shutdown timeout).
    web_stop.stop(true).await;
    if let Some((ctx, mut scheduler)) = jobs {
        scheduler.shutdown().await.ok();
        // A running job finishes, or is interrupted after `grace` and records it.
        ctx.running.close();
        if tokio::time::timeout(grace + Duration::from_secs(5), ctx.running.wait())
            .await
            .is_err()
        {
            tracing::warn!("a job did not record its end in time");
        }
    }
    if let Some(stop) = metrics_stop {
        stop.stop(true).await;
    }
    supervisor.drain(grace).await;
    tracing::info!("stopped");
    outcome
}

/// SIGTERM (what container runtimes and systemd send) or SIGINT (Ctrl-C); its name.
async fn stop_signal() -> anyhow::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
        Ok(tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        })
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("cannot watch Ctrl-C")?;
        Ok("Ctrl-C")
    }
}

/// `fut` as a task that cannot fail.
trait MapOk: Future<Output = ()> + Sized {
    fn map_ok(self) -> impl Future<Output = anyhow::Result<()>> {
        async move {
            self.await;
            Ok(())
        }
    }
}

impl<F: Future<Output = ()>> MapOk for F {}
