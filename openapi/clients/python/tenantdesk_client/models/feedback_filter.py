from enum import StrEnum


class FeedbackFilter(StrEnum):
    HELPFUL = "helpful"
    NONE = "none"
    UNHELPFUL = "unhelpful"

    def __str__(self) -> str:
        return str(self.value)
