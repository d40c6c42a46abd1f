//! `GET /v1/tickets/{id}`.

use super::{TicketGet, TicketResponse, etag, if_match, visible};
use crate::{auth::Tenant, error::ApiResult, ids::TicketId};

pub(super) async fn get(
    p: &Tenant,
    id: TicketId,
    if_none_match: Option<&str>,
) -> ApiResult<TicketGet> {
    let t = p.read(async |tx| visible(tx, id).await).await?;
    if if_none_match.is_some_and(|h| if_match(h, t.version)) {
        return Ok(TicketGet::NotModified(etag(t.version)));
    }
    let TicketResponse::Ok(body, tag) = TicketResponse::of(t);
    Ok(TicketGet::Ok(body, tag))
}
