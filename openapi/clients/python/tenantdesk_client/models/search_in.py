from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.search_mode import SearchMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.search_filters import SearchFilters


T = TypeVar("T", bound="SearchIn")


@_attrs_define
class SearchIn:
    """A search request: a text `query`, a `vector`, or both.

    Attributes:
        filters (SearchFilters | Unset): Narrowing the search; all given filters must hold.
        min_score (float | Unset): Drop results whose `score` is lower: cosine similarity (semantic), BM25 (keyword) or
            the
            fused reciprocal-rank score (hybrid: at most (1 + 1.5) / 11 ≈ 0.227, for a chunk first in
            both lists). To threshold hybrid results on
            similarity, filter on `semantic_score` instead.
        mode (SearchMode | Unset): How results are found.
        model (str | Unset): Whose vectors to search (default: the service's model). Only chunks embedded by this model
            are compared and returned. 1–200 characters.
        query (str | Unset): The question or keywords (1–2000 characters). Embedded with the service's model for
            semantic search unless `vector` is given. Web-search operators (`"a phrase"`, `or`,
            `-word`) make keyword matching strict; exclusions (`-word`, `-"a phrase"`) leave the
            chunks matching them out of every mode and are not embedded. A query of exclusions only
            is a 422 (nothing to search for).
        top_k (int | Unset): Number of results, 1–100 (default 10).
        vector (list[float] | Unset): A query vector made by the client (1–4096 numbers), for semantic search (with
            `model`).
    """

    filters: SearchFilters | Unset = UNSET
    min_score: float | Unset = UNSET
    mode: SearchMode | Unset = UNSET
    model: str | Unset = UNSET
    query: str | Unset = UNSET
    top_k: int | Unset = UNSET
    vector: list[float] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        filters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.filters, Unset):
            filters = self.filters.to_dict()

        min_score = self.min_score

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        model = self.model

        query = self.query

        top_k = self.top_k

        vector: list[float] | Unset = UNSET
        if not isinstance(self.vector, Unset):
            vector = self.vector

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if filters is not UNSET:
            field_dict["filters"] = filters
        if min_score is not UNSET:
            field_dict["min_score"] = min_score
        if mode is not UNSET:
            field_dict["mode"] = mode
        if model is not UNSET:
            field_dict["model"] = model
        if query is not UNSET:
            field_dict["query"] = query
        if top_k is not UNSET:
            field_dict["top_k"] = top_k
        if vector is not UNSET:
            field_dict["vector"] = vector

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.search_filters import SearchFilters

        d = dict(src_dict)
        _filters = d.pop("filters", UNSET)
        filters: SearchFilters | Unset
        if isinstance(_filters, Unset):
            filters = UNSET
        else:
            filters = SearchFilters.from_dict(_filters)

        min_score = d.pop("min_score", UNSET)

        _mode = d.pop("mode", UNSET)
        mode: SearchMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = SearchMode(_mode)

        model = d.pop("model", UNSET)

        query = d.pop("query", UNSET)

        top_k = d.pop("top_k", UNSET)

        vector = cast(list[float], d.pop("vector", UNSET))

        search_in = cls(
            filters=filters,
            min_score=min_score,
            mode=mode,
            model=model,
            query=query,
            top_k=top_k,
            vector=vector,
        )

        return search_in
