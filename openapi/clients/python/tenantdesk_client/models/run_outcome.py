from enum import StrEnum


class RunOutcome(StrEnum):
    DRAFTED = "drafted"
    ESCALATED = "escalated"
    REPLIED = "replied"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return str(self.value)
