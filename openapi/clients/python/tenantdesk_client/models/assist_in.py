from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.post_as import PostAs
from ..types import UNSET, Unset

T = TypeVar("T", bound="AssistIn")


@_attrs_define
class AssistIn:
    """An agent's request for an answer.

    Attributes:
        post_as (PostAs | Unset): How a run posts its answer.
    """

    post_as: PostAs | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        post_as: str | Unset = UNSET
        if not isinstance(self.post_as, Unset):
            post_as = self.post_as.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if post_as is not UNSET:
            field_dict["post_as"] = post_as

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _post_as = d.pop("post_as", UNSET)
        post_as: PostAs | Unset
        if isinstance(_post_as, Unset):
            post_as = UNSET
        else:
            post_as = PostAs(_post_as)

        assist_in = cls(
            post_as=post_as,
        )

        return assist_in
