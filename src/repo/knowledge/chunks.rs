//! Chunks and their vectors.

use crate::{db::TenantTx, error::ApiResult, ids::DocumentId};

pub struct NewChunk<'a> {
    pub index: i32,
    pub content: &'a str,
    pub token_count: i32,
    pub hash: &'a [u8],
    pub embedding: pgvector::Vector,
}

/// Replaces the chunks of `model` for a document's `version` (and any older version).
pub async fn replace_chunks(
    tx: &TenantTx,
    document_id: DocumentId,
    version: i32,
    model: &str,
    chunks: &[NewChunk<'_>],
) -> ApiResult<()> {
    tx.execute(
        "delete from kb_chunks where tenant_id = $1 and document_id = $2 and version <= $3 and model = $4",
        &[&tx.tenant_id(), &document_id, &version, &model],
    )
    .await?;
    for c in chunks {
        let dims = c.embedding.as_slice().len() as i32;
        tx.execute(
            "insert into kb_chunks (tenant_id, document_id, version, chunk_index, content,
                    token_count, content_hash, model, dims, embedding, language)
             select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, d.language
               from kb_documents d where d.tenant_id = $1 and d.id = $2",
            &[
                &tx.tenant_id(),
                &document_id,
                &version,
                &c.index,
                &c.content,
                &c.token_count,
                &c.hash,
                &model,
                &dims,
                &c.embedding,
            ],
        )
        .await?;
    }
    Ok(())
}

/// (model, chunk count) of a document's current version.
pub async fn chunk_counts(tx: &TenantTx, document_id: DocumentId) -> ApiResult<Vec<(String, i64)>> {
    let rows = tx
        .query(
            "select c.model, count(*) from kb_chunks c
               join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
                                  and d.current_version = c.version
              where c.tenant_id = $1 and c.document_id = $2 group by c.model order by c.model",
            &[&tx.tenant_id(), &document_id],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The dimension of `model`'s vectors in this tenant, if it has any.
pub async fn model_dims(tx: &TenantTx, model: &str) -> ApiResult<Option<i32>> {
    Ok(tx
        .query_opt(
            "select dims from kb_chunks where tenant_id = $1 and model = $2 limit 1",
            &[&tx.tenant_id(), &model],
        )
        .await?
        .map(|r| r.get(0)))
}
