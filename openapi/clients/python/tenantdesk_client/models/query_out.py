from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="QueryOut")


@_attrs_define
class QueryOut:
    """A frequent search query.

    Attributes:
        query (str): The query, trimmed and lowercased.
        searches (int): Searches with it in the period.
        zero_results (int): Of them, searches that found nothing.
    """

    query: str
    searches: int
    zero_results: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        query = self.query

        searches = self.searches

        zero_results = self.zero_results

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "query": query,
                "searches": searches,
                "zero_results": zero_results,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        query = d.pop("query")

        searches = d.pop("searches")

        zero_results = d.pop("zero_results")

        query_out = cls(
            query=query,
            searches=searches,
            zero_results=zero_results,
        )

        query_out.additional_properties = d
        return query_out

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
