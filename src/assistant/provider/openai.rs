//! An OpenAI-compatible chat-completions service (`POST {base_url}/v1/chat/completions`:
//! OpenAI, Ollama, vLLM, the llama.cpp server): the passages and the question go in one user
//! message under the tenant's system prompt; the answer streams back as server-sent events
//! (`stream: true`, usage in the last chunk), or as one JSON answer from a server that does not
//! stream. Each attempt has a timeout; a timeout, connection error, 429 or 5xx is retried with
//! jittered exponential backoff, waiting at least what `Retry-After` asks, as long as no text has
//! reached the caller yet; any other answer fails at once.
//!
//! A tenant chooses the base URL, so the client refuses to reach loopback, private and
//! link-local addresses (unless `ASSISTANT_ALLOW_PRIVATE_URLS`): literal addresses are checked
//! with the URL, names when they resolve, and redirects are not followed.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use anyhow::{Context, anyhow};
use eventsource_stream::Eventsource;
use futures_util::{StreamExt, future::BoxFuture};
use rand::Rng;
use reqwest::{
    StatusCode, Url,
    dns::{Addrs, Name, Resolve, Resolving},
    header::{HeaderMap, RETRY_AFTER},
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Deltas, Generated, Prompt, Provider};
use crate::assistant::settings::{ApiKey, ProviderKind};

/// The longest `Retry-After` worth waiting for; a provider that asks for more has failed.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How the provider is reached.
#[derive(Clone)]
pub struct Connection {
    pub base_url: String,
    pub model: String,
    pub api_key: Option<ApiKey>,
    pub timeout: Duration,
    pub retries: u32,
    pub backoff: Duration,
}

pub struct OpenAi {
    client: reqwest::Client,
    url: Url,
    c: Connection,
}

/// The shared HTTP client for providers: no redirects, and (unless private addresses are
/// allowed) a resolver that drops loopback, private and link-local addresses.
pub fn client(allow_private: bool) -> anyhow::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10));
    if !allow_private {
        b = b.dns_resolver(Arc::new(PublicOnly));
    }
    b.build().context("building the providers' HTTP client")
}

/// Resolves names to public addresses only.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Not loopback, private, link-local, shared, unspecified, broadcast or documentation.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// Checks a base URL a tenant or superadmin sets: `http`/`https`, a host, no credentials, query
/// or fragment, and (unless allowed) no literal loopback, private or link-local address.
pub fn check_base_url(raw: &str, allow_private: bool) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain credentials (set api_key instead)".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or fragment".into());
    }
    let host = url.host_str().ok_or("must name a host")?;
    if !allow_private {
        let private = match host.trim_matches(['[', ']']).parse::<IpAddr>() {
            Ok(ip) => !is_public(ip),
            Err(_) => host == "localhost" || host.ends_with(".localhost"),
        };
        if private {
            return Err("must not point to a loopback, private or link-local address".into());
        }
    }
    Ok(url)
}

/// Whether a failed attempt may succeed when tried again, and how long to wait at least.
enum Failure {
    Retry(anyhow::Error, Option<Duration>),
    Fatal(anyhow::Error),
}

#[derive(Deserialize)]
struct Usage {
    prompt_tokens: Option<i32>,
    completion_tokens: Option<i32>,
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<ChunkChoice>,
    usage: Option<Usage>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    delta: Option<Message>,
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

/// `Retry-After` in seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or_default())
}

/// The wait before retry number `attempt` (0-based): `backoff · 2^attempt`, jittered to between
/// half and all of it, and never shorter than the server's `Retry-After`.
pub fn delay(backoff: Duration, attempt: u32, retry_after: Option<Duration>) -> Duration {
    let base = backoff.saturating_mul(2u32.saturating_pow(attempt.min(16)));
    let jittered = base.mul_f64(rand::rng().random_range(0.5..=1.0));
    jittered.max(retry_after.unwrap_or_default())
}

impl OpenAi {
    pub fn new(
        client: reqwest::Client,
        c: Connection,
        allow_private: bool,
    ) -> anyhow::Result<Self> {
        let base = check_base_url(&c.base_url, allow_private)
            .map_err(|e| anyhow!("the provider's base URL {e}"))?;
        let url = base
            .join(&format!(
                "{}/v1/chat/completions",
                base.path().trim_end_matches('/')
            ))
            .context("building the chat completions URL")?;
        Ok(Self { client, url, c })
    }

