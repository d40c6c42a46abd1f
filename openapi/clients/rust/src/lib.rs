//! Rust client for the tenantdesk API.
//!
//! [`generated`] is written by progenitor from `openapi/openapi.json` (`make sdk`; never edited
//! by hand). This file holds the thin hand-written layer beside it: authentication
//! ([`connect`]), typed problem errors ([`ApiError`]), the cursor pagination helper
//! ([`all_pages`]) and the one operation progenitor cannot generate, the multipart
//! [`upload_document`].
//!
//! ```no_run
//! # async fn run() -> Result<(), tenantdesk_client::ApiError> {
//! use tenantdesk_client::{Auth, connect, types};
//! let api = connect("http://127.0.0.1:8080", Auth::None)?;
//! let tokens = api
//!     .login()
//!     .body(types::TokenIn::builder().tenant("acme").email("ada@acme.test").password("ada has a long password"))
//!     .send()
//!     .await?
//!     .into_inner();
//! let api = connect("http://127.0.0.1:8080", Auth::Bearer(tokens.access_token))?;
//! let open = api.list_tickets().status(vec![types::TicketStatus::Open]).send().await?;
//! println!("{} open tickets on the first page", open.items.len());
//! # Ok(()) }
//! ```

// Written by progenitor and prettyplease; rustfmt would reformat it and the drift test would
// then see a difference.
#[allow(clippy::all, unused_imports, unused_mut, dead_code)]
#[rustfmt::skip]
pub mod generated;

use std::future::Future;

pub use generated::{Client, types};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

/// How requests authenticate.
#[derive(Clone)]
pub enum Auth {
    /// No credentials (login, refresh, health).
    None,
    /// An access token from `login`/`refresh`/`login_superadmin`: `Authorization: Bearer …`.
    Bearer(String),
    /// An API key (`tdk_…`): `X-API-Key: …`.
    ApiKey(String),
    /// A superadmin's access token, acting inside a tenant (`X-Tenant-Id`; audited).
    Acting { token: String, tenant: uuid::Uuid },
}

/// A client for `base_url` (e.g. `http://127.0.0.1:8080`) sending `auth` with every request.
pub fn connect(base_url: &str, auth: Auth) -> Result<Client, ApiError> {
    let mut headers = HeaderMap::new();
    let secret = |v: String| {
        let mut v = HeaderValue::from_str(&v).map_err(|_| ApiError::InvalidCredentials)?;
        v.set_sensitive(true);
        Ok::<_, ApiError>(v)
    };
    match auth {
        Auth::None => {}
        Auth::Bearer(token) => {
            headers.insert(AUTHORIZATION, secret(format!("Bearer {token}"))?);
        }
        Auth::ApiKey(key) => {
            headers.insert("x-api-key", secret(key)?);
        }
        Auth::Acting { token, tenant } => {
            headers.insert(AUTHORIZATION, secret(format!("Bearer {token}"))?);
            headers.insert("x-tenant-id", secret(tenant.to_string())?);
        }
    }
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .map_err(|e| ApiError::Transport(e.to_string()))?;
    Ok(Client::new_with_client(
        base_url.trim_end_matches('/'),
        http,
    ))
}

/// What a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The service answered with an RFC 9457 problem document (`code` is the stable part).
    #[error("{} {:?}: {}", .0.status, .0.code, .0.detail)]
    Problem(Box<types::Problem>),
    /// A status without a problem body (for example 304 Not Modified), or one the spec does not list.
    #[error("unexpected status {0}")]
    Status(u16),
    /// The request did not get an answer (connection, timeout, body decoding).
    #[error("transport: {0}")]
    Transport(String),
    /// A token or key that cannot be a header value.
    #[error("credentials contain characters a header cannot carry")]
    InvalidCredentials,
}

impl ApiError {
    /// The problem document, when the service sent one.
    pub fn problem(&self) -> Option<&types::Problem> {
        match self {
            ApiError::Problem(p) => Some(p),
            _ => None,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            ApiError::Status(s) => Some(*s),
            _ => None,
        }
    }
}

