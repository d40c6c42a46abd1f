from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FeedbackIn")


@_attrs_define
class FeedbackIn:
    """A rating of an answer.

    Attributes:
        helpful (bool): Whether the answer helped.
        comment (str | Unset): Why, 1–2,000 characters.
    """

    helpful: bool
    comment: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        helpful = self.helpful

        comment = self.comment

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "helpful": helpful,
            }
        )
        if comment is not UNSET:
            field_dict["comment"] = comment

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        helpful = d.pop("helpful")

        comment = d.pop("comment", UNSET)

        feedback_in = cls(
            helpful=helpful,
            comment=comment,
        )

        return feedback_in
