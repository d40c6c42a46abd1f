//! The ticket list as a plan: the list operation's parameters and the caller become the
//! repository's query ([`ListQuery`]) by rules that need no database, tested below.

use chrono::DateTime;
use serde::{Deserialize, Serialize};

use super::{
    clean_tags,
    list::{EnumList, SortOrder, TicketSort},
};
use crate::{
    api::{cursor::Cursor, text::Text},
    auth::Principal,
    db::Role,
    error::{ApiError, ApiResult},
    ids::{TicketId, UserId},
    repo::{
        Timestamp,
        tickets::{After, ListQuery, TicketRow},
    },
    tickets::{TicketPriority, TicketStatus},
};

/// The parameters of `GET /v1/tickets`, as parsed (see the operation for each one's meaning).
#[derive(Default)]
pub struct ListParams {
    pub status: EnumList<TicketStatus>,
    pub priority: EnumList<TicketPriority>,
    pub assignee: Option<UserId>,
    pub creator: Option<UserId>,
    pub tag: Vec<Text>,
    pub created_after: Option<Timestamp>,
    pub created_before: Option<Timestamp>,
    pub updated_after: Option<Timestamp>,
    pub updated_before: Option<Timestamp>,
    pub q: Option<Text>,
    pub sort: TicketSort,
    pub order: SortOrder,
    pub cursor: Cursor,
    pub limit: i64,
}

impl ListParams {
    /// The query that reads the page `p` asked for, or `None` when the answer is an empty page
    /// without reading anything (a `user` filtering by another user's tickets). Every input is
    /// judged first, so a wrong one is a 422 either way.
    pub fn plan(self, p: &Principal, candidate_cap: i32) -> ApiResult<Option<ListQuery>> {
        let statuses = self.status.values("status")?;
        let priorities = self.priority.values("priority")?;
        // An empty `tag=` filters nothing, as an empty value of every list parameter (and
        // an empty `cursor`) means "left out".
        let tag: Vec<Text> = self
            .tag
            .into_iter()
            .filter(|t| !str::is_empty(t.as_str()))
            .collect();
        let tags = clean_tags("tag", &tag)?;
        let q = self.q.map(Text::into_string).filter(|s| !s.is_empty());
        let after = TicketKey::after(&self.cursor, self.sort, self.order)?;
        let creator = if p.role == Role::User {
            if self.creator.is_some_and(|c| Some(c) != p.user_id) {
                return Ok(None);
            }
            // A user sees only their own tickets (the policy says so too; this helps the
            // planner).
            p.user_id.or(self.creator)
        } else {
            self.creator
        };
        Ok(Some(ListQuery {
            statuses,
            priorities,
            assignee: self.assignee,
            creator,
            tags,
            created_after: self.created_after,
            created_before: self.created_before,
            updated_after: self.updated_after,
            updated_before: self.updated_before,
            q,
            candidate_cap,
            sort: self.sort.key(),
            desc: self.order == SortOrder::Desc,
            after,
            limit: self.limit + 1,
        }))
    }
}

/// A ticket list's position: the sort and order it belongs to, the sort column's value of the
/// page's last row (microseconds since the epoch, or the priority rank) and its id.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketKey(TicketSort, SortOrder, i64, TicketId);

impl TicketKey {
    /// The position after `t` in a list sorted by `sort` and `order`.
    pub fn of(sort: TicketSort, order: SortOrder, t: &TicketRow) -> Self {
        let key = match sort {
            TicketSort::Created => t.created_at.timestamp_micros(),
            TicketSort::Updated => t.updated_at.timestamp_micros(),
            TicketSort::Priority => i64::from(t.priority_rank),
        };
        Self(sort, order, key, t.id)
    }

    /// Where the page after `cursor` starts. A cursor of another sort or order is a 422 (keep
    /// them while paging), and a key out of its column's range is one too, before the database
    /// could answer `timestamp out of range`.
    fn after(cursor: &Cursor, sort: TicketSort, order: SortOrder) -> ApiResult<Option<After>> {
        let Some(TicketKey(s, o, key, id)) = cursor.key()? else {
            return Ok(None);
        };
        if (s, o) != (sort, order) {
            return Err(ApiError::invalid(
                "cursor",
                "this cursor belongs to a list with another sort or order; keep them while paging",
            ));
        }
        let bad = Cursor::invalid;
        Ok(Some(match sort {
            TicketSort::Priority => After::Rank(
                i16::try_from(key)
                    .ok()
                    .filter(|r| PRIORITY_RANKS.contains(r))
                    .ok_or_else(bad)?,
                id,
            ),
            _ => After::Time(
                Some(key)
                    .filter(|k| TIMESTAMP_MICROS.contains(k))
                    .and_then(DateTime::from_timestamp_micros)
                    .ok_or_else(bad)?,
                id,
            ),
        }))
    }
}

