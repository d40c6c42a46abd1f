//! HTTP only: DTOs, validation, status codes. One OpenApi struct per resource.

pub mod analytics;
pub mod api_keys;
pub mod ask;
pub mod audit;
pub mod auth;
pub mod body;
pub mod collections;
pub mod cursor;
pub mod documents;
pub mod health;
pub mod idempotency;
pub mod ingestion;
pub mod json;
pub mod me;
pub mod query_logs;
pub mod search;
pub mod settings;
pub mod tenants;
pub mod text;
pub mod tickets;
pub mod usage;
pub mod users;

use poem_openapi::{
    Enum, Object, Tags,
    payload::Json,
    types::{ParseFromJSON, ToJSON},
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    auth::{MinRole, Platform, Tenant},
    db::{PlatformTx, Role, TenantTx},
    error::ApiResult,
};
use cursor::Cursor;

#[derive(Tags)]
pub enum Tag {
    /// Liveness and readiness probes.
    Health,
    /// Logging in, refreshing and revoking tokens.
    Auth,
    /// The caller's own account.
    Me,
    /// Users of the caller's tenant (admins manage, agents read).
    Users,
    /// API keys of the caller's tenant (admins).
    #[oai(rename = "API keys")]
    ApiKeys,
    /// The tenant's audit log (admins).
    Audit,
    /// Tenants, for platform superadmins.
    Tenants,
    /// Support tickets, their conversations, history and links to other systems.
    Tickets,
    /// The knowledge base: collections, documents and their versions, chunks, ingestion jobs.
    Knowledge,
    /// Semantic, keyword and hybrid search over the knowledge base.
    Search,
    /// The assistant: answers from the knowledge base with cited sources, and its query log.
    Assistant,
    /// The assistant's settings: the tenant's own over the platform defaults.
    Settings,
    /// API usage reports, and tenant plans (rate limits and quotas).
    Usage,
    /// The support desk's and the knowledge base's figures.
    Analytics,
}

/// A user's role inside their tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum UserRole {
    /// A customer: sees only what they opened.
    User,
    /// A support agent: works all of the tenant's tickets.
    Agent,
    /// A tenant administrator: manages users and API keys.
    Admin,
}

impl From<Role> for UserRole {
    fn from(r: Role) -> Self {
        match r {
            Role::User => UserRole::User,
            Role::Agent => UserRole::Agent,
            Role::Admin => UserRole::Admin,
        }
    }
}

impl From<UserRole> for Role {
    fn from(r: UserRole) -> Self {
        match r {
            UserRole::User => Role::User,
            UserRole::Agent => Role::Agent,
            UserRole::Admin => Role::Admin,
        }
    }
}

pub const DEFAULT_LIMIT: i64 = 20;

/// One page of a list, in the order its operation states.
// `Serialize` (for `json::SerdeJson`) writes what `ToJSON` does because the fields are declared
// in alphabetical order, the order `ToJSON`'s map keeps. (Not a doc comment: those reach the spec.)
#[derive(Debug, Object, serde::Serialize)]
pub struct Page<T: ParseFromJSON + ToJSON> {
    /// This page's items.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T: ParseFromJSON + ToJSON> Page<T> {
    /// The page from up to `limit + 1` rows read after the cursor: the first `limit` rows, and
    /// the cursor after the last of them (its position `key`) when there was one more.
    pub fn of<R: Into<T>, K: Serialize>(
        mut rows: Vec<R>,
        limit: i64,
        key: impl Fn(&R) -> K,
    ) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = more
            .then(|| rows.last().map(|r| Cursor::after(&key(r))))
            .flatten();
        Self {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }
    }
}

/// One page of a list keyed by `key` (an id): decodes the cursor, reads `limit + 1` rows after
/// it (`fetch(after, limit + 1)`) and returns the page with the next cursor.
pub async fn page<K, Row, T>(
    cursor: &Cursor,
    limit: i64,
    fetch: impl AsyncFnOnce(Option<K>, i64) -> ApiResult<Vec<Row>>,
    key: impl Fn(&Row) -> K,
) -> ApiResult<Json<Page<T>>>
where
    K: Serialize + DeserializeOwned,
    Row: Into<T>,
    T: ParseFromJSON + ToJSON,
{
    let rows = fetch(cursor.key()?, limit + 1).await?;
    Ok(Json(Page::of(rows, limit, key)))
}

/// `page` on an extractor with a transaction (`tx`): [`page`] in that transaction.
macro_rules! paged {
    ([$($g:tt)*] $ty:ty, $tx:ty) => {
        impl<$($g)*> $ty {
            /// [`page`] in this caller's read-only transaction (`read`): `fetch` only reads.
            pub async fn page<K, Row, T>(
                &self,
                cursor: &Cursor,
                limit: i64,
                fetch: impl AsyncFnOnce(&mut $tx, Option<K>, i64) -> ApiResult<Vec<Row>>,
                key: impl Fn(&Row) -> K,
            ) -> ApiResult<Json<Page<T>>>
            where
                K: Serialize + DeserializeOwned,
                Row: Into<T>,
                T: ParseFromJSON + ToJSON,
            {
                let fetch = async |after, n| self.read(async |tx| fetch(tx, after, n).await).await;
                page(cursor, limit, fetch, key).await
            }
        }
    };
}

paged!([R: MinRole] Tenant<R>, TenantTx);
paged!([] Platform, PlatformTx);

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;
    use strum::VariantArray;

    use super::UserRole;
    use crate::{
        auth::ApiKeyScope,
        db::Role,
        knowledge::{DocumentType, JobStatus, Language},
        tickets::{MessageRole, TicketPriority, TicketSource, TicketStatus},
    };

    fn same_text<T: VariantArray + Copy + Into<&'static str> + ToJSON + std::fmt::Debug>() {
        for v in T::VARIANTS {
            let db: &str = (*v).into();
            assert_eq!(v.to_json(), Some(db.into()), "{v:?}");
        }
    }

    /// The database text (strum) and the API text (poem-openapi) of every enum agree, so one
    /// value has one spelling everywhere.
    #[test]
    fn every_enum_has_the_same_text_in_the_database_and_the_api() {
        same_text::<TicketStatus>();
        same_text::<TicketPriority>();
        same_text::<TicketSource>();
        same_text::<MessageRole>();
        same_text::<ApiKeyScope>();
        same_text::<DocumentType>();
        same_text::<JobStatus>();
        same_text::<Language>();
        for r in Role::VARIANTS {
            assert_eq!(UserRole::from(*r).to_json(), Some(r.as_str().into()));
        }
    }
}
