from enum import StrEnum


class LogChannel(StrEnum):
    ASK = "ask"
    TICKET = "ticket"

    def __str__(self) -> str:
        return str(self.value)
