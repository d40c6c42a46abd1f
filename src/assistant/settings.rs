//! The assistant's settings, in three layers: the tenant's own values, the platform defaults a
//! superadmin set, and the service's built-in defaults (decided here and nowhere else). A value
//! not set in a layer comes from the next one.
//!
//! The provider's API key is the exception that keeps a key from reaching a server it was not
//! meant for: the platform's key is used only when the tenant has set neither its own key nor its
//! own base URL. A tenant that points the assistant at its own server gets its own key or none.

use serde::Deserialize;

use super::{
    escalation::DEFAULT_KEYWORDS,
    sealed::{Owner, Sealer},
};
use crate::{ids::TenantId, repo::settings::SettingsRow};

crate::db::text_enum! {
    "snake_case":
    /// What the assistant does with tickets.
    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum AssistantMode {
        /// Nothing on its own (agents may still ask it for a draft).
        Off,
        /// Each new ticket and customer message gets an answer as an internal note for agents.
        Draft,
        /// Each new ticket and customer message gets an answer the customer sees.
        Reply,
    }
}

crate::db::text_enum! {
    "snake_case":
    /// Who writes the answers.
    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ProviderKind {
        /// In-process and extractive: quotes the best one or two sentences of the knowledge base,
        /// chosen with the embedding model; no network, no key.
        Builtin,
        /// Any OpenAI-compatible `POST /v1/chat/completions` (OpenAI, Ollama, vLLM, llama.cpp).
        Openai,
    }
}

/// The built-in defaults.
pub const DEFAULT_MODE: AssistantMode = AssistantMode::Off;
/// Calibrated on bench/eval (bench/README.md) with all-MiniLM-L6-v2: the highest best-match
/// cosine similarity below which every question of the set is unanswerable; a higher one
/// escalates answerable questions (the built-in responder's own floor catches most of the rest
/// as `cannot_help`).
pub const DEFAULT_THRESHOLD: f64 = 0.3;
/// The same point with multilingual-e5-small, whose cosines crowd into 0.7–0.95 (0.3 would never
/// escalate).
pub const DEFAULT_THRESHOLD_E5: f64 = 0.8;

/// The built-in defaults that depend on the service's embedding model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelDefaults {
    pub escalation_threshold: f64,
}

impl ModelDefaults {
    /// For the model the service embeds with (`EMBEDDING_MODEL`).
    pub fn for_model(model: &str) -> Self {
        Self {
            escalation_threshold: if model == crate::embeddings::e5::MODEL_NAME {
                DEFAULT_THRESHOLD_E5
            } else {
                DEFAULT_THRESHOLD
            },
        }
    }
}
pub const DEFAULT_TOP_K: i64 = 5;
/// Chunks scoring lower than this are not given to the provider at all.
pub const DEFAULT_MIN_SCORE: f64 = 0.2;
pub const DEFAULT_PROVIDER: ProviderKind = ProviderKind::Builtin;
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
pub const DEFAULT_SYSTEM_PROMPT: &str = "You are the support assistant of this company. Answer the \
customer's question using only the numbered sources. Cite every fact with the number of its \
source in square brackets, like [1]. If the sources do not contain the answer, say \"I don't \
know\" and nothing else. Answer in the language of the question, briefly.";

/// One layer as stored: `None` is "not set here".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layer {
    pub mode: Option<AssistantMode>,
    pub escalation_keywords: Option<Vec<String>>,
    pub escalation_threshold: Option<f64>,
    pub top_k: Option<i64>,
    pub min_score: Option<f64>,
    pub provider: Option<ProviderKind>,
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub system_prompt: Option<String>,
    /// The sealed key (see `sealed.rs`).
    pub api_key_sealed: Option<String>,
}

/// The field names of a layer, as the API spells them.
pub const FIELDS: [&str; 10] = [
    "assistant_mode",
    "escalation_keywords",
    "escalation_threshold",
    "retrieval_top_k",
    "retrieval_min_score",
    "provider",
    "base_url",
    "model",
    "system_prompt",
    "api_key",
];

