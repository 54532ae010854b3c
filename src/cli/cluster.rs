//! `wiretrace cluster scheduler | executor`: a Ballista cluster that knows wiretrace's
//! functions, for `dups --engine ballista`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use wiretrace::Error;

use super::Status;

#[derive(Subcommand)]
pub enum ClusterCommand {
    /// Start a scheduler; runs until stopped.
    Scheduler(SchedulerArgs),
    /// Start an executor that registers with a scheduler; runs until stopped.
    Executor(ExecutorArgs),
}

#[derive(Args)]
pub struct SchedulerArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:50050", value_name = "HOST:PORT")]
    bind: std::net::SocketAddr,
    /// Host name executors and clients use to reach the scheduler.
    #[arg(long, default_value = "localhost", value_name = "HOST")]
    external_host: String,
    /// Seconds without a heartbeat after which an executor is taken as lost and its tasks
    /// are rerun elsewhere.
    #[arg(long, default_value_t = 180, value_name = "SECONDS")]
    executor_timeout: u64,
}

#[derive(Args)]
pub struct ExecutorArgs {
    /// The scheduler, HOST:PORT.
    #[arg(long, default_value = "localhost:50050", value_name = "HOST:PORT")]
    scheduler: String,
    /// Host to listen on.
    #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
    bind_host: String,
    /// Host name others use to reach this executor.
    #[arg(long, default_value = "localhost", value_name = "HOST")]
    external_host: String,
    /// Arrow Flight port, for shuffle data.
    #[arg(long, default_value_t = 50051)]
    port: u16,
    /// gRPC port, for tasks from the scheduler.
    #[arg(long, default_value_t = 50052)]
    grpc_port: u16,
    /// Folder for shuffle files.
    #[arg(long, value_name = "DIR")]
    work_dir: PathBuf,
    /// Tasks run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    concurrent_tasks: Option<usize>,
    /// Seconds between heartbeats to the scheduler.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    heartbeat: u64,
}

pub fn run(command: ClusterCommand) -> Result<Status, Error> {
    use wiretrace::distributed::cluster;
    let ready = |message: &str| eprintln!("wiretrace: {message}");
    let result = match command {
        ClusterCommand::Scheduler(a) => cluster::run_scheduler(
            &cluster::SchedulerOptions {
                bind: a.bind,
                external_host: a.external_host,
                executor_timeout_seconds: a.executor_timeout,
            },
            &ready,
        ),
        ClusterCommand::Executor(a) => {
            let Some((host, port)) = a
                .scheduler
                .trim_start_matches("df://")
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
            else {
                return Err(Error::Config(format!(
                    "--scheduler '{}' is not HOST:PORT",
                    a.scheduler
                )));
            };
            cluster::run_executor(
                &cluster::ExecutorOptions {
                    bind_host: a.bind_host,
                    external_host: a.external_host,
                    port: a.port,
                    grpc_port: a.grpc_port,
                    scheduler_host: host,
                    scheduler_port: port,
                    work_dir: a.work_dir,
                    concurrent_tasks: a.concurrent_tasks.unwrap_or_else(|| {
                        std::thread::available_parallelism().map_or(2, |n| n.get())
                    }),
                    heartbeat_seconds: a.heartbeat,
                },
                &ready,
            )
        }
    };
    result.map(|()| Status::Done)
}
