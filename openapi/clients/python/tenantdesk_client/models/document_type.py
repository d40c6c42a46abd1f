from enum import StrEnum


class DocumentType(StrEnum):
    API = "api"
    FAQ = "faq"
    GUIDE = "guide"
    OTHER = "other"
    POLICY = "policy"

    def __str__(self) -> str:
        return str(self.value)