impl Layer {
    pub fn from_row(r: &SettingsRow) -> Self {
        Self {
            mode: r.assistant_mode,
            escalation_keywords: r.escalation_keywords.clone(),
            escalation_threshold: r.escalation_threshold,
            top_k: r.retrieval_top_k.map(i64::from),
            min_score: r.retrieval_min_score,
            provider: r.provider,
            base_url: r.base_url.clone(),
            model: r.model.clone(),
            system_prompt: r.system_prompt.clone(),
            api_key_sealed: r.api_key_sealed.clone(),
        }
    }

    pub fn to_row(&self) -> SettingsRow {
        SettingsRow {
            assistant_mode: self.mode,
            escalation_keywords: self.escalation_keywords.clone(),
            escalation_threshold: self.escalation_threshold,
            retrieval_top_k: self.top_k.map(|k| k as i32),
            retrieval_min_score: self.min_score,
            provider: self.provider,
            base_url: self.base_url.clone(),
            model: self.model.clone(),
            system_prompt: self.system_prompt.clone(),
            api_key_sealed: self.api_key_sealed.clone(),
            updated_at: None,
        }
    }

    /// The API names of the fields set in this layer.
    pub fn set_fields(&self) -> Vec<&'static str> {
        named([
            self.mode.is_some(),
            self.escalation_keywords.is_some(),
            self.escalation_threshold.is_some(),
            self.top_k.is_some(),
            self.min_score.is_some(),
            self.provider.is_some(),
            self.base_url.is_some(),
            self.model.is_some(),
            self.system_prompt.is_some(),
            self.api_key_sealed.is_some(),
        ])
    }
}

/// The names of the fields whose flag is set, in `FIELDS` order.
fn named(flags: [bool; 10]) -> Vec<&'static str> {
    FIELDS
        .iter()
        .zip(flags)
        .filter(|(_, f)| *f)
        .map(|(n, _)| *n)
        .collect()
}

/// A change to a layer: for each field, `None` leaves it, `Some(None)` unsets it (the next layer
/// decides again), `Some(Some(v))` sets it. The API key arrives in clear and is sealed here.
#[derive(Debug, Default)]
pub struct LayerPatch {
    pub mode: Option<Option<AssistantMode>>,
    pub escalation_keywords: Option<Option<Vec<String>>>,
    pub escalation_threshold: Option<Option<f64>>,
    pub top_k: Option<Option<i64>>,
    pub min_score: Option<Option<f64>>,
    pub provider: Option<Option<ProviderKind>>,
    pub base_url: Option<Option<String>>,
    pub model: Option<Option<String>>,
    pub system_prompt: Option<Option<String>>,
    pub api_key: Option<Option<String>>,
}

impl LayerPatch {
    /// The API names of the fields this patch touches (for the audit log; never values).
    pub fn touched(&self) -> Vec<&'static str> {
        named([
            self.mode.is_some(),
            self.escalation_keywords.is_some(),
            self.escalation_threshold.is_some(),
            self.top_k.is_some(),
            self.min_score.is_some(),
            self.provider.is_some(),
            self.base_url.is_some(),
            self.model.is_some(),
            self.system_prompt.is_some(),
            self.api_key.is_some(),
        ])
    }

    /// Applies the patch to `layer`, sealing a new API key for `owner`.
    pub fn apply(self, layer: &mut Layer, sealer: &Sealer, owner: Owner) -> anyhow::Result<()> {
        fn set<T>(field: &mut Option<T>, change: Option<Option<T>>) {
            if let Some(v) = change {
                *field = v;
            }
        }
        set(&mut layer.mode, self.mode);
        set(&mut layer.escalation_keywords, self.escalation_keywords);
        set(&mut layer.escalation_threshold, self.escalation_threshold);
        set(&mut layer.top_k, self.top_k);
        set(&mut layer.min_score, self.min_score);
        set(&mut layer.provider, self.provider);
        set(&mut layer.base_url, self.base_url);
        set(&mut layer.model, self.model);
        set(&mut layer.system_prompt, self.system_prompt);
        if let Some(key) = self.api_key {
            layer.api_key_sealed = key.map(|k| sealer.seal(owner, &k)).transpose()?;
        }
        Ok(())
    }
}

