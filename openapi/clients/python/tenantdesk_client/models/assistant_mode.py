from enum import StrEnum


class AssistantMode(StrEnum):
    DRAFT = "draft"
    OFF = "off"
    REPLY = "reply"

    def __str__(self) -> str:
        return str(self.value)
