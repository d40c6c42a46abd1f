from enum import StrEnum


class Rule(StrEnum):
    CANNOT_HELP = "cannot_help"
    HUMAN_REQUEST = "human_request"
    KEYWORD = "keyword"
    LOW_SCORE = "low_score"

    def __str__(self) -> str:
        return str(self.value)
