//! `TicketOut` written by serde, byte for byte as poem-openapi's `ToJSON` writes it (keys in
//! alphabetical order, absent options left out, RFC 3339 timestamps, enums as text): see
//! [`crate::api::json`]. A field added to `TicketOut` must be added here too, in its
//! alphabetical place; the test below fails until it is.

use serde::{Serialize, Serializer, ser::SerializeStruct};

use super::TicketOut;
use crate::api::json::{Rfc3339, text};

impl Serialize for TicketOut {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let optional = [
            self.assignee_id.is_some(),
            self.closed_at.is_some(),
            self.creator_id.is_some(),
            self.resolved_at.is_some(),
        ];
        let len = 13 + optional.iter().filter(|&&present| present).count();
        let mut o = s.serialize_struct("TicketOut", len)?;
        if let Some(v) = &self.assignee_id {
            o.serialize_field("assignee_id", v)?;
        }
        if let Some(v) = &self.closed_at {
            o.serialize_field("closed_at", &Rfc3339(v))?;
        }
        o.serialize_field("created_at", &Rfc3339(&self.created_at))?;
        if let Some(v) = &self.creator_id {
            o.serialize_field("creator_id", v)?;
        }
        o.serialize_field("description", &self.description)?;
        o.serialize_field("id", &self.id)?;
        o.serialize_field("language", text(self.language))?;
        o.serialize_field("metadata", &self.metadata)?;
        o.serialize_field("number", &self.number)?;
        o.serialize_field("priority", text(self.priority))?;
        if let Some(v) = &self.resolved_at {
            o.serialize_field("resolved_at", &Rfc3339(v))?;
        }
        o.serialize_field("source", text(self.source))?;
        o.serialize_field("status", text(self.status))?;
        o.serialize_field("tags", &self.tags)?;
        o.serialize_field("title", &self.title)?;
        o.serialize_field("updated_at", &Rfc3339(&self.updated_at))?;
        o.serialize_field("version", &self.version)?;
        o.end()
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use serde_json::json;
    use strum::VariantArray;
    use uuid::Uuid;

    use super::super::{TicketOut, list::TicketPage};
    use crate::{
        api::json::assert_same_json,
        ids::{TicketId, UserId},
        knowledge::Language,
        repo::tickets::TicketRow,
        tickets::{TicketPriority, TicketSource, TicketStatus},
    };

    /// Row `i`: every enum value in turn, the four optional fields set in all 16 combinations,
    /// timestamps of every precision, and text and metadata that need escaping.
    fn row(i: usize) -> TicketRow {
        let set = |bit: usize| i & (1 << bit) != 0;
        let time = |micros: i64| DateTime::from_timestamp_micros(micros).unwrap();
        TicketRow {
            id: TicketId::from(Uuid::from_u128(
                0x0193_0000_0000_7000_8000_0000_0000_0000 + i as u128,
            )),
            number: 1 + i as i64 * 997,
            title: format!("Printer \"{i}\" on floor 3 \\ ünïcødé ✓ \u{1F600}"),
            description: if i.is_multiple_of(3) {
                String::new()
            } else {
                "line one\nline two\ttab \u{0001} control, </script> & 'quotes'".to_string()
            },
            status: TicketStatus::VARIANTS[i % TicketStatus::VARIANTS.len()],
            priority: TicketPriority::VARIANTS[i % TicketPriority::VARIANTS.len()],
            priority_rank: 1 + (i % 4) as i16,
            source: TicketSource::VARIANTS[i % TicketSource::VARIANTS.len()],
            assignee_id: set(0).then(|| UserId::from(Uuid::from_u128(0xa5a5 + i as u128))),
            creator_id: set(1).then(|| UserId::from(Uuid::from_u128(u128::MAX - i as u128))),
            tags: (0..i % 4).map(|t| format!("tag-{t} \"q\"")).collect(),
            metadata: match i % 4 {
                0 => json!({}),
                1 => {
                    json!({"z": 1, "a": {"nested": [1, 2.5, -3e-7, null, true, "x\"y"]}, "m": "ü"})
                }
                2 => json!({"big": 12345678901234567890u64, "neg": i64::MIN, "f": 0.1}),
                _ => json!({"list": [{"b": 2, "a": 1}], "empty": [], "obj": {}}),
            },
            language: Language::VARIANTS[i % Language::VARIANTS.len()],
            version: i as i32 * 3 + 1,
            created_at: time(1_764_649_135_000_000 + i as i64 * 1_000),
            updated_at: time(1_764_649_135_123_456 + i as i64),
            resolved_at: set(2).then(|| time(1_764_649_200_000_000)),
            closed_at: set(3).then(|| time(1_764_649_300_100_000 + i as i64 * 10)),
        }
    }

    #[test]
    fn a_ticket_is_written_by_serde_exactly_as_by_poem_openapi() {
        for i in 0..64 {
            assert_same_json(|| TicketOut::from(row(i)));
        }
    }

    #[test]
    fn a_ticket_page_is_written_by_serde_exactly_as_by_poem_openapi() {
        let page = |n: usize, next: Option<&str>| TicketPage {
            items: (0..n).map(|i| TicketOut::from(row(i))).collect(),
            next_cursor: next.map(str::to_string),
        };
        assert_same_json(|| page(0, None));
        assert_same_json(|| page(1, None));
        assert_same_json(|| page(20, Some("dDE6Y3JlYXRlZDpkZXNjOjE3NjQ2NDkxMzUwMDAwMDA6eA")));
        assert_same_json(|| page(100, None));
    }
}
