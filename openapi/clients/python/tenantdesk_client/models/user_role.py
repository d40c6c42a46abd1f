from enum import StrEnum


class UserRole(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)
