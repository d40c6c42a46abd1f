from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.language import Language
from ..models.ticket_priority import TicketPriority
from ..models.ticket_source import TicketSource
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ticket_in_metadata import TicketInMetadata


T = TypeVar("T", bound="TicketIn")


@_attrs_define
class TicketIn:
    """A new ticket.

    Attributes:
        title (str): 1–300 characters.
        assignee_id (UUID | Unset): An active agent or admin of the tenant. Agents and admins only.
        description (str | Unset): Up to 50,000 characters. Default: ''.
        language (Language | Unset): The language a text is indexed in for keyword search: English and Russian are
            stemmed (the
            PostgreSQL `english` and `russian` configurations), anything else is indexed word by word
            (`simple`). The database maps it in `kb_regconfig` (sql/0050), and a CHECK on every
            `language` column lists the same values.
        metadata (TicketInMetadata | Unset): Any JSON object.
        priority (TicketPriority | Unset): How urgent a ticket is.
        source (TicketSource | Unset): Where a ticket came from.
        tags (list[str] | Unset): Up to 50 tags of 1–50 characters each (repeats count once). Agents and admins only.
    """

    title: str
    assignee_id: UUID | Unset = UNSET
    description: str | Unset = ""
    language: Language | Unset = UNSET
    metadata: TicketInMetadata | Unset = UNSET
    priority: TicketPriority | Unset = UNSET
    source: TicketSource | Unset = UNSET
    tags: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        assignee_id: str | Unset = UNSET
        if not isinstance(self.assignee_id, Unset):
            assignee_id = str(self.assignee_id)

        description = self.description

        language: str | Unset = UNSET
        if not isinstance(self.language, Unset):
            language = self.language.value

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        priority: str | Unset = UNSET
        if not isinstance(self.priority, Unset):
            priority = self.priority.value

        source: str | Unset = UNSET
        if not isinstance(self.source, Unset):
            source = self.source.value

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
            }
        )
        if assignee_id is not UNSET:
            field_dict["assignee_id"] = assignee_id
        if description is not UNSET:
            field_dict["description"] = description
        if language is not UNSET:
            field_dict["language"] = language
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if priority is not UNSET:
            field_dict["priority"] = priority
        if source is not UNSET:
            field_dict["source"] = source
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ticket_in_metadata import TicketInMetadata

        d = dict(src_dict)
        title = d.pop("title")

        _assignee_id = d.pop("assignee_id", UNSET)
        assignee_id: UUID | Unset
        if isinstance(_assignee_id, Unset):
            assignee_id = UNSET
        else:
            assignee_id = UUID(_assignee_id)

        description = d.pop("description", UNSET)

        _language = d.pop("language", UNSET)
        language: Language | Unset
        if isinstance(_language, Unset):
            language = UNSET
        else:
            language = Language(_language)

        _metadata = d.pop("metadata", UNSET)
        metadata: TicketInMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = TicketInMetadata.from_dict(_metadata)

        _priority = d.pop("priority", UNSET)
        priority: TicketPriority | Unset
        if isinstance(_priority, Unset):
            priority = UNSET
        else:
            priority = TicketPriority(_priority)

        _source = d.pop("source", UNSET)
        source: TicketSource | Unset
        if isinstance(_source, Unset):
            source = UNSET
        else:
            source = TicketSource(_source)

        tags = cast(list[str], d.pop("tags", UNSET))

        ticket_in = cls(
            title=title,
            assignee_id=assignee_id,
            description=description,
            language=language,
            metadata=metadata,
            priority=priority,
            source=source,
            tags=tags,
        )

        return ticket_in