impl From<progenitor_client::Error<types::Problem>> for ApiError {
    fn from(e: progenitor_client::Error<types::Problem>) -> Self {
        use progenitor_client::Error as E;
        match e {
            E::ErrorResponse(r) => ApiError::Problem(Box::new(r.into_inner())),
            E::UnexpectedResponse(r) => ApiError::Status(r.status().as_u16()),
            other => match other.status() {
                Some(s) => ApiError::Status(s.as_u16()),
                None => ApiError::Transport(other.to_string()),
            },
        }
    }
}

impl From<progenitor_client::Error<()>> for ApiError {
    fn from(e: progenitor_client::Error<()>) -> Self {
        match e.status() {
            Some(s) => ApiError::Status(s.as_u16()),
            None => ApiError::Transport(e.to_string()),
        }
    }
}

/// Every item of a cursor-paged list: `page(cursor)` fetches one page and returns its items and
/// `next_cursor`; pages are fetched until there is no next cursor.
///
/// ```no_run
/// # async fn run(api: &tenantdesk_client::Client) -> Result<(), tenantdesk_client::ApiError> {
/// let tickets = tenantdesk_client::all_pages(|cursor| async move {
///     let mut req = api.list_tickets().limit(std::num::NonZeroU64::new(100).unwrap());
///     if let Some(c) = cursor {
///         req = req.cursor(c);
///     }
///     let page = req.send().await?.into_inner();
///     Ok((page.items, page.next_cursor))
/// })
/// .await?;
/// # Ok(()) }
/// ```
pub async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let (items, next) = page(cursor).await?;
        all.extend(items);
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(all),
        }
    }
}

/// A file for [`upload_document`], with the form's optional fields.
#[derive(Debug, Clone, Default)]
pub struct DocumentUpload {
    /// The file name; its extension (`.txt`, `.md`, `.html`) gives the type when `mime` is `None`.
    pub file_name: String,
    /// `text/plain`, `text/markdown` or `text/html`.
    pub mime: Option<String>,
    /// The file's content (UTF-8 text).
    pub content: Vec<u8>,
    /// The document's title (default: the file name).
    pub title: Option<String>,
    pub collection_id: Option<uuid::Uuid>,
    pub doc_type: Option<types::DocumentType>,
    pub category: Option<String>,
    pub source_url: Option<String>,
    /// A JSON object.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `POST /v1/documents/upload` (multipart/form-data), which progenitor cannot generate: creates
/// a document from a file; `deduplicated` is true when the same content already existed.
pub async fn upload_document(
    api: &Client,
    upload: DocumentUpload,
) -> Result<types::DocumentWritten, ApiError> {
    use progenitor_client::ClientInfo;
    use reqwest::multipart::{Form, Part};
    let mut file = Part::bytes(upload.content).file_name(upload.file_name);
    if let Some(mime) = upload.mime {
        file = file
            .mime_str(&mime)
            .map_err(|e| ApiError::Transport(e.to_string()))?;
    }
    let mut form = Form::new().part("file", file);
    let doc_type = upload.doc_type.map(|t| t.to_string());
    let collection = upload.collection_id.map(|c| c.to_string());
    let metadata = upload
        .metadata
        .map(|m| serde_json::Value::Object(m).to_string());
    for (name, value) in [
        ("title", upload.title),
        ("collection_id", collection),
        ("type", doc_type),
        ("category", upload.category),
        ("source_url", upload.source_url),
        ("metadata", metadata),
    ] {
        if let Some(v) = value {
            form = form.text(name, v);
        }
    }
    let response = api
        .client()
        .post(format!("{}/v1/documents/upload", api.baseurl()))
        .multipart(form)
        .send()
        .await
        .map_err(|e| ApiError::Transport(e.to_string()))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| ApiError::Transport(e.to_string()))?;
    if status.is_success() {
        serde_json::from_slice(&body).map_err(|e| ApiError::Transport(e.to_string()))
    } else {
        Err(serde_json::from_slice::<types::Problem>(&body)
            .map(|p| ApiError::Problem(Box::new(p)))
            .unwrap_or(ApiError::Status(status.as_u16())))
    }
}
