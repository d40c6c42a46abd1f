//! The service's built-in embedder, outside the service: the half of `bench/embed.sh` that is not
//! PyTorch, and the tool that wrote the reference vectors the agreement test holds it to.
//!
//!   embed_bench corpus DOCS OUT         deterministic documents → the service's chunker (200/40)
//!                                       → one JSON string per line in OUT
//!   embed_bench run CHUNKS THREADS [VECTORS]
//!                                       embeds every chunk (after one warm-up batch), then one
//!                                       ~200-token query REPEATS times; prints one JSON line;
//!                                       VECTORS: the chunks' vectors as JSON lines
//!   embed_bench reference FILE          fills FILE's `vector`s (tests/fixtures/builtin_embeddings.json)
//!
//! Model: EMBEDDING_MODEL (all-MiniLM-L6-v2 by default, or multilingual-e5-small: `run` only; its
//! chunks are embedded as passages and the query as a query), from EMBEDDING_MODEL_DIR (default
//! .local/models/all-minilm-l6-v2) or EMBEDDING_E5_DIR (.local/models/multilingual-e5-small).

use std::{
    io::{BufRead, Write},
    path::PathBuf,
    time::Instant,
};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tenantdesk::embeddings::{BuiltinEmbedder, Chunker, E5Embedder, Embedder, TextKind};

fn model_dir() -> PathBuf {
    std::env::var("EMBEDDING_MODEL_DIR")
        .unwrap_or_else(|_| ".local/models/all-minilm-l6-v2".into())
        .into()
}

/// splitmix64: the corpus must be the same on every machine and every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SUBJECTS: &[&str] = &[
    "The administrator",
    "Every agent",
    "A customer",
    "The billing contact",
    "Our support team",
    "The integration",
    "Your workspace",
    "The mobile app",
    "An API key with read-only scope",
    "The nightly export",
];
const VERBS: &[&str] = &[
    "can reset",
    "should review",
    "automatically archives",
    "sends a reminder about",
    "cannot change",
    "synchronises",
    "records in the audit log",
    "escalates",
    "must confirm",
    "downloads",
];
const OBJECTS: &[&str] = &[
    "the password of a locked account",
    "invoices older than thirty days",
    "tickets waiting for a reply from the customer",
    "the single sign-on configuration",
    "attachments larger than twenty megabytes",
    "the VPN profile on a new laptop",
    "the shipping address of an open order",
    "webhook deliveries that failed with a timeout",
    "the knowledge base article about refunds",
    "two-factor authentication codes",
];
const TAILS: &[&str] = &[
    "before the end of the business day.",
    "unless the tenant's plan includes priority support.",
    "from the settings page in the browser.",
    "and the change takes effect within five minutes.",
    "when the customer replies from another email address.",
    "after a manager has approved the request.",
    "so that nothing is lost during the migration.",
    "while the service is in maintenance mode on Sundays.",
    "for every region except Canada and Australia.",
    "with the reference number printed on the receipt.",
];

/// One support-article-like document of `sentences` sentences (≈ 14 tokens each).
fn document(rng: &mut Rng, n: usize) -> String {
    let mut s = format!("Article {}: ", rng.below(10_000));
    for i in 0..n {
        for part in [SUBJECTS, VERBS, OBJECTS, TAILS] {
            s.push_str(part[rng.below(part.len())]);
            s.push(' ');
        }
        if i % 6 == 5 {
            s.push('\n');
        }
    }
    s
}

fn corpus(docs: usize, out: &str) -> anyhow::Result<()> {
    let chunker = Chunker::load(&model_dir(), 200, 40)?;
    let mut rng = Rng(17);
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    let (mut chunks, mut tokens) = (0, 0);
    for _ in 0..docs {
        // 1 to 160 sentences: from a single short chunk to ~15 chunks of 200 tokens.
        let sentences = 1 + rng.below(160);
        let text = document(&mut rng, sentences);
        for c in chunker.chunk(&text)? {
            chunks += 1;
            tokens += c.token_count as usize;
            writeln!(file, "{}", serde_json::to_string(&c.content)?)?;
        }
    }
    file.flush()?;
    eprintln!("{docs} documents, {chunks} chunks, {tokens} tokens in {out}");
    Ok(())
}

