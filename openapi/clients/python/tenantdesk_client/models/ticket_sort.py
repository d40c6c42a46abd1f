from enum import StrEnum


class TicketSort(StrEnum):
    CREATED = "created"
    PRIORITY = "priority"
    UPDATED = "updated"

    def __str__(self) -> str:
        return str(self.value)
