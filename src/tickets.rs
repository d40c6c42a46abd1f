//! Ticket rules that are neither SQL nor HTTP: the status machine and who may move a ticket.
//!
//! ```text
//! open             → in_progress, pending_customer, escalated, resolved, closed
//! in_progress      → pending_customer, escalated, resolved
//! pending_customer → in_progress, escalated, resolved
//! escalated        → in_progress, resolved
//! resolved         → closed, reopened
//! closed           → reopened
//! reopened         → in_progress, pending_customer, escalated, resolved
//! ```
//!
//! `open → closed` covers spam and duplicates; anything else reaches `closed` through `resolved`.
//! A `user` (customer) may only close or reopen their own ticket (`resolved → closed`,
//! `resolved | closed → reopened`); their reply to a `pending_customer` ticket moves it to
//! `in_progress` by itself. Agents and admins may take every edge.

use crate::db::Role;

crate::db::text_enum! {
    "snake_case":
    /// Where a ticket is in its life.
    pub enum TicketStatus {
        /// New, nobody has started on it.
        Open,
        /// An agent is working on it.
        InProgress,
        /// Waiting for the customer; their reply moves it back to `in_progress`.
        PendingCustomer,
        /// Solved; the customer may still reopen it.
        Resolved,
        /// Done.
        Closed,
        /// Handed to a higher support level.
        Escalated,
        /// Resolved or closed, then reopened.
        Reopened,
    }
}

impl TicketStatus {
    /// The statuses this one may move to.
    pub fn next(self) -> &'static [TicketStatus] {
        use TicketStatus::*;
        match self {
            Open => &[InProgress, PendingCustomer, Escalated, Resolved, Closed],
            InProgress => &[PendingCustomer, Escalated, Resolved],
            PendingCustomer => &[InProgress, Escalated, Resolved],
            Escalated => &[InProgress, Resolved],
            Resolved => &[Closed, Reopened],
            Closed => &[Reopened],
            Reopened => &[InProgress, PendingCustomer, Escalated, Resolved],
        }
    }

    /// Whether a caller with `role` may take the edge `self → to` (which must exist).
    pub fn may(self, to: TicketStatus, role: Role) -> bool {
        role >= Role::Agent
            || matches!(
                (self, to),
                (TicketStatus::Resolved, TicketStatus::Closed)
                    | (
                        TicketStatus::Resolved | TicketStatus::Closed,
                        TicketStatus::Reopened
                    )
            )
    }

    /// The edges from here that a caller with `role` may take.
    pub fn allowed_for(self, role: Role) -> Vec<TicketStatus> {
        self.next()
            .iter()
            .copied()
            .filter(|to| self.may(*to, role))
            .collect()
    }
}

crate::db::text_enum! {
    "snake_case":
    /// How urgent a ticket is.
    pub enum TicketPriority {
        /// Whenever there is time.
        Low,
        /// The default.
        Medium,
        /// Before the medium ones.
        High,
        /// Drop everything.
        Urgent,
    }
}

crate::db::text_enum! {
    "snake_case":
    /// Where a ticket came from.
    pub enum TicketSource {
        /// A web form or portal.
        Web,
        /// An email to the support address.
        Email,
        /// Another system, through this API.
        Api,
        /// A chat conversation.
        Chat,
    }
}

crate::db::text_enum! {
    "snake_case":
    /// Who wrote a message.
    pub enum MessageRole {
        /// The customer.
        User,
        /// A support agent (or admin).
        Agent,
        /// An AI assistant.
        Assistant,
        /// The system (automations, notices).
        System,
    }
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::{TicketStatus::*, *};

    #[test]
    fn the_happy_path_is_allowed() {
        for (from, to) in [
            (Open, InProgress),
            (InProgress, PendingCustomer),
            (PendingCustomer, Resolved),
            (Resolved, Closed),
        ] {
            assert!(from.next().contains(&to), "{from:?} → {to:?}");
        }
    }

    #[test]
    fn every_status_can_move_and_no_edge_is_a_loop() {
        for s in TicketStatus::VARIANTS.iter().copied() {
            assert!(!s.next().is_empty());
            assert!(!s.next().contains(&s));
        }
    }

    #[test]
    fn users_may_only_close_or_reopen() {
        assert_eq!(Resolved.allowed_for(Role::User), vec![Closed, Reopened]);
        assert_eq!(Closed.allowed_for(Role::User), vec![Reopened]);
        assert!(Open.allowed_for(Role::User).is_empty());
        assert_eq!(Open.allowed_for(Role::Agent), Open.next());
    }
}
