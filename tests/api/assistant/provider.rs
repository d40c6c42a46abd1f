//! The OpenAI-compatible provider against a local server that speaks the protocol: streaming,
//! usage, retries with backoff that honour `Retry-After`, timeouts, no retry after a 400, and no
//! way to loopback or private addresses unless allowed.

use std::time::{Duration, Instant};

use tenantdesk::assistant::{
    provider::{
        Passage, Prompt, Provider,
        openai::{Connection, OpenAi, client},
    },
    settings::ApiKey,
};

use super::{FakeLlm, Reply};

fn provider(fake: &FakeLlm, retries: u32, timeout_ms: u64) -> OpenAi {
    OpenAi::new(
        client(true).unwrap(),
        Connection {
            base_url: fake.url.clone(),
            model: "fake-model".into(),
            api_key: Some(ApiKey("sk-test".into())),
            timeout: Duration::from_millis(timeout_ms),
            retries,
            backoff: Duration::from_millis(10),
        },
        true,
    )
    .unwrap()
}

fn passages() -> Vec<Passage> {
    vec![Passage {
        n: 1,
        title: "Router".into(),
        content: "Hold the reset button for ten seconds.".into(),
        score: 0.8,
    }]
}

async fn ask(p: &OpenAi) -> anyhow::Result<String> {
    let passages = passages();
    let prompt = Prompt {
        tenant: uuid::Uuid::new_v4().into(),
        question: "How do I reset it?",
        question_vector: None,
        passages: &passages,
        system_prompt: "Be brief.",
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let g = p.answer(&prompt, Some(&tx)).await?;
    drop(tx);
    let mut streamed = String::new();
    while let Some(d) = rx.recv().await {
        streamed.push_str(&d);
    }
    assert_eq!(streamed, g.text, "the deltas add up to the answer");
    assert_eq!(
        (g.prompt_tokens, g.completion_tokens),
        (Some(123), Some(45))
    );
    Ok(g.text)
}

#[tokio::test]
async fn it_streams_the_answer_with_the_key_and_reads_the_usage() {
    let fake = FakeLlm::start(Reply::Stream("Hold it down [1].".into())).await;
    assert_eq!(
        ask(&provider(&fake, 0, 2000)).await.unwrap(),
        "Hold it down [1]."
    );
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].authorization.as_deref(), Some("Bearer sk-test"));
    let b = &seen[0].body;
    assert_eq!(b["stream"], true);
    assert_eq!(b["stream_options"]["include_usage"], true);
    assert_eq!(b["messages"][0]["content"], "Be brief.");
}

#[tokio::test]
async fn it_retries_a_503_no_sooner_than_retry_after_and_a_timeout() {
    let fake = FakeLlm::start(Reply::Stream("Finally [1].".into())).await;
    fake.then(Reply::Fail(503, Some("1"))).then(Reply::Hang);
    let started = Instant::now();
    assert_eq!(ask(&provider(&fake, 3, 500)).await.unwrap(), "Finally [1].");
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    // The hung attempt was cut at its timeout, then retried with a short backoff.
    let hung = seen[2].at - seen[1].at;
    assert!(
        hung >= Duration::from_millis(500) && hung < Duration::from_secs(3),
        "{hung:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn it_never_retries_a_400_and_gives_up_after_its_retries() {
    let fake = FakeLlm::start(Reply::Fail(400, None)).await;
    let err = ask(&provider(&fake, 3, 2000)).await.unwrap_err();
    assert!(format!("{err:#}").contains("400"), "{err:#}");
    assert_eq!(fake.seen().len(), 1);

    let fake = FakeLlm::start(Reply::Fail(429, None)).await;
    let err = ask(&provider(&fake, 2, 2000)).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("gave up after 3 attempts"),
        "{err:#}"
    );
    assert_eq!(fake.seen().len(), 3);

    // A provider that asks to wait longer than is worth it has failed.
    let fake = FakeLlm::start(Reply::Fail(429, Some("120"))).await;
    assert!(ask(&provider(&fake, 3, 2000)).await.is_err());
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn loopback_and_private_addresses_are_refused_unless_allowed() {
    let fake = FakeLlm::start(Reply::Stream("x".into())).await;
    let c = Connection {
        base_url: fake.url.clone(),
        model: "fake-model".into(),
        api_key: None,
        timeout: Duration::from_secs(2),
        retries: 0,
        backoff: Duration::from_millis(10),
    };
    // A literal address is refused with the URL …
    assert!(OpenAi::new(client(false).unwrap(), c.clone(), false).is_err());
    // … and a name when it resolves (redirects are not followed either).
    let port = fake.url.rsplit(':').next().unwrap();
    let url = format!("http://localhost:{port}/v1/chat/completions");
    let refused = client(false).unwrap().post(&url).send().await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(fake.seen().is_empty());
    let allowed = client(true)
        .unwrap()
        .post(&url)
        .json(&serde_json::json!({}))
        .send()
        .await;
    assert!(allowed.is_ok());
}