/// `tickets.priority_rank` (low 1 … urgent 4).
const PRIORITY_RANKS: std::ops::RangeInclusive<i16> = 1..=4;

/// What PostgreSQL's `timestamptz` holds, in microseconds since the Unix epoch: from 4713 BC
/// (its lower bound, -210866803200000000) up to the end of year 9999, far beyond any row's
/// `created_at` or `updated_at`.
const TIMESTAMP_MICROS: std::ops::RangeInclusive<i64> =
    -210_866_803_200_000_000..=253_402_300_799_999_999;

#[cfg(test)]
mod tests {
    use poem_openapi::types::ParseFromParameter;
    use uuid::Uuid;

    use super::*;
    use crate::repo::tickets::SortKey;

    fn user(id: u128) -> Principal {
        Principal::for_tests(Role::User, Some(UserId::from(Uuid::from_u128(id))))
    }

    fn agent() -> Principal {
        Principal::for_tests(Role::Agent, Some(UserId::from(Uuid::from_u128(99))))
    }

    fn params() -> ListParams {
        ListParams {
            limit: 20,
            ..Default::default()
        }
    }

    fn plan(params: ListParams, p: &Principal) -> ApiResult<Option<ListQuery>> {
        params.plan(p, 10_000)
    }

    fn cursor(key: &TicketKey) -> Cursor {
        Cursor::parse_from_parameter(&Cursor::after(key)).unwrap()
    }

    fn field(e: ApiError) -> Option<String> {
        e.field
    }

    #[test]
    fn a_user_lists_only_their_own_tickets() {
        let me = user(1);
        let q = plan(params(), &me).unwrap().unwrap();
        assert_eq!(q.creator, me.user_id);
        let mine = ListParams {
            creator: me.user_id,
            ..params()
        };
        assert_eq!(plan(mine, &me).unwrap().unwrap().creator, me.user_id);
    }

    #[test]
    fn a_user_filtering_by_another_creator_gets_an_empty_page_without_a_read() {
        let other = ListParams {
            creator: user(2).user_id,
            ..params()
        };
        assert!(plan(other, &user(1)).unwrap().is_none());
        // Input is judged first: a wrong value is still a 422.
        let wrong = ListParams {
            creator: user(2).user_id,
            status: EnumList::parse_from_parameter("nope").unwrap(),
            ..params()
        };
        assert_eq!(
            field(plan(wrong, &user(1)).unwrap_err()).as_deref(),
            Some("status")
        );
    }

    #[test]
    fn agents_filter_by_any_creator_or_none() {
        assert_eq!(plan(params(), &agent()).unwrap().unwrap().creator, None);
        let other = ListParams {
            creator: user(2).user_id,
            ..params()
        };
        assert_eq!(
            plan(other, &agent()).unwrap().unwrap().creator,
            user(2).user_id
        );
    }

    #[test]
    fn empty_tag_and_q_mean_absent() {
        let p = ListParams {
            tag: vec![
                "".into(),
                "vip".into(),
                "".into(),
                "vip".into(),
                "eu".into(),
            ],
            q: Some("".into()),
            ..params()
        };
        let q = plan(p, &agent()).unwrap().unwrap();
        assert_eq!(q.tags, ["vip", "eu"]);
        assert_eq!(q.q, None);
        let p = ListParams {
            tag: vec!["".into()],
            q: Some("refund".into()),
            ..params()
        };
        let q = plan(p, &agent()).unwrap().unwrap();
        assert!(q.tags.is_empty());
        assert_eq!(q.q.as_deref(), Some("refund"));
    }

