//! The assistant's settings: the tenant's (`/v1/settings`, admins; a superadmin acting in the
//! tenant with `X-Tenant-Id` may change them too) over the platform defaults
//! (`/v1/settings/defaults`, superadmins) over the built-in defaults. Every change is audited;
//! the provider's API key is write-only and stored sealed.

use std::collections::HashSet;

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json, types::MaybeUndefined};

use crate::{
    api::{Tag, body::JsonBody, text::Text},
    app::AppState,
    assistant::{
        escalation,
        provider::openai::check_base_url,
        sealed::Owner,
        settings::{AssistantMode, Layer, LayerPatch, ProviderKind, Settings},
    },
    auth::{Admin, Platform, Tenant},
    error::{ApiError, ApiResult},
    repo,
};

pub struct SettingsApi;

/// The assistant's settings in force: each value is the tenant's own where it set one (see
/// `overridden`), else the platform default.
#[derive(Debug, Object)]
pub struct SettingsOut {
    /// What the assistant does with tickets: `off` (nothing on its own; agents may still ask it
    /// with `POST /v1/tickets/{id}/assist`), `draft` (each new ticket and customer message gets
    /// an answer as an internal note for agents) or `reply` (… as a message the customer sees).
    /// `POST /v1/ask` answers in every mode.
    pub assistant_mode: AssistantMode,
    /// Phrases that escalate a question, matched on word forms (English and Russian stemming:
    /// "refunds" matches "refund", "возврата" matches "возврат"), several words as a phrase.
    pub escalation_keywords: Vec<String>,
    /// A question escalates when the best knowledge-base match scores below this (cosine
    /// similarity, 0–1; calibrated on the evaluation set, see bench/README.md). The built-in
    /// default depends on the service's embedding model: 0.3 with all-MiniLM-L6-v2, 0.8 with
    /// multilingual-e5-small.
    pub escalation_threshold: f64,
    /// How many knowledge-base chunks retrieval returns per question (1–20).
    pub retrieval_top_k: i64,
    /// Chunks scoring below this (cosine similarity) are not given to the provider.
    pub retrieval_min_score: f64,
    /// Who writes answers: `builtin` (extractive: quotes the best one or two sentences, no
    /// network) or `openai` (an OpenAI-compatible chat-completions service at `base_url`).
    pub provider: ProviderKind,
    /// Base URL of the OpenAI-compatible service (`…/v1/chat/completions` is appended).
    pub base_url: String,
    /// The model the `openai` provider asks for.
    pub model: String,
    /// The system prompt of the `openai` provider.
    pub system_prompt: String,
    /// Whether an API key for the provider is in force; the key itself is never returned. A
    /// platform default key is used only while the tenant sets neither its own key nor its own
    /// `base_url`.
    pub api_key_set: bool,
    /// The fields set at this level; the others are inherited.
    pub overridden: Vec<String>,
}

impl From<Settings> for SettingsOut {
    fn from(s: Settings) -> Self {
        Self {
            assistant_mode: s.mode,
            escalation_keywords: s.escalation_keywords,
            escalation_threshold: s.escalation_threshold,
            retrieval_top_k: s.top_k,
            retrieval_min_score: s.min_score,
            provider: s.provider,
            base_url: s.base_url,
            model: s.model,
            system_prompt: s.system_prompt,
            api_key_set: s.api_key.is_some(),
            overridden: s.overridden.into_iter().map(String::from).collect(),
        }
    }
}

/// Changes to the settings: an absent field stays as it is, `null` removes this level's value
/// (the platform default, or the built-in one, applies again), a value sets it.
#[derive(Debug, Default, Object)]
pub struct SettingsPatch {
    /// `off`, `draft` or `reply`.
    #[oai(nullable)]
    pub assistant_mode: MaybeUndefined<AssistantMode>,
    /// Up to 100 phrases of 1–100 characters; they replace the current list (`[]`: no keyword
    /// escalates).
    #[oai(nullable, validator(max_items = 100, min_length = 1, max_length = 100))]
    pub escalation_keywords: MaybeUndefined<Vec<Text>>,
    /// 0–1.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "1")))]
    pub escalation_threshold: MaybeUndefined<f64>,
    /// 1–20.
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "20")))]
    pub retrieval_top_k: MaybeUndefined<i64>,
    /// 0–1.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "1")))]
    pub retrieval_min_score: MaybeUndefined<f64>,
    /// `builtin` or `openai`.
    #[oai(nullable)]
    pub provider: MaybeUndefined<ProviderKind>,
    /// An `http` or `https` URL without credentials, query or fragment; loopback, private and
    /// link-local addresses are refused unless the service allows them
    /// (`ASSISTANT_ALLOW_PRIVATE_URLS`).
    #[oai(nullable, validator(min_length = 1, max_length = 2000))]
    pub base_url: MaybeUndefined<Text>,
    /// 1–200 characters.
    #[oai(nullable, validator(min_length = 1, max_length = 200))]
    pub model: MaybeUndefined<Text>,
    /// 1–8,000 characters.
    #[oai(nullable, validator(min_length = 1, max_length = 8000))]
    pub system_prompt: MaybeUndefined<Text>,
    /// The provider's API key, write-only: stored sealed (XChaCha20-Poly1305), never returned.
    #[oai(nullable, write_only, validator(min_length = 1, max_length = 1000))]
    pub api_key: MaybeUndefined<Text>,
}

fn change<T, U>(v: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    v.map_value(f).into()
}

