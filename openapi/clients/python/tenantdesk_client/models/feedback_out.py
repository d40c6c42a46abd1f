from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FeedbackOut")


@_attrs_define
class FeedbackOut:
    """The asker's rating of an answer.

    Attributes:
        at (datetime.datetime):
        helpful (bool):
        by (UUID | Unset): The user who rated it (absent for an API key).
        comment (str | Unset):
    """

    at: datetime.datetime
    helpful: bool
    by: UUID | Unset = UNSET
    comment: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        helpful = self.helpful

        by: str | Unset = UNSET
        if not isinstance(self.by, Unset):
            by = str(self.by)

        comment = self.comment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "helpful": helpful,
            }
        )
        if by is not UNSET:
            field_dict["by"] = by
        if comment is not UNSET:
            field_dict["comment"] = comment

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        helpful = d.pop("helpful")

        _by = d.pop("by", UNSET)
        by: UUID | Unset
        if isinstance(_by, Unset):
            by = UNSET
        else:
            by = UUID(_by)

        comment = d.pop("comment", UNSET)

        feedback_out = cls(
            at=at,
            helpful=helpful,
            by=by,
            comment=comment,
        )

        feedback_out.additional_properties = d
        return feedback_out

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
