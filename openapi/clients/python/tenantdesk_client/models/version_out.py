from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="VersionOut")


@_attrs_define
class VersionOut:
    """A version of a document's content.

    Attributes:
        content_sha256 (str): sha256 (hex) of the normalized content.
        content_type (str):
        valid_from (datetime.datetime):
        version (int):
        content (str | Unset): The normalized text that is chunked and searched (only on `GET …/versions/{version}`).
        raw_content (str | Unset): The content as sent (only on `GET …/versions/{version}`).
        valid_to (datetime.datetime | Unset): When a newer version replaced it; absent for the current version.
    """

    content_sha256: str
    content_type: str
    valid_from: datetime.datetime
    version: int
    content: str | Unset = UNSET
    raw_content: str | Unset = UNSET
    valid_to: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        content_sha256 = self.content_sha256

        content_type = self.content_type

        valid_from = self.valid_from.isoformat()

        version = self.version

        content = self.content

        raw_content = self.raw_content

        valid_to: str | Unset = UNSET
        if not isinstance(self.valid_to, Unset):
            valid_to = self.valid_to.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "content_sha256": content_sha256,
                "content_type": content_type,
                "valid_from": valid_from,
                "version": version,
            }
        )
        if content is not UNSET:
            field_dict["content"] = content
        if raw_content is not UNSET:
            field_dict["raw_content"] = raw_content
        if valid_to is not UNSET:
            field_dict["valid_to"] = valid_to

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        content_sha256 = d.pop("content_sha256")

        content_type = d.pop("content_type")

        valid_from = datetime.datetime.fromisoformat(d.pop("valid_from"))

        version = d.pop("version")

        content = d.pop("content", UNSET)

        raw_content = d.pop("raw_content", UNSET)

        _valid_to = d.pop("valid_to", UNSET)
        valid_to: datetime.datetime | Unset
        if isinstance(_valid_to, Unset):
            valid_to = UNSET
        else:
            valid_to = datetime.datetime.fromisoformat(_valid_to)

        version_out = cls(
            content_sha256=content_sha256,
            content_type=content_type,
            valid_from=valid_from,
            version=version,
            content=content,
            raw_content=raw_content,
            valid_to=valid_to,
        )

        version_out.additional_properties = d
        return version_out

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
