from enum import StrEnum


class RunTrigger(StrEnum):
    AGENT_REQUEST = "agent_request"
    CUSTOMER_MESSAGE = "customer_message"
    TICKET_CREATED = "ticket_created"

    def __str__(self) -> str:
        return str(self.value)