impl SettingsPatch {
    /// The checked change (what the declared validators cannot say: each keyword holds a word,
    /// repeats count once; the URL's shape and address).
    fn into_patch(self, allow_private: bool) -> ApiResult<LayerPatch> {
        let keywords = match self.escalation_keywords {
            MaybeUndefined::Value(list) => {
                let mut seen = HashSet::new();
                let mut out = Vec::new();
                for (i, k) in list.into_iter().enumerate() {
                    if escalation::stems(k.as_str()).is_empty() {
                        let field = format!("escalation_keywords[{i}]");
                        return Err(ApiError::invalid(
                            &field,
                            format!("{field}: must contain a word"),
                        ));
                    }
                    if seen.insert(k.as_str().to_lowercase()) {
                        out.push(k.into_string());
                    }
                }
                Some(Some(out))
            }
            other => change(other, |_| Vec::new()),
        };
        let base_url = match self.base_url {
            MaybeUndefined::Value(u) => {
                let url = check_base_url(u.as_str(), allow_private)
                    .map_err(|e| ApiError::invalid("base_url", format!("base_url {e}")))?;
                Some(Some(url.as_str().trim_end_matches('/').to_string()))
            }
            other => change(other, |_| String::new()),
        };
        Ok(LayerPatch {
            mode: self.assistant_mode.into(),
            escalation_keywords: keywords,
            escalation_threshold: self.escalation_threshold.into(),
            top_k: self.retrieval_top_k.into(),
            min_score: self.retrieval_min_score.into(),
            provider: self.provider.into(),
            base_url,
            model: change(self.model, Text::into_string),
            system_prompt: change(self.system_prompt, Text::into_string),
            api_key: change(self.api_key, Text::into_string),
        })
    }
}

/// The audit log's target for a change: the fields it touched, never their values.
fn audit_target(patch: &LayerPatch) -> String {
    format!("settings:{}", patch.touched().join(","))
}

#[OpenApi(prefix_path = "/v1/settings", tag = "Tag::Settings")]
impl SettingsApi {
    /// The assistant's settings in force for the caller's tenant (admins).
    #[oai(path = "/", method = "get", operation_id = "get_settings")]
    async fn get(&self, state: Data<&AppState>, p: Tenant<Admin>) -> ApiResult<Json<SettingsOut>> {
        Ok(Json(state.assistant.settings(&p.scope()).await?.into()))
    }

    /// Change the tenant's assistant settings (admins, or a superadmin acting in the tenant with
    /// `X-Tenant-Id`). Absent fields stay, `null` returns a field to the platform default. The
    /// change is written to the audit log (`settings.update`, naming the fields, never the API
    /// key). Returns the settings now in force.
    #[oai(path = "/", method = "patch", operation_id = "update_settings")]
    async fn update(
        &self,
        state: Data<&AppState>,
        p: Tenant<Admin>,
        body: JsonBody<SettingsPatch>,
    ) -> ApiResult<Json<SettingsOut>> {
        let a = &state.assistant;
        let patch = body.0.into_patch(a.config.allow_private_urls)?;
        let tenant = p.tenant_id;
        let (platform, own) = p
            .tx(async |tx| {
                if !patch.touched().is_empty() {
                    let target = audit_target(&patch);
                    let row = repo::settings::tenant_for_update(tx).await?;
                    let mut layer = Layer::from_row(&row);
                    patch
                        .apply(&mut layer, &a.sealer, Owner::Tenant(tenant))
                        .map_err(ApiError::internal)?;
                    repo::settings::save_tenant(tx, &layer.to_row()).await?;
                    repo::audit::record(tx, "settings.update", &target).await?;
                }
                repo::settings::layers(tx).await
            })
            .await?;
        Ok(Json(a.resolve(tenant, &platform, own.as_ref())?.into()))
    }

    /// The platform defaults every tenant inherits where it sets nothing (superadmins).
    /// `overridden` lists the fields set at the platform level; the others are built in.
    #[oai(
        path = "/defaults",
        method = "get",
        operation_id = "get_default_settings"
    )]
    async fn get_defaults(
        &self,
        state: Data<&AppState>,
        su: Platform,
    ) -> ApiResult<Json<SettingsOut>> {
        let row = su
            .read(async |tx| repo::settings::platform(tx, false).await)
            .await?;
        Ok(Json(defaults(&state, &row)?))
    }

    /// Change the platform defaults (superadmins): what every tenant gets for the fields it has
    /// not set itself. Recorded in the platform's own audit log.
    #[oai(
        path = "/defaults",
        method = "patch",
        operation_id = "update_default_settings"
    )]
    async fn update_defaults(
        &self,
        state: Data<&AppState>,
        su: Platform,
        body: JsonBody<SettingsPatch>,
    ) -> ApiResult<Json<SettingsOut>> {
        let by = su.superadmin_id();
        let a = &state.assistant;
        let patch = body.0.into_patch(a.config.allow_private_urls)?;
        let row = su
            .tx(async |tx| {
                let row = repo::settings::platform(tx, true).await?;
                if patch.touched().is_empty() {
                    return Ok(row);
                }
                let target = audit_target(&patch);
                let mut layer = Layer::from_row(&row);
                patch
                    .apply(&mut layer, &a.sealer, Owner::Platform)
                    .map_err(ApiError::internal)?;
                let row = layer.to_row();
                repo::settings::save_platform(tx, &row, by).await?;
                repo::settings::record_platform_audit(tx, by, "settings.defaults.update", &target)
                    .await?;
                Ok(row)
            })
            .await?;
        Ok(Json(defaults(&state, &row)?))
    }
}

fn defaults(state: &AppState, row: &repo::settings::SettingsRow) -> ApiResult<SettingsOut> {
    let layer = Layer::from_row(row);
    Ok(Settings::resolve(
        &layer,
        None,
        &state.assistant.sealer,
        state.assistant.model_defaults,
    )
    .map_err(ApiError::internal)?
    .into())
}