/// An API key that prints as `[redacted]`.
#[derive(Clone, PartialEq)]
pub struct ApiKey(pub String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// The settings in force for a tenant.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: AssistantMode,
    pub escalation_keywords: Vec<String>,
    pub escalation_threshold: f64,
    pub top_k: i64,
    pub min_score: f64,
    pub provider: ProviderKind,
    pub base_url: String,
    pub model: String,
    pub system_prompt: String,
    pub api_key: Option<ApiKey>,
    /// The fields the tenant itself set (the rest are inherited).
    pub overridden: Vec<&'static str>,
}

impl Settings {
    /// `tenant` over `platform` over the built-in defaults. `tenant` is `None` for the platform
    /// defaults themselves.
    pub fn resolve(
        platform: &Layer,
        tenant: Option<(TenantId, &Layer)>,
        sealer: &Sealer,
        model: ModelDefaults,
    ) -> anyhow::Result<Self> {
        let empty = Layer::default();
        let t = tenant.map_or(&empty, |(_, l)| l);
        macro_rules! pick {
            ($f:ident, $default:expr) => {
                t.$f.clone()
                    .or_else(|| platform.$f.clone())
                    .unwrap_or_else(|| $default)
            };
        }
        let api_key = match (&t.api_key_sealed, tenant) {
            (Some(sealed), Some((id, _))) => Some(sealer.open(Owner::Tenant(id), sealed)?),
            // The platform's key goes only to the platform's (or the default) server.
            _ if t.base_url.is_none() => platform
                .api_key_sealed
                .as_deref()
                .map(|s| sealer.open(Owner::Platform, s))
                .transpose()?,
            _ => None,
        };
        Ok(Self {
            mode: pick!(mode, DEFAULT_MODE),
            escalation_keywords: pick!(
                escalation_keywords,
                DEFAULT_KEYWORDS.iter().map(|s| s.to_string()).collect()
            ),
            escalation_threshold: pick!(escalation_threshold, model.escalation_threshold),
            top_k: pick!(top_k, DEFAULT_TOP_K),
            min_score: pick!(min_score, DEFAULT_MIN_SCORE),
            provider: pick!(provider, DEFAULT_PROVIDER),
            base_url: pick!(base_url, DEFAULT_BASE_URL.to_string()),
            model: pick!(model, DEFAULT_MODEL.to_string()),
            system_prompt: pick!(system_prompt, DEFAULT_SYSTEM_PROMPT.to_string()),
            api_key: api_key.map(ApiKey),
            overridden: match tenant {
                Some(_) => t.set_fields(),
                None => platform.set_fields(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::config::SealingKey;

    const MINI: ModelDefaults = ModelDefaults {
        escalation_threshold: DEFAULT_THRESHOLD,
    };

    #[test]
    fn the_default_threshold_follows_the_embedding_model_unless_a_layer_sets_one() {
        let e5 = ModelDefaults::for_model("multilingual-e5-small");
        assert_eq!(ModelDefaults::for_model("all-MiniLM-L6-v2"), MINI);
        assert_eq!(e5.escalation_threshold, 0.8);
        let none = Layer::default();
        let id = TenantId::from(Uuid::new_v4());
        let r = Settings::resolve(&none, Some((id, &none)), &sealer(), e5).unwrap();
        assert_eq!(r.escalation_threshold, 0.8);
        let set = Layer {
            escalation_threshold: Some(0.5),
            ..Layer::default()
        };
        let r = Settings::resolve(&set, Some((id, &none)), &sealer(), e5).unwrap();
        assert_eq!(r.escalation_threshold, 0.5);
    }

    fn sealer() -> Sealer {
        Sealer::new(&[SealingKey {
            kid: "t".into(),
            key: vec![3; 32].into(),
        }])
        .unwrap()
    }

    #[test]
    fn a_tenant_value_wins_over_the_platform_default_which_wins_over_the_built_in_one() {
        let s = sealer();
        let platform = Layer {
            top_k: Some(8),
            mode: Some(AssistantMode::Draft),
            ..Default::default()
        };
        let tenant = Layer {
            mode: Some(AssistantMode::Reply),
            ..Default::default()
        };
        let id = TenantId::from(Uuid::new_v4());
        let r = Settings::resolve(&platform, Some((id, &tenant)), &s, MINI).unwrap();
        assert_eq!(r.mode, AssistantMode::Reply);
        assert_eq!(r.top_k, 8);
        assert_eq!(r.min_score, DEFAULT_MIN_SCORE);
        assert_eq!(r.overridden, vec!["assistant_mode"]);
        let d = Settings::resolve(&platform, None, &s, MINI).unwrap();
        assert_eq!(d.mode, AssistantMode::Draft);
        assert_eq!(d.overridden, vec!["assistant_mode", "retrieval_top_k"]);
    }

    #[test]
    fn the_platform_key_never_goes_to_a_server_the_tenant_chose() {
        let s = sealer();
        let mut platform = Layer::default();
        LayerPatch {
            api_key: Some(Some("platform-key".into())),
            base_url: Some(Some("https://llm.platform.example".into())),
            ..Default::default()
        }
        .apply(&mut platform, &s, Owner::Platform)
        .unwrap();
        let id = TenantId::from(Uuid::new_v4());
        let plain = Layer::default();
        let r = Settings::resolve(&platform, Some((id, &plain)), &s, MINI).unwrap();
        assert_eq!(r.api_key, Some(ApiKey("platform-key".into())));
        assert_eq!(r.base_url, "https://llm.platform.example");

        let own_server = Layer {
            base_url: Some("https://llm.tenant.example".into()),
            ..Default::default()
        };
        let r = Settings::resolve(&platform, Some((id, &own_server)), &s, MINI).unwrap();
        assert_eq!(r.api_key, None);

        let mut own_key = own_server.clone();
        LayerPatch {
            api_key: Some(Some("tenant-key".into())),
            ..Default::default()
        }
        .apply(&mut own_key, &s, Owner::Tenant(id))
        .unwrap();
        let r = Settings::resolve(&platform, Some((id, &own_key)), &s, MINI).unwrap();
        assert_eq!(r.api_key, Some(ApiKey("tenant-key".into())));
        // Another tenant's copy of the sealed value does not open.
        assert!(
            Settings::resolve(
                &platform,
                Some((TenantId::from(Uuid::new_v4()), &own_key)),
                &s,
                MINI
            )
            .is_err()
        );
        assert!(!format!("{r:?}").contains("tenant-key"));
    }

    #[test]
    fn unknown_values_from_the_database_are_errors() {
        use postgres_types::{FromSql, Type};
        assert!(AssistantMode::from_sql(&Type::TEXT, b"auto").is_err());
        assert!(ProviderKind::from_sql(&Type::TEXT, b"anthropic").is_err());
        assert_eq!(
            ProviderKind::from_sql(&Type::TEXT, b"openai").unwrap(),
            ProviderKind::Openai
        );
    }

    #[test]
    fn a_patch_unsets_with_null_and_names_what_it_touched() {
        let s = sealer();
        let mut l = Layer {
            top_k: Some(3),
            model: Some("m".into()),
            ..Default::default()
        };
        let p = LayerPatch {
            top_k: Some(None),
            mode: Some(Some(AssistantMode::Draft)),
            ..Default::default()
        };
        assert_eq!(p.touched(), vec!["assistant_mode", "retrieval_top_k"]);
        p.apply(&mut l, &s, Owner::Platform).unwrap();
        assert_eq!(l.top_k, None);
        assert_eq!(l.model.as_deref(), Some("m"));
        assert_eq!(l.mode, Some(AssistantMode::Draft));
    }
}
