from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.document_type import DocumentType
from ..models.language import Language
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.search_filters_metadata import SearchFiltersMetadata


T = TypeVar("T", bound="SearchFilters")


@_attrs_define
class SearchFilters:
    """Narrowing the search; all given filters must hold.

    Attributes:
        category (str | Unset): Only documents of this category (up to 200 characters).
        collection_id (UUID | Unset):
        language (Language | Unset): The language a text is indexed in for keyword search: English and Russian are
            stemmed (the
            PostgreSQL `english` and `russian` configurations), anything else is indexed word by word
            (`simple`). The database maps it in `kb_regconfig` (sql/0050), and a CHECK on every
            `language` column lists the same values.
        metadata (SearchFiltersMetadata | Unset): A JSON object the document's metadata must contain (`@>`).
        type_ (DocumentType | Unset): What kind of text a document is.
    """

    category: str | Unset = UNSET
    collection_id: UUID | Unset = UNSET
    language: Language | Unset = UNSET
    metadata: SearchFiltersMetadata | Unset = UNSET
    type_: DocumentType | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        category = self.category

        collection_id: str | Unset = UNSET
        if not isinstance(self.collection_id, Unset):
            collection_id = str(self.collection_id)

        language: str | Unset = UNSET
        if not isinstance(self.language, Unset):
            language = self.language.value

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if category is not UNSET:
            field_dict["category"] = category
        if collection_id is not UNSET:
            field_dict["collection_id"] = collection_id
        if language is not UNSET:
            field_dict["language"] = language
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.search_filters_metadata import SearchFiltersMetadata

        d = dict(src_dict)
        category = d.pop("category", UNSET)

        _collection_id = d.pop("collection_id", UNSET)
        collection_id: UUID | Unset
        if isinstance(_collection_id, Unset):
            collection_id = UNSET
        else:
            collection_id = UUID(_collection_id)

        _language = d.pop("language", UNSET)
        language: Language | Unset
        if isinstance(_language, Unset):
            language = UNSET
        else:
            language = Language(_language)

        _metadata = d.pop("metadata", UNSET)
        metadata: SearchFiltersMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = SearchFiltersMetadata.from_dict(_metadata)

        _type_ = d.pop("type", UNSET)
        type_: DocumentType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = DocumentType(_type_)

        search_filters = cls(
            category=category,
            collection_id=collection_id,
            language=language,
            metadata=metadata,
            type_=type_,
        )

        return search_filters
