from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.query_out import QueryOut


T = TypeVar("T", bound="KnowledgeAnalyticsOut")


@_attrs_define
class KnowledgeAnalyticsOut:
    """The knowledge base: its size now, and its searches over `[from, to)`.

    Attributes:
        chunks (int): Chunks now.
        documents (int): Live documents now.
        from_ (datetime.datetime):
        searches (int): Searches in the period (`POST /v1/search`).
        to (datetime.datetime):
        top_queries (list[QueryOut]): The 20 most frequent queries.
        zero_result_searches (int): Of them, searches that returned no result.
    """

    chunks: int
    documents: int
    from_: datetime.datetime
    searches: int
    to: datetime.datetime
    top_queries: list[QueryOut]
    zero_result_searches: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chunks = self.chunks

        documents = self.documents

        from_ = self.from_.isoformat()

        searches = self.searches

        to = self.to.isoformat()

        top_queries = []
        for top_queries_item_data in self.top_queries:
            top_queries_item = top_queries_item_data.to_dict()
            top_queries.append(top_queries_item)

        zero_result_searches = self.zero_result_searches

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "chunks": chunks,
                "documents": documents,
                "from": from_,
                "searches": searches,
                "to": to,
                "top_queries": top_queries,
                "zero_result_searches": zero_result_searches,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.query_out import QueryOut

        d = dict(src_dict)
        chunks = d.pop("chunks")

        documents = d.pop("documents")

        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        searches = d.pop("searches")

        to = datetime.datetime.fromisoformat(d.pop("to"))

        top_queries = []
        _top_queries = d.pop("top_queries")
        for top_queries_item_data in _top_queries:
            top_queries_item = QueryOut.from_dict(top_queries_item_data)

            top_queries.append(top_queries_item)

        zero_result_searches = d.pop("zero_result_searches")

        knowledge_analytics_out = cls(
            chunks=chunks,
            documents=documents,
            from_=from_,
            searches=searches,
            to=to,
            top_queries=top_queries,
            zero_result_searches=zero_result_searches,
        )

        knowledge_analytics_out.additional_properties = d
        return knowledge_analytics_out

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
