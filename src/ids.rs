//! Typed ids: one newtype over `Uuid` per kind of row, so a ticket's id cannot be passed where a
//! document's is expected, nor two ids of a call swapped. They are made by one macro (as
//! svix-server's `create_id_type!` makes its ids) and cost nothing at run time: the database
//! reads and writes them as `uuid` (the `postgres-types` transparent derive; sent as `uuid`
//! parameters through [`crate::db::statement`]), JSON as the UUID string (serde transparent),
//! and the spec shows them exactly as a `Uuid` (`type: string, format: uuid`; poem-openapi's
//! `NewType`, with no doc comment of its own, which would become a title in the spec).
//!
//! ```compile_fail,E0308
//! // A document's id where a ticket's is expected does not compile.
//! use tenantdesk::{db::TenantTx, ids::DocumentId, repo::tickets};
//! async fn handler(tx: &TenantTx, document: DocumentId) {
//!     let _ = tickets::get(tx, document).await;
//! }
//! ```
//!
//! ```compile_fail,E0308
//! // Nor do two ids passed in each other's place.
//! use tenantdesk::{db::TenantTx, ids::{ExternalRefId, TicketId}, repo::tickets};
//! async fn handler(tx: &TenantTx, ticket: TicketId, link: ExternalRefId) {
//!     let _ = tickets::delete_external_ref(tx, link, ticket).await;
//! }
//! ```
//!
//! ```no_run
//! // In their places they do.
//! use tenantdesk::{db::TenantTx, ids::{ExternalRefId, TicketId}, repo::tickets};
//! async fn handler(tx: &TenantTx, ticket: TicketId, link: ExternalRefId) {
//!     let _ = tickets::get(tx, ticket).await;
//!     let _ = tickets::delete_external_ref(tx, ticket, link).await;
//! }
//! ```

use uuid::Uuid;

use crate::db::statement::{SqlArrayType, SqlType};

macro_rules! id_types {
    ($($name:ident),* $(,)?) => {$(
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            serde::Serialize,
            serde::Deserialize,
            postgres_types::ToSql,
            postgres_types::FromSql,
            poem_openapi::NewType,
        )]
        #[serde(transparent)]
        #[postgres(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7), for rows whose id the service chooses.
            pub fn now_v7() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn uuid(self) -> Uuid {
                self.0
            }
        }

        /// Where an id arrives untyped (a test, a decoded cursor): the one place the kind is
        /// named.
        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl SqlType for $name {
            fn sql_type() -> postgres_types::Type {
                postgres_types::Type::UUID
            }
            fn sql_literal(&self) -> Option<String> {
                self.0.sql_literal()
            }
        }

        impl SqlArrayType for $name {
            fn sql_array_type() -> postgres_types::Type {
                postgres_types::Type::UUID_ARRAY
            }
        }
    )*};
}

id_types!(
    TenantId,
    UserId,
    SuperadminId,
    ApiKeyId,
    TicketId,
    MessageId,
    ExternalRefId,
    CollectionId,
    DocumentId,
    ChunkId,
    JobId,
    QueryLogId,
);

#[cfg(test)]
mod tests {
    use poem_openapi::types::{ParseFromJSON, ParseFromParameter, ToJSON, Type};

    use super::*;

    /// The spec shows an id exactly as it showed the `Uuid` it replaced, and reads and writes
    /// the same text.
    #[test]
    fn an_id_is_a_uuid_to_the_spec_json_and_parameters() {
        assert_eq!(TicketId::schema_ref(), Uuid::schema_ref());
        assert_eq!(TicketId::name(), Uuid::name());
        let u = Uuid::now_v7();
        let id = TicketId::from(u);
        assert_eq!(id.to_json(), u.to_json());
        assert_eq!(serde_json::to_value(id).unwrap(), serde_json::json!(u));
        assert_eq!(TicketId::parse_from_json(u.to_json()).unwrap(), id);
        assert_eq!(TicketId::parse_from_parameter(&u.to_string()).unwrap(), id);
        let bad = TicketId::parse_from_parameter("nope").unwrap_err();
        let bad_uuid = Uuid::parse_from_parameter("nope").unwrap_err();
        assert_eq!(bad.message(), bad_uuid.message());
    }
}
