//! The usage log: one row per authenticated request, written off the request path. A request
//! only puts its row into a bounded queue ([`UsageLog::record`] never waits); a writer task
//! takes rows in batches (up to `USAGE_BATCH`, or whatever came within `USAGE_FLUSH_MS`) and
//! inserts each batch with one statement. A full queue drops the row and counts it
//! (`usage_log_dropped_total`), as does a batch the database refused.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU64, Ordering},
};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::{
    config::UsageConfig,
    db::{Db, unscoped},
    ids::{ApiKeyId, TenantId, UserId},
};

/// One request, as the usage log keeps it.
#[derive(Clone, Debug)]
pub struct Record {
    pub tenant_id: TenantId,
    pub at: DateTime<Utc>,
    pub request_id: String,
    pub api_key_id: Option<ApiKeyId>,
    pub user_id: Option<UserId>,
    pub method: String,
    /// The route template (`/v1/tickets/{id}`), never the raw path.
    pub route: &'static str,
    pub status: u16,
    pub latency_us: i32,
    pub request_bytes: i64,
    pub response_bytes: i64,
}

#[derive(Clone)]
pub struct UsageLog {
    tx: Option<mpsc::Sender<Record>>,
    rx: Arc<Mutex<Option<mpsc::Receiver<Record>>>>,
    dropped: Arc<AtomicU64>,
    written: Arc<AtomicU64>,
    db: Db,
    batch: usize,
    flush: std::time::Duration,
}

impl UsageLog {
    pub fn new(db: Db, c: &UsageConfig) -> Self {
        let (tx, rx) = if c.log_enabled {
            let (tx, rx) = mpsc::channel(c.queue_capacity);
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        Self {
            tx,
            rx: Arc::new(Mutex::new(rx)),
            dropped: Arc::new(AtomicU64::new(0)),
            written: Arc::new(AtomicU64::new(0)),
            db,
            batch: c.batch,
            flush: c.flush,
        }
    }

    /// Queues a row; never waits. A full queue drops it and counts the drop.
    pub fn record(&self, r: Record) {
        let Some(tx) = &self.tx else { return };
        if tx.try_send(r).is_err() {
            self.drop_rows(1);
        }
    }

    fn drop_rows(&self, n: u64) {
        self.dropped.fetch_add(n, Ordering::Relaxed);
        metrics::counter!("usage_log_dropped_total").increment(n);
    }

    /// Rows dropped so far (queue full, or the database refused their batch).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Rows written so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Writes batches until `stop`, then what is still queued. Only one writer per log: a second
    /// call returns at once.
    pub async fn run_writer(self, stop: CancellationToken) {
        let Some(mut rx) = self.rx.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return;
        };
        let mut buf = Vec::with_capacity(self.batch);
        loop {
            let first = tokio::select! {
                r = rx.recv() => r,
                _ = stop.cancelled() => None,
            };
            let Some(first) = first else { break };
            buf.push(first);
            let deadline = tokio::time::Instant::now() + self.flush;
            while buf.len() < self.batch {
                tokio::select! {
                    r = rx.recv() => match r {
                        Some(r) => buf.push(r),
                        None => break,
                    },
                    _ = tokio::time::sleep_until(deadline) => break,
                    _ = stop.cancelled() => break,
                }
            }
            self.write(&mut buf).await;
        }
        // Shutting down: what is queued still goes in.
        rx.close();
        while let Some(r) = rx.recv().await {
            buf.push(r);
            if buf.len() >= self.batch {
                self.write(&mut buf).await;
            }
        }
        self.write(&mut buf).await;
    }

    async fn write(&self, buf: &mut Vec<Record>) {
        if buf.is_empty() {
            return;
        }
        let n = buf.len() as u64;
        match unscoped::usage_log_append(&self.db, buf).await {
            Ok(()) => {
                self.written.fetch_add(n, Ordering::Relaxed);
                metrics::counter!("usage_log_written_total").increment(n);
            }
            Err(e) => {
                tracing::warn!(error = %e, rows = n, "usage log batch not written");
                self.drop_rows(n);
            }
        }
        buf.clear();
    }
}
