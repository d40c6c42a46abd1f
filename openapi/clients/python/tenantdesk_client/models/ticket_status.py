from enum import StrEnum


class TicketStatus(StrEnum):
    CLOSED = "closed"
    ESCALATED = "escalated"
    IN_PROGRESS = "in_progress"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    REOPENED = "reopened"
    RESOLVED = "resolved"

    def __str__(self) -> str:
        return str(self.value)
