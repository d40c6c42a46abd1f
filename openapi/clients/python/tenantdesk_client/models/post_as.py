from enum import StrEnum


class PostAs(StrEnum):
    DRAFT = "draft"
    REPLY = "reply"

    def __str__(self) -> str:
        return str(self.value)
