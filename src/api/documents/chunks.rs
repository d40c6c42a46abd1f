//! `POST /v1/documents/{id}/chunks`.

use poem_openapi::payload::Json;
use sha2::{Digest, Sha256};

use super::{ChunksIn, ChunksOut, ChunksStored};
use crate::{
    api::body::JsonBody,
    app::AppState,
    auth::{Agent, Tenant},
    error::{ApiError, ApiResult},
    ids::DocumentId,
    repo::{self, knowledge::NewChunk},
};

pub(super) async fn chunks(
    state: &AppState,
    p: &Tenant<Agent>,
    id: DocumentId,
    body: JsonBody<ChunksIn>,
) -> ApiResult<ChunksStored> {
    let model = body.model.to_string();
    let own = (model == state.embedder.model()).then(|| state.embedder.dims());
    let dims = own.unwrap_or(body.chunks[0].embedding.len());
    for (i, c) in body.chunks.iter().enumerate() {
        if c.embedding.len() != dims || dims == 0 || dims > 4096 {
            return Err(ApiError::invalid(
                &format!("chunks[{i}].embedding"),
                format!(
                    "embedding has {} dimensions; model {model} needs {dims} (1–4096)",
                    c.embedding.len()
                ),
            ));
        }
        if c.embedding.iter().any(|f| !f.is_finite()) {
            return Err(ApiError::invalid(
                &format!("chunks[{i}].embedding"),
                "embedding values must be finite numbers",
            ));
        }
    }
    let prepared: Vec<(String, i32, Vec<u8>, pgvector::Vector)> = body
        .0
        .chunks
        .into_iter()
        .map(|c| {
            let tokens = state.chunker.count(&c.content);
            let hash = Sha256::digest(c.content.as_bytes()).to_vec();
            (c.content, tokens, hash, pgvector::Vector::from(c.embedding))
        })
        .collect();
    let out = p
        .tx(async |tx| {
            let Some(doc) = repo::knowledge::get_document(tx, id).await? else {
                return Ok(None);
            };
            if doc.deleted_at.is_some() {
                return Ok(None);
            }
            if let Some(existing) = repo::knowledge::model_dims(tx, &model).await?
                && existing != dims as i32
            {
                return Err(ApiError::invalid(
                    "chunks[0].embedding",
                    format!("model {model} has {existing}-dimensional vectors in this tenant"),
                ));
            }
            let new: Vec<NewChunk> = prepared
                .iter()
                .enumerate()
                .map(|(i, (content, tokens, hash, v))| NewChunk {
                    index: i as i32,
                    content,
                    token_count: *tokens,
                    hash,
                    embedding: v.clone(),
                })
                .collect();
            repo::knowledge::replace_chunks(tx, doc.id, doc.current_version, &model, &new).await?;
            Ok(Some(ChunksOut {
                document_id: doc.id,
                version: doc.current_version,
                model: model.clone(),
                dims: dims as i32,
                chunks: new.len() as i32,
            }))
        })
        .await?;
    out.map(|o| ChunksStored::Created(Json(o)))
        .ok_or_else(|| ApiError::not_found("document"))
}
