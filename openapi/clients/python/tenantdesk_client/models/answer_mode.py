from enum import StrEnum


class AnswerMode(StrEnum):
    EXTRACTIVE = "extractive"
    GENERATIVE = "generative"

    def __str__(self) -> str:
        return str(self.value)
