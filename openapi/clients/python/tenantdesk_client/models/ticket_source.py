from enum import StrEnum


class TicketSource(StrEnum):
    API = "api"
    CHAT = "chat"
    EMAIL = "email"
    WEB = "web"

    def __str__(self) -> str:
        return str(self.value)
