from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.language import Language
from ..models.ticket_priority import TicketPriority
from ..models.ticket_source import TicketSource
from ..models.ticket_status import TicketStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ticket_out_metadata import TicketOutMetadata


T = TypeVar("T", bound="TicketOut")


@_attrs_define
class TicketOut:
    """A support ticket.

    Attributes:
        created_at (datetime.datetime): When it was opened.
        description (str): Free text, up to 50,000 characters.
        id (UUID): The ticket's id (UUIDv7).
        language (Language): The language a text is indexed in for keyword search: English and Russian are stemmed (the
            PostgreSQL `english` and `russian` configurations), anything else is indexed word by word
            (`simple`). The database maps it in `kb_regconfig` (sql/0050), and a CHECK on every
            `language` column lists the same values.
        metadata (TicketOutMetadata): Any JSON object the client keeps with the ticket.
        number (str): The tenant's human-readable number, `TCK-<n>`.
        priority (TicketPriority): How urgent a ticket is.
        source (TicketSource): Where a ticket came from.
        status (TicketStatus): Where a ticket is in its life.
        tags (list[str]): Labels for triage and filtering.
        title (str): 1–300 characters.
        updated_at (datetime.datetime): When the ticket itself last changed (a message counts only when it changes the
            status).
        version (int): Increases with every change; the `ETag` is derived from it.
        assignee_id (UUID | Unset): The agent or admin working on it.
        closed_at (datetime.datetime | Unset): When it was closed (cleared when reopened).
        creator_id (UUID | Unset): The user who opened it; absent when an API key or a superadmin did.
        resolved_at (datetime.datetime | Unset): When it was last resolved (cleared when reopened).
    """

    created_at: datetime.datetime
    description: str
    id: UUID
    language: Language
    metadata: TicketOutMetadata
    number: str
    priority: TicketPriority
    source: TicketSource
    status: TicketStatus
    tags: list[str]
    title: str
    updated_at: datetime.datetime
    version: int
    assignee_id: UUID | Unset = UNSET
    closed_at: datetime.datetime | Unset = UNSET
    creator_id: UUID | Unset = UNSET
    resolved_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description = self.description

        id = str(self.id)

        language = self.language.value

        metadata = self.metadata.to_dict()

        number = self.number

        priority = self.priority.value

        source = self.source.value

        status = self.status.value

        tags = self.tags

        title = self.title

        updated_at = self.updated_at.isoformat()

        version = self.version

        assignee_id: str | Unset = UNSET
        if not isinstance(self.assignee_id, Unset):
            assignee_id = str(self.assignee_id)

        closed_at: str | Unset = UNSET
        if not isinstance(self.closed_at, Unset):
            closed_at = self.closed_at.isoformat()

        creator_id: str | Unset = UNSET
        if not isinstance(self.creator_id, Unset):
            creator_id = str(self.creator_id)

        resolved_at: str | Unset = UNSET
        if not isinstance(self.resolved_at, Unset):
            resolved_at = self.resolved_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "id": id,
                "language": language,
                "metadata": metadata,
                "number": number,
                "priority": priority,
                "source": source,
                "status": status,
                "tags": tags,
                "title": title,
                "updated_at": updated_at,
                "version": version,
            }
        )
        if assignee_id is not UNSET:
            field_dict["assignee_id"] = assignee_id
        if closed_at is not UNSET:
            field_dict["closed_at"] = closed_at
        if creator_id is not UNSET:
            field_dict["creator_id"] = creator_id
        if resolved_at is not UNSET:
            field_dict["resolved_at"] = resolved_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ticket_out_metadata import TicketOutMetadata

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        description = d.pop("description")

        id = UUID(d.pop("id"))

        language = Language(d.pop("language"))

        metadata = TicketOutMetadata.from_dict(d.pop("metadata"))

        number = d.pop("number")

        priority = TicketPriority(d.pop("priority"))

        source = TicketSource(d.pop("source"))

        status = TicketStatus(d.pop("status"))

        tags = cast(list[str], d.pop("tags"))

        title = d.pop("title")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        _assignee_id = d.pop("assignee_id", UNSET)
        assignee_id: UUID | Unset
        if isinstance(_assignee_id, Unset):
            assignee_id = UNSET
        else:
            assignee_id = UUID(_assignee_id)

        _closed_at = d.pop("closed_at", UNSET)
        closed_at: datetime.datetime | Unset
        if isinstance(_closed_at, Unset):
            closed_at = UNSET
        else:
            closed_at = datetime.datetime.fromisoformat(_closed_at)

        _creator_id = d.pop("creator_id", UNSET)
        creator_id: UUID | Unset
        if isinstance(_creator_id, Unset):
            creator_id = UNSET
        else:
            creator_id = UUID(_creator_id)

        _resolved_at = d.pop("resolved_at", UNSET)
        resolved_at: datetime.datetime | Unset
        if isinstance(_resolved_at, Unset):
            resolved_at = UNSET
        else:
            resolved_at = datetime.datetime.fromisoformat(_resolved_at)

        ticket_out = cls(
            created_at=created_at,
            description=description,
            id=id,
            language=language,
            metadata=metadata,
            number=number,
            priority=priority,
            source=source,
            status=status,
            tags=tags,
            title=title,
            updated_at=updated_at,
            version=version,
            assignee_id=assignee_id,
            closed_at=closed_at,
            creator_id=creator_id,
            resolved_at=resolved_at,
        )

        ticket_out.additional_properties = d
        return ticket_out

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
