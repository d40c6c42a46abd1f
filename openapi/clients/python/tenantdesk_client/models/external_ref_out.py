from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.external_ref_out_metadata import ExternalRefOutMetadata


T = TypeVar("T", bound="ExternalRefOut")


@_attrs_define
class ExternalRefOut:
    """A reference from a ticket to a record in another system.

    Attributes:
        created_at (datetime.datetime): When it was added.
        external_id (str): The record's id in that system.
        id (UUID): The reference's id.
        metadata (ExternalRefOutMetadata): Any JSON object kept with the reference.
        system (str): The other system's name.
        ticket_id (UUID): The ticket it links from.
        created_by (UUID | Unset): The user who added it; absent for API keys and superadmins.
        url (str | Unset): A link to the record.
    """

    created_at: datetime.datetime
    external_id: str
    id: UUID
    metadata: ExternalRefOutMetadata
    system: str
    ticket_id: UUID
    created_by: UUID | Unset = UNSET
    url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        external_id = self.external_id

        id = str(self.id)

        metadata = self.metadata.to_dict()

        system = self.system

        ticket_id = str(self.ticket_id)

        created_by: str | Unset = UNSET
        if not isinstance(self.created_by, Unset):
            created_by = str(self.created_by)

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "external_id": external_id,
                "id": id,
                "metadata": metadata,
                "system": system,
                "ticket_id": ticket_id,
            }
        )
        if created_by is not UNSET:
            field_dict["created_by"] = created_by
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.external_ref_out_metadata import ExternalRefOutMetadata

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        external_id = d.pop("external_id")

        id = UUID(d.pop("id"))

        metadata = ExternalRefOutMetadata.from_dict(d.pop("metadata"))

        system = d.pop("system")

        ticket_id = UUID(d.pop("ticket_id"))

        _created_by = d.pop("created_by", UNSET)
        created_by: UUID | Unset
        if isinstance(_created_by, Unset):
            created_by = UNSET
        else:
            created_by = UUID(_created_by)

        url = d.pop("url", UNSET)

        external_ref_out = cls(
            created_at=created_at,
            external_id=external_id,
            id=id,
            metadata=metadata,
            system=system,
            ticket_id=ticket_id,
            created_by=created_by,
            url=url,
        )

        external_ref_out.additional_properties = d
        return external_ref_out

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
