from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.language import Language
from ..models.ticket_priority import TicketPriority
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ticket_patch_metadata_type_0 import TicketPatchMetadataType0


T = TypeVar("T", bound="TicketPatch")


@_attrs_define
class TicketPatch:
    """Changes to a ticket; absent fields stay as they are. The status changes only through
    `POST /v1/tickets/{id}/transitions`. A `user` may change only `title` and `description`.

        Attributes:
            assignee_id (None | Unset | UUID): An active agent or admin of the tenant; `null` unassigns.
            description (None | str | Unset): Up to 50,000 characters; `null` empties it.
            language (Language | Unset): The language a text is indexed in for keyword search: English and Russian are
                stemmed (the
                PostgreSQL `english` and `russian` configurations), anything else is indexed word by word
                (`simple`). The database maps it in `kb_regconfig` (sql/0050), and a CHECK on every
                `language` column lists the same values.
            metadata (None | TicketPatchMetadataType0 | Unset): Replaces the metadata object; `null` empties it.
            priority (TicketPriority | Unset): How urgent a ticket is.
            tags (list[str] | None | Unset): Replaces the tags (up to 50 of 1–50 characters each); `null` removes them all.
            title (str | Unset): 1–300 characters.
    """

    assignee_id: None | Unset | UUID = UNSET
    description: None | str | Unset = UNSET
    language: Language | Unset = UNSET
    metadata: None | TicketPatchMetadataType0 | Unset = UNSET
    priority: TicketPriority | Unset = UNSET
    tags: list[str] | None | Unset = UNSET
    title: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.ticket_patch_metadata_type_0 import TicketPatchMetadataType0

        assignee_id: None | str | Unset
        if isinstance(self.assignee_id, Unset):
            assignee_id = UNSET
        elif isinstance(self.assignee_id, UUID):
            assignee_id = str(self.assignee_id)
        else:
            assignee_id = self.assignee_id

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        language: str | Unset = UNSET
        if not isinstance(self.language, Unset):
            language = self.language.value

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, TicketPatchMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        priority: str | Unset = UNSET
        if not isinstance(self.priority, Unset):
            priority = self.priority.value

        tags: list[str] | None | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, list):
            tags = self.tags

        else:
            tags = self.tags

        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update({})
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
        if tags is not UNSET:
            field_dict["tags"] = tags
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ticket_patch_metadata_type_0 import TicketPatchMetadataType0

        d = dict(src_dict)

        def _parse_assignee_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                assignee_id_type_0 = UUID(data)

                return assignee_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        assignee_id = _parse_assignee_id(d.pop("assignee_id", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        _language = d.pop("language", UNSET)
        language: Language | Unset
        if isinstance(_language, Unset):
            language = UNSET
        else:
            language = Language(_language)

        def _parse_metadata(data: object) -> None | TicketPatchMetadataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = TicketPatchMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TicketPatchMetadataType0 | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        _priority = d.pop("priority", UNSET)
        priority: TicketPriority | Unset
        if isinstance(_priority, Unset):
            priority = UNSET
        else:
            priority = TicketPriority(_priority)

        def _parse_tags(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tags_type_0 = cast(list[str], data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))

        title = d.pop("title", UNSET)

        ticket_patch = cls(
            assignee_id=assignee_id,
            description=description,
            language=language,
            metadata=metadata,
            priority=priority,
            tags=tags,
            title=title,
        )

        return ticket_patch
