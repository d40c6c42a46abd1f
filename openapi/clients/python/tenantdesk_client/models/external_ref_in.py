from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.external_ref_in_metadata import ExternalRefInMetadata


T = TypeVar("T", bound="ExternalRefIn")


@_attrs_define
class ExternalRefIn:
    """A new external reference.

    Attributes:
        external_id (str): The record's id there, 1–200 characters. A (system, external_id) pair links to one
            ticket of the tenant at most.
        system (str): The other system's name: lowercase letters, digits, `_`, `.`, `-`, up to 50 characters
            (`jira`, `salesforce`), starting with a letter or digit.
        metadata (ExternalRefInMetadata | Unset): Any JSON object.
        url (str | Unset): A link to the record: an http or https URL, up to 2,000 characters.
    """

    external_id: str
    system: str
    metadata: ExternalRefInMetadata | Unset = UNSET
    url: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        external_id = self.external_id

        system = self.system

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "external_id": external_id,
                "system": system,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.external_ref_in_metadata import ExternalRefInMetadata

        d = dict(src_dict)
        external_id = d.pop("external_id")

        system = d.pop("system")

        _metadata = d.pop("metadata", UNSET)
        metadata: ExternalRefInMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = ExternalRefInMetadata.from_dict(_metadata)

        url = d.pop("url", UNSET)

        external_ref_in = cls(
            external_id=external_id,
            system=system,
            metadata=metadata,
            url=url,
        )

        return external_ref_in
