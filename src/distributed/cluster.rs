//! A Ballista cluster that knows wiretrace's functions: the scheduler, the executors, and
//! the client session.
//!
//! A Ballista plan names each scalar function and carries its literal arguments; the
//! scheduler decodes plans with its session's function registry and the executors run
//! them with theirs. Stock `ballista-scheduler` and `ballista-executor` binaries know only
//! DataFusion's built-ins, so `wiretrace cluster scheduler` and `wiretrace cluster
//! executor` start the same processes with [`super::udf::all`] registered. Everything else
//! — ports, heartbeats, task retries, shuffle files — is Ballista's own.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::execution::FunctionRegistry;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use super::{EngineError, udf};
use crate::error::{Error, Result};

/// Tries of each stage query on a cluster (waits of 2, 4, 8, 16 and 32 s between them:
/// about a minute for the scheduler to notice a lost executor and run its tasks elsewhere).
pub const CLIENT_ATTEMPTS: u32 = 6;

/// A client session on the scheduler at `url` (`df://HOST:PORT`).
pub(super) async fn remote_session(
    url: &str,
    partitions: usize,
) -> std::result::Result<SessionContext, EngineError> {
    let config = SessionConfig::new_with_ballista()
        .with_target_partitions(partitions)
        .with_extension(Arc::new(super::stages::Attempts(CLIENT_ATTEMPTS)));
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    // The session connects lazily; try the address first, so that a wrong or dead
    // scheduler is one clear error rather than a stage failing after its retries.
    let unreachable = |detail: String| {
        EngineError::new(
            "connect",
            format!("cannot reach the Ballista scheduler at {url}: {detail}"),
        )
    };
    let address = url
        .strip_prefix("df://")
        .ok_or_else(|| unreachable("the address must look like df://HOST:PORT".into()))?;
    match tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tokio::net::TcpStream::connect(address),
    )
    .await
    {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(unreachable(e.to_string())),
        Err(_) => return Err(unreachable("no answer within 10 s".into())),
    }
    SessionContext::remote_with_state(url, state)
        .await
        .map_err(|e| {
            EngineError::new(
                "connect",
                format!("cannot reach the Ballista scheduler at {url}: {e}"),
            )
        })
}

/// Settings of `wiretrace cluster scheduler`.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Host name executors and clients use to reach this scheduler.
    pub external_host: String,
    /// Seconds without a heartbeat after which an executor is taken as lost and its tasks
    /// are run elsewhere.
    pub executor_timeout_seconds: u64,
}

/// Settings of `wiretrace cluster executor`.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// Host to listen on.
    pub bind_host: String,
    /// Host name the scheduler and other executors use to reach this one.
    pub external_host: String,
    /// Arrow Flight port (shuffle data).
    pub port: u16,
    /// gRPC port (tasks from the scheduler).
    pub grpc_port: u16,
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// Folder for shuffle files.
    pub work_dir: PathBuf,
    /// Tasks run at once.
    pub concurrent_tasks: usize,
    /// Seconds between heartbeats to the scheduler.
    pub heartbeat_seconds: u64,
}

/// Ballista's log on stderr: warnings and errors unless `RUST_LOG` says otherwise (e.g.
/// `RUST_LOG=info` for every job and task).
fn init_log() {
    // A second initialisation (a test running both roles in one process) is harmless.
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
}

fn cluster_err(stage: &str, e: impl std::fmt::Display) -> Error {
    Error::Engine {
        engine: "ballista",
        stage: stage.into(),
        detail: e.to_string(),
    }
}

/// Runs a scheduler until the process is stopped; `ready` hears (once it listens) where.
/// The library prints nothing: the CLI passes a `ready` that writes to stderr.
pub fn run_scheduler(options: &SchedulerOptions, ready: &(dyn Fn(&str) + Sync)) -> Result<()> {
    init_log();
    let mut config = SchedulerConfig {
        bind_host: options.bind.ip().to_string(),
        bind_port: options.bind.port(),
        external_host: options.external_host.clone(),
        executor_timeout_seconds: options.executor_timeout_seconds,
        expire_dead_executor_interval_seconds: (options.executor_timeout_seconds / 2).clamp(1, 15),
        no_executors_grace_period_seconds: options.executor_timeout_seconds,
        ..SchedulerConfig::default()
    };
    config = config.with_override_session_builder(Arc::new(|session_config| {
        let mut state = ballista_core::utils::default_session_builder(session_config)?;
        for f in udf::all() {
            state.register_udf(f)?;
        }
        Ok(state)
    }));
    let bind = options.bind;
    super::runtime("ballista")?.block_on(async move {
        let cluster = BallistaCluster::new_from_config(&config)
            .await
            .map_err(|e| cluster_err("scheduler", e))?;
        ready(&format!("Ballista scheduler listening on {bind}"));
        start_server(cluster, bind, Arc::new(config))
            .await
            .map_err(|e| cluster_err("scheduler", e))
    })
}

/// Runs an executor until the process is stopped; `ready` hears its ports and scheduler
/// as it starts.
pub fn run_executor(options: &ExecutorOptions, ready: &(dyn Fn(&str) + Sync)) -> Result<()> {
    init_log();
    std::fs::create_dir_all(&options.work_dir).map_err(|source| Error::Output {
        path: options.work_dir.clone(),
        source,
    })?;
    let mut registry = BallistaFunctionRegistry::default();
    // Ballista's default registry lacks the nested (array) functions that the stage
    // queries use, such as `cardinality`.
    for f in datafusion::functions_nested::all_default_nested_functions()
        .into_iter()
        .chain(udf::all())
    {
        registry.scalar_functions.insert(f.name().to_string(), f);
    }
    let config = ExecutorProcessConfig {
        bind_host: options.bind_host.clone(),
        external_host: Some(options.external_host.clone()),
        port: options.port,
        grpc_port: options.grpc_port,
        scheduler_host: options.scheduler_host.clone(),
        scheduler_port: options.scheduler_port,
        vcores: options.concurrent_tasks.max(1),
        work_dir: Some(options.work_dir.display().to_string()),
        executor_heartbeat_interval_seconds: options.heartbeat_seconds.max(1),
        override_function_registry: Some(Arc::new(registry)),
        ..ExecutorProcessConfig::default()
    };
    let port = options.port;
    super::runtime("ballista")?.block_on(async move {
        ready(&format!(
            "Ballista executor on port {port} (gRPC {}), scheduler {}:{}",
            config.grpc_port, config.scheduler_host, config.scheduler_port
        ));
        start_executor_process(Arc::new(config))
            .await
            .map_err(|e| cluster_err("executor", e))
    })
}
