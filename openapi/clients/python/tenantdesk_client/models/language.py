from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    OTHER = "other"
    RU = "ru"

    def __str__(self) -> str:
        return str(self.value)