    #[test]
    fn tags_are_limited_in_count_and_length() {
        let many = ListParams {
            tag: (0..51)
                .map(|i| Text::from(format!("t{i}").as_str()))
                .collect(),
            ..params()
        };
        assert_eq!(
            field(plan(many, &agent()).unwrap_err()).as_deref(),
            Some("tag")
        );
        let long = ListParams {
            tag: vec!["x".repeat(51).as_str().into()],
            ..params()
        };
        assert_eq!(
            field(plan(long, &agent()).unwrap_err()).as_deref(),
            Some("tag")
        );
        let fifty = ListParams {
            tag: (0..50)
                .map(|i| Text::from(format!("t{i}").as_str()))
                .collect(),
            ..params()
        };
        assert_eq!(plan(fifty, &agent()).unwrap().unwrap().tags.len(), 50);
    }

    #[test]
    fn status_and_priority_take_repeated_and_comma_separated_values() {
        let p = ListParams {
            status: EnumList::parse_from_parameters(["open,resolved", "open"]).unwrap(),
            priority: EnumList::parse_from_parameters(["urgent"]).unwrap(),
            ..params()
        };
        let q = plan(p, &agent()).unwrap().unwrap();
        assert_eq!(q.statuses, [TicketStatus::Open, TicketStatus::Resolved]);
        assert_eq!(q.priorities, [TicketPriority::Urgent]);
        let bad = ListParams {
            priority: EnumList::parse_from_parameters(["huge"]).unwrap(),
            ..params()
        };
        let e = plan(bad, &agent()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("priority"));
        assert_eq!(e.allowed.map(|a| a.len()), Some(4));
    }

    #[test]
    fn the_query_reads_one_row_more_than_the_page_in_the_asked_order() {
        let q = plan(params(), &agent()).unwrap().unwrap();
        assert_eq!(
            (q.limit, q.sort, q.desc, q.after),
            (21, SortKey::Created, true, None)
        );
        let p = ListParams {
            sort: TicketSort::Priority,
            order: SortOrder::Asc,
            limit: 1,
            ..params()
        };
        let q = plan(p, &agent()).unwrap().unwrap();
        assert_eq!((q.limit, q.sort, q.desc), (2, SortKey::Priority, false));
    }

    #[test]
    fn a_cursor_continues_only_the_sort_and_order_it_came_from() {
        let id = TicketId::from(Uuid::nil());
        let c = cursor(&TicketKey(TicketSort::Created, SortOrder::Desc, 1_000, id));
        let same = ListParams {
            cursor: c.clone(),
            ..params()
        };
        let q = plan(same, &agent()).unwrap().unwrap();
        let at = DateTime::from_timestamp_micros(1_000).unwrap();
        assert_eq!(q.after, Some(After::Time(at, id)));
        for (sort, order) in [
            (TicketSort::Priority, SortOrder::Desc),
            (TicketSort::Updated, SortOrder::Desc),
            (TicketSort::Created, SortOrder::Asc),
        ] {
            let other = ListParams {
                cursor: c.clone(),
                sort,
                order,
                ..params()
            };
            let e = plan(other, &agent()).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("cursor"));
            assert!(e.detail.contains("another sort or order"), "{}", e.detail);
        }
        // A cursor of a list keyed by id is not a ticket list's.
        let by_id = ListParams {
            cursor: Cursor::parse_from_parameter(&Cursor::after(&id)).unwrap(),
            ..params()
        };
        assert_eq!(
            field(plan(by_id, &agent()).unwrap_err()).as_deref(),
            Some("cursor")
        );
    }

    #[test]
    fn a_forged_cursor_out_of_range_is_refused_before_the_database() {
        let id = TicketId::from(Uuid::nil());
        let (created, priority, desc) =
            (TicketSort::Created, TicketSort::Priority, SortOrder::Desc);
        for key in [-210_866_803_200_000_001, i64::MIN, 253_402_300_800_000_000] {
            let c = cursor(&TicketKey(created, desc, key, id));
            let e = TicketKey::after(&c, created, desc).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("cursor"), "{key}");
        }
        for rank in [0, 5, -1, 40_000] {
            let c = cursor(&TicketKey(priority, desc, rank, id));
            assert!(TicketKey::after(&c, priority, desc).is_err(), "{rank}");
        }
        let ok = cursor(&TicketKey(created, desc, 0, id));
        assert!(TicketKey::after(&ok, created, desc).is_ok());
    }
}
