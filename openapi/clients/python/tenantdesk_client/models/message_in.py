from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.message_role import MessageRole
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.message_in_metadata import MessageInMetadata


T = TypeVar("T", bound="MessageIn")


@_attrs_define
class MessageIn:
    """A new message on a ticket.

    Attributes:
        content (str): 1–50,000 characters.
        is_internal (bool | Unset): An internal note, hidden from the customer. Agents and admins only. Default: False.
        metadata (MessageInMetadata | Unset): Any JSON object.
        role (MessageRole | Unset): Who wrote a message.
    """

    content: str
    is_internal: bool | Unset = False
    metadata: MessageInMetadata | Unset = UNSET
    role: MessageRole | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        content = self.content

        is_internal = self.is_internal

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "content": content,
            }
        )
        if is_internal is not UNSET:
            field_dict["is_internal"] = is_internal
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.message_in_metadata import MessageInMetadata

        d = dict(src_dict)
        content = d.pop("content")

        is_internal = d.pop("is_internal", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: MessageInMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = MessageInMetadata.from_dict(_metadata)

        _role = d.pop("role", UNSET)
        role: MessageRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = MessageRole(_role)

        message_in = cls(
            content=content,
            is_internal=is_internal,
            metadata=metadata,
            role=role,
        )

        return message_in