fn read_lines(path: &str) -> anyhow::Result<Vec<String>> {
    let file = std::io::BufReader::new(std::fs::File::open(path).context("opening the chunks")?);
    file.lines()
        .map(|l| Ok(serde_json::from_str::<String>(&l?)?))
        .collect()
}

/// This process's user + system CPU time (`/proc/self/stat`, in clock ticks of 1/100 s): on a
/// shared machine, work per CPU-second is steadier than work per second.
fn cpu_seconds() -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |i: usize| -> anyhow::Result<f64> {
        Ok(fields.get(i).context("short /proc/self/stat")?.parse()?)
    };
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

fn p50(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

async fn run(chunks: &str, threads: usize, vectors: Option<&str>) -> anyhow::Result<()> {
    let texts = read_lines(chunks)?;
    let loaded = Instant::now();
    let e: Box<dyn Embedder> = match std::env::var("EMBEDDING_MODEL").as_deref() {
        Ok(tenantdesk::embeddings::e5::MODEL_NAME) => {
            let dir = std::env::var("EMBEDDING_E5_DIR")
                .unwrap_or_else(|_| ".local/models/multilingual-e5-small".into());
            Box::new(E5Embedder::load(std::path::Path::new(&dir), threads)?)
        }
        _ => Box::new(BuiltinEmbedder::load_with_threads(&model_dir(), threads)?),
    };
    let load_s = loaded.elapsed().as_secs_f64();
    e.embed(&texts[..texts.len().min(8)], TextKind::Passage)
        .await?;
    let (start, cpu) = (Instant::now(), cpu_seconds()?);
    let out = e.embed(&texts, TextKind::Passage).await?;
    let (secs, cpu_s) = (start.elapsed().as_secs_f64(), cpu_seconds()? - cpu);
    // A query of one full chunk: the longest kind a search sends.
    let query = texts
        .iter()
        .max_by_key(|t| t.len())
        .context("empty corpus")?;
    let repeats: usize = std::env::var("REPEATS").map_or(Ok(30), |r| r.parse())?;
    let mut lat = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let t = Instant::now();
        e.embed(std::slice::from_ref(query), TextKind::Query)
            .await?;
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    if let Some(path) = vectors {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for v in &out {
            writeln!(f, "{}", serde_json::to_string(v)?)?;
        }
    }
    println!(
        "{}",
        json!({
            "side": "tenantdesk",
            "model": e.model(),
            "threads": threads,
            "chunks": texts.len(),
            "seconds": secs,
            "cpu_s": cpu_s,
            "chunks_per_s": texts.len() as f64 / secs,
            "query_p50_ms": p50(lat),
            "load_s": load_s,
        })
    );
    Ok(())
}

async fn reference(path: &str) -> anyhow::Result<()> {
    let mut doc: Value = serde_json::from_slice(&std::fs::read(path)?)?;
    let items = doc["texts"].as_array_mut().context("no `texts`")?;
    let texts: Vec<String> = items
        .iter()
        .map(|t| t["text"].as_str().map(String::from).context("no `text`"))
        .collect::<anyhow::Result<_>>()?;
    let e = BuiltinEmbedder::load(&model_dir())?;
    for (item, v) in items
        .iter_mut()
        .zip(e.embed(&texts, TextKind::Passage).await?)
    {
        item["vector"] = json!(v);
    }
    std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["corpus", docs, out] => corpus(docs.parse()?, out),
        ["run", chunks, threads] => run(chunks, threads.parse()?, None).await,
        ["run", chunks, threads, vectors] => run(chunks, threads.parse()?, Some(vectors)).await,
        ["reference", file] => reference(file).await,
        _ => bail!(
            "usage: embed_bench corpus DOCS OUT | run CHUNKS THREADS [VECTORS] | reference FILE"
        ),
    }
}
