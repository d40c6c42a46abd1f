from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.search_filters import SearchFilters


T = TypeVar("T", bound="AskIn")


@_attrs_define
class AskIn:
    """A question for the assistant.

    Attributes:
        question (str): The question, 1–4,000 characters.
        filters (SearchFilters | Unset): Narrowing the search; all given filters must hold.
    """

    question: str
    filters: SearchFilters | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        question = self.question

        filters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.filters, Unset):
            filters = self.filters.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "question": question,
            }
        )
        if filters is not UNSET:
            field_dict["filters"] = filters

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.search_filters import SearchFilters

        d = dict(src_dict)
        question = d.pop("question")

        _filters = d.pop("filters", UNSET)
        filters: SearchFilters | Unset
        if isinstance(_filters, Unset):
            filters = UNSET
        else:
            filters = SearchFilters.from_dict(_filters)

        ask_in = cls(
            question=question,
            filters=filters,
        )

        return ask_in
