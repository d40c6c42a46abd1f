use anyhow::Context;
use clap::{Parser, Subcommand};
use tenantdesk::{app, config::Config, telemetry};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// tenantdesk: multi-tenant support-and-knowledge backend.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Run only the ingestion worker (jobs of every tenant) until SIGTERM.
    Worker,
    /// Apply pending migrations with MIGRATION_DATABASE_URL and exit.
    Migrate,
    /// Print the OpenAPI spec (JSON) to stdout.
    Openapi,
    /// Score the assistant on the labelled set in bench/eval against a running service: loads
    /// the articles into a fresh tenant, searches and asks every question, prints the figures.
    Eval {
        /// The service's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        /// The set: articles/*.md and questions.jsonl.
        #[arg(long, default_value = "bench/eval")]
        dataset: std::path::PathBuf,
        /// Also write the full report (every answer) as JSON here.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
        /// Settings for the tenant before the run, as JSON (e.g. an OpenAI-compatible provider:
        /// {"provider":"openai","base_url":…,"model":…,"api_key":…}); default: the built-in one.
        #[arg(long, default_value = r#"{"provider":"builtin"}"#)]
        settings: String,
    },
    /// Embed a tenant's knowledge base with this process's EMBEDDING_* model, beside the
    /// vectors of the model it had (see README, "Switching a knowledge base to another
    /// model"): every live document whose current version has no chunks of the model yet. Safe
    /// to stop and run again.
    Reembed {
        /// The tenant's id.
        #[arg(long)]
        tenant: uuid::Uuid,
    },
    /// Create a platform superadmin (password read from TENANTDESK_SUPERADMIN_PASSWORD or stdin).
    CreateSuperadmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
    },
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(run());
    // An embedding batch of an interrupted ingestion job may still be running on a blocking
    // thread; it cannot be interrupted and its job is left to its lease, so exit without it.
    runtime.shutdown_background();
    result
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        println!("{}", tenantdesk::openapi::spec_json());
        return Ok(());
    }
    let config = Config::from_env()?;
    telemetry::init(config.log_json);
    match command {
        Command::Serve => {
            let app = app::Application::build(config).await?;
            tracing::info!(
                addr = %app.addr(),
                max_connections = app.max_connections(),
                "listening"
            );
            app.run_until(shutdown_signal()).await?;
            tracing::info!("stopped");
        }
        Command::Worker => {
            let state = app::AppState::build(&config).await?;
            // The maintenance job (usage partitions ahead, retention) runs in every worker; a
            // lease row lets only one of them run it at a time.
            let stop = tokio_util::sync::CancellationToken::new();
            let maintenance = tokio::spawn(tenantdesk::usage::retention::schedule(
                state.db.clone(),
                config.usage.clone(),
                stop.clone(),
            ));
            state.worker().run(shutdown_signal()).await;
            stop.cancel();
            let _ = maintenance.await;
        }
        Command::Migrate => {
            let report = app::migrate(&config).await?;
            println!(
                "applied {} migration(s), {} already applied",
                report.applied.len(),
                report.already
            );
        }
        Command::CreateSuperadmin { email, name } => {
            let password = match std::env::var("TENANTDESK_SUPERADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("reading the password")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let id =
                tenantdesk::auth::bootstrap::create_superadmin(&config, &email, &name, password)
                    .await?;
            println!("{id}");
        }
        Command::Eval {
            url,
            dataset,
            json,
            settings,
        } => {
            let ds = tenantdesk::eval::Dataset::load(&dataset)?;
            let settings: serde_json::Value =
                serde_json::from_str(&settings).context("--settings is not JSON")?;
            let target = tenantdesk::eval::bootstrap(&config, &url).await?;
            target.configure(settings).await?;
            let (job, docs) = target.upload(&ds).await?;
            target
                .ingested(&job, std::time::Duration::from_secs(1800))
                .await?;
            let report = target.run(&ds, &docs).await?;
            print!("{}", report.markdown());
            if let Some(path) = json {
                std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
            }
        }
        Command::Reembed { tenant } => {
            let state = app::AppState::build(&config).await?;
            let done = state.worker().reembed(tenant.into()).await?;
            println!(
                "{done} document(s) embedded with {}",
                state.embedder.model()
            );
        }
        Command::Openapi => unreachable!(),
    }
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down; letting in-flight requests finish");
}
