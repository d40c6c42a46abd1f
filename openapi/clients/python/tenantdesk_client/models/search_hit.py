from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.language import Language
from ..types import UNSET, Unset

T = TypeVar("T", bound="SearchHit")


@_attrs_define
class SearchHit:
    """One matching chunk.

    Attributes:
        chunk_id (UUID):
        chunk_index (int): The chunk's position in its document version.
        content (str): The chunk's text.
        document_id (UUID):
        language (Language): The language a text is indexed in for keyword search: English and Russian are stemmed (the
            PostgreSQL `english` and `russian` configurations), anything else is indexed word by word
            (`simple`). The database maps it in `kb_regconfig` (sql/0050), and a CHECK on every
            `language` column lists the same values.
        rank (int): 1-based position in these results (the fused rank in `hybrid`).
        score (float): Higher is better; its meaning depends on the mode (see `min_score`): in `semantic` it is
            `semantic_score`, in `keyword` it is `keyword_score`, in `hybrid` the fused score.
        title (str):
        version (int): The document version the chunk belongs to (always the current one).
        keyword_rank (int | Unset): 1-based position of the chunk in the keyword list before fusion, when it was in it.
        keyword_score (float | Unset): BM25 score of the keyword match (0 or more; grows with matched rare words, not
            bounded,
            and not comparable across tenants or languages): present when keyword matching found
            the chunk among its best.
        semantic_rank (int | Unset): 1-based position of the chunk in the semantic list before fusion, when it was in
            it.
        semantic_score (float | Unset): Cosine similarity of the chunk's vector to the query vector, -1 to 1: in
            `semantic` and
            `hybrid` (where every result has it, also those only keyword matching found). Comparable
            across queries of one model; absent in `keyword`.
        source_url (str | Unset):
    """

    chunk_id: UUID
    chunk_index: int
    content: str
    document_id: UUID
    language: Language
    rank: int
    score: float
    title: str
    version: int
    keyword_rank: int | Unset = UNSET
    keyword_score: float | Unset = UNSET
    semantic_rank: int | Unset = UNSET
    semantic_score: float | Unset = UNSET
    source_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chunk_id = str(self.chunk_id)

        chunk_index = self.chunk_index

        content = self.content

        document_id = str(self.document_id)

        language = self.language.value

        rank = self.rank

        score = self.score

        title = self.title

        version = self.version

        keyword_rank = self.keyword_rank

        keyword_score = self.keyword_score

        semantic_rank = self.semantic_rank

        semantic_score = self.semantic_score

        source_url = self.source_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "chunk_id": chunk_id,
                "chunk_index": chunk_index,
                "content": content,
                "document_id": document_id,
                "language": language,
                "rank": rank,
                "score": score,
                "title": title,
                "version": version,
            }
        )
        if keyword_rank is not UNSET:
            field_dict["keyword_rank"] = keyword_rank
        if keyword_score is not UNSET:
            field_dict["keyword_score"] = keyword_score
        if semantic_rank is not UNSET:
            field_dict["semantic_rank"] = semantic_rank
        if semantic_score is not UNSET:
            field_dict["semantic_score"] = semantic_score
        if source_url is not UNSET:
            field_dict["source_url"] = source_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        chunk_id = UUID(d.pop("chunk_id"))

        chunk_index = d.pop("chunk_index")

        content = d.pop("content")

        document_id = UUID(d.pop("document_id"))

        language = Language(d.pop("language"))

        rank = d.pop("rank")

        score = d.pop("score")

        title = d.pop("title")

        version = d.pop("version")

        keyword_rank = d.pop("keyword_rank", UNSET)

        keyword_score = d.pop("keyword_score", UNSET)

        semantic_rank = d.pop("semantic_rank", UNSET)

        semantic_score = d.pop("semantic_score", UNSET)

        source_url = d.pop("source_url", UNSET)

        search_hit = cls(
            chunk_id=chunk_id,
            chunk_index=chunk_index,
            content=content,
            document_id=document_id,
            language=language,
            rank=rank,
            score=score,
            title=title,
            version=version,
            keyword_rank=keyword_rank,
            keyword_score=keyword_score,
            semantic_rank=semantic_rank,
            semantic_score=semantic_score,
            source_url=source_url,
        )

        search_hit.additional_properties = d
        return search_hit

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