    fn body(&self, p: &Prompt<'_>) -> Value {
        let mut user = String::from("Sources:\n");
        for s in p.passages {
            user.push_str(&format!("\n[{}] {}\n{}\n", s.n, s.title, s.content.trim()));
        }
        if p.passages.is_empty() {
            user.push_str("\n(none)\n");
        }
        user.push_str(&format!("\nQuestion: {}", p.question));
        json!({
            "model": self.c.model,
            "messages": [
                {"role": "system", "content": p.system_prompt},
                {"role": "user", "content": user},
            ],
            "temperature": 0,
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    }

    async fn attempt(
        &self,
        body: &Value,
        deltas: Option<&Deltas>,
        sent: &mut bool,
    ) -> Result<Generated, Failure> {
        let mut req = self
            .client
            .post(self.url.clone())
            .timeout(self.c.timeout)
            .header(
                reqwest::header::ACCEPT,
                "text/event-stream, application/json",
            )
            .json(body);
        if let Some(k) = &self.c.api_key {
            req = req.bearer_auth(&k.0);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| Failure::Retry(anyhow!("provider request failed: {e}"), None))?;
        let status = resp.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            let after = retry_after(resp.headers());
            if after.is_some_and(|a| a > MAX_RETRY_AFTER) {
                return Err(Failure::Fatal(anyhow!(
                    "provider answered {status} and asks to wait {}s",
                    after.unwrap_or_default().as_secs()
                )));
            }
            return Err(Failure::Retry(anyhow!("provider answered {status}"), after));
        }
        if !status.is_success() {
            let text = resp.text().await.unwrap_or_default();
            return Err(Failure::Fatal(anyhow!(
                "provider answered {status}: {}",
                text.chars().take(300).collect::<String>()
            )));
        }
        let streaming = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/event-stream"));
        let mut out = Generated::default();
        if !streaming {
            let chunk: Chunk = resp
                .json()
                .await
                .map_err(|e| Failure::Retry(anyhow!("unreadable provider answer: {e}"), None))?;
            self.take(chunk, &mut out, deltas, sent)?;
            return Ok(out);
        }
        let mut events = resp.bytes_stream().eventsource();
        while let Some(event) = events.next().await {
            let event = event.map_err(|e| {
                let e = anyhow!("the provider's stream broke: {e}");
                if *sent {
                    Failure::Fatal(e)
                } else {
                    Failure::Retry(e, None)
                }
            })?;
            let data = event.data.trim();
            if data == "[DONE]" {
                return Ok(out);
            }
            if data.is_empty() {
                continue;
            }
            let chunk: Chunk = serde_json::from_str(data)
                .map_err(|e| Failure::Fatal(anyhow!("unreadable provider event: {e}")))?;
            self.take(chunk, &mut out, deltas, sent)?;
        }
        // Some servers end the stream without [DONE]; what arrived is the answer.
        Ok(out)
    }

    /// Adds one chunk (or a whole non-streamed answer) to `out`.
    fn take(
        &self,
        chunk: Chunk,
        out: &mut Generated,
        deltas: Option<&Deltas>,
        sent: &mut bool,
    ) -> Result<(), Failure> {
        if let Some(e) = chunk.error {
            return Err(Failure::Fatal(anyhow!("provider error: {e}")));
        }
        if let Some(u) = chunk.usage {
            out.prompt_tokens = u.prompt_tokens;
            out.completion_tokens = u.completion_tokens;
        }
        for choice in chunk.choices.into_iter().take(1) {
            let text = choice
                .delta
                .or(choice.message)
                .and_then(|m| m.content)
                .unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            out.text.push_str(&text);
            if let Some(d) = deltas {
                let _ = d.send(text);
                *sent = true;
            }
        }
        Ok(())
    }

    async fn run(&self, p: &Prompt<'_>, deltas: Option<&Deltas>) -> anyhow::Result<Generated> {
        let body = self.body(p);
        let mut sent = false;
        let mut attempt = 0;
        loop {
            match self.attempt(&body, deltas, &mut sent).await {
                Ok(g) => return Ok(g),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Retry(e, _)) if sent || attempt >= self.c.retries => {
                    return Err(e.context(format!("gave up after {} attempts", attempt + 1)));
                }
                Err(Failure::Retry(e, after)) => {
                    let wait = delay(self.c.backoff, attempt, after);
                    tracing::warn!(error = %e, attempt, wait_ms = wait.as_millis() as u64, "provider request failed; retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }
}

impl Provider for OpenAi {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Openai
    }

    fn model(&self) -> &str {
        &self.c.model
    }

    fn answer<'a>(
        &'a self,
        prompt: &'a Prompt<'a>,
        deltas: Option<&'a Deltas>,
    ) -> BoxFuture<'a, anyhow::Result<Generated>> {
        Box::pin(self.run(prompt, deltas))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_http_without_credentials_and_public_unless_allowed() {
        for ok in [
            "https://api.openai.com",
            "http://llm.example.com:8080/openai",
        ] {
            assert!(check_base_url(ok, false).is_ok(), "{ok}");
        }
        for bad in [
            "ftp://llm.example.com",
            "https://user:pw@llm.example.com",
            "https://llm.example.com/?key=1",
            "not a url",
            "http://127.0.0.1:11434",
            "http://localhost:11434",
            "http://10.1.2.3",
            "http://169.254.169.254/latest",
            "http://[::1]:8080",
            "http://[::ffff:192.168.0.1]",
            "http://100.64.0.1",
        ] {
            assert!(check_base_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_base_url("http://127.0.0.1:11434", true).is_ok());
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date_and_backoff_never_waits_less() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        let later = chrono::Utc::now() + chrono::Duration::seconds(20);
        h.insert(RETRY_AFTER, later.to_rfc2822().parse().unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(17) && d <= Duration::from_secs(20),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);

        let b = Duration::from_millis(100);
        for attempt in 0..4 {
            let d = delay(b, attempt, None);
            let full = b * 2u32.pow(attempt);
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
        assert_eq!(
            delay(b, 0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
    }
}
