from enum import StrEnum


class UsageGroup(StrEnum):
    DAY = "day"
    KEY = "key"
    ROUTE = "route"
    STATUS_CLASS = "status_class"

    def __str__(self) -> str:
        return str(self.value)
