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
            state.worker().run(shutdown_signal()).await;
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
