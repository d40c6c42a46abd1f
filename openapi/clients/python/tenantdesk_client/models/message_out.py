from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.message_role import MessageRole
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.message_out_metadata import MessageOutMetadata


T = TypeVar("T", bound="MessageOut")


@_attrs_define
class MessageOut:
    """A message on a ticket.

    Attributes:
        content (str): The text.
        created_at (datetime.datetime): When it was written.
        id (UUID): The message's id; messages sort by it.
        is_internal (bool): An internal note, never shown to the customer.
        metadata (MessageOutMetadata): Any JSON object kept with the message.
        role (MessageRole): Who wrote a message.
        ticket_id (UUID): The ticket it belongs to.
        author_id (UUID | Unset): The user who wrote it; absent for API keys, superadmins and automations.
    """

    content: str
    created_at: datetime.datetime
    id: UUID
    is_internal: bool
    metadata: MessageOutMetadata
    role: MessageRole
    ticket_id: UUID
    author_id: UUID | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        content = self.content

        created_at = self.created_at.isoformat()

        id = str(self.id)

        is_internal = self.is_internal

        metadata = self.metadata.to_dict()

        role = self.role.value

        ticket_id = str(self.ticket_id)

        author_id: str | Unset = UNSET
        if not isinstance(self.author_id, Unset):
            author_id = str(self.author_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "content": content,
                "created_at": created_at,
                "id": id,
                "is_internal": is_internal,
                "metadata": metadata,
                "role": role,
                "ticket_id": ticket_id,
            }
        )
        if author_id is not UNSET:
            field_dict["author_id"] = author_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.message_out_metadata import MessageOutMetadata

        d = dict(src_dict)
        content = d.pop("content")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        is_internal = d.pop("is_internal")

        metadata = MessageOutMetadata.from_dict(d.pop("metadata"))

        role = MessageRole(d.pop("role"))

        ticket_id = UUID(d.pop("ticket_id"))

        _author_id = d.pop("author_id", UNSET)
        author_id: UUID | Unset
        if isinstance(_author_id, Unset):
            author_id = UNSET
        else:
            author_id = UUID(_author_id)

        message_out = cls(
            content=content,
            created_at=created_at,
            id=id,
            is_internal=is_internal,
            metadata=metadata,
            role=role,
            ticket_id=ticket_id,
            author_id=author_id,
        )

        message_out.additional_properties = d
        return message_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
