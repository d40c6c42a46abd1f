from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.document_type import DocumentType
from ..models.language import Language
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.document_in_metadata import DocumentInMetadata


T = TypeVar("T", bound="DocumentIn")


@_attrs_define
class DocumentIn:
    """A new document.

    Attributes:
        content (str): The text (at most `KB_MAX_DOCUMENT_BYTES`, default 512 KiB; more answers 413).
        title (str): 1–500 characters.
        category (str | Unset): Free-form category, up to 200 characters (a search filter).
        collection_id (UUID | Unset): The collection it belongs to.
        content_type (str | Unset): `text/plain` (default), `text/markdown` or `text/html` (reduced to its text), in any
            case, parameters (`; charset=utf-8`) ignored.
        language (Language | Unset): The language a text is indexed in for keyword search: English and Russian are
            stemmed (the
            PostgreSQL `english` and `russian` configurations), anything else is indexed word by word
            (`simple`). The database maps it in `kb_regconfig` (sql/0050), and a CHECK on every
            `language` column lists the same values.
        metadata (DocumentInMetadata | Unset): A JSON object, matched by containment in search filters.
        source_url (str | Unset): Where the content comes from: an http or https URL, up to 2000 characters.
        type_ (DocumentType | Unset): What kind of text a document is.
    """

    content: str
    title: str
    category: str | Unset = UNSET
    collection_id: UUID | Unset = UNSET
    content_type: str | Unset = UNSET
    language: Language | Unset = UNSET
    metadata: DocumentInMetadata | Unset = UNSET
    source_url: str | Unset = UNSET
    type_: DocumentType | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        content = self.content

        title = self.title

        category = self.category

        collection_id: str | Unset = UNSET
        if not isinstance(self.collection_id, Unset):
            collection_id = str(self.collection_id)

        content_type = self.content_type

        language: str | Unset = UNSET
        if not isinstance(self.language, Unset):
            language = self.language.value

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        source_url = self.source_url

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "content": content,
                "title": title,
            }
        )
        if category is not UNSET:
            field_dict["category"] = category
        if collection_id is not UNSET:
            field_dict["collection_id"] = collection_id
        if content_type is not UNSET:
            field_dict["content_type"] = content_type
        if language is not UNSET:
            field_dict["language"] = language
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if source_url is not UNSET:
            field_dict["source_url"] = source_url
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.document_in_metadata import DocumentInMetadata

        d = dict(src_dict)
        content = d.pop("content")

        title = d.pop("title")

        category = d.pop("category", UNSET)

        _collection_id = d.pop("collection_id", UNSET)
        collection_id: UUID | Unset
        if isinstance(_collection_id, Unset):
            collection_id = UNSET
        else:
            collection_id = UUID(_collection_id)

        content_type = d.pop("content_type", UNSET)

        _language = d.pop("language", UNSET)
        language: Language | Unset
        if isinstance(_language, Unset):
            language = UNSET
        else:
            language = Language(_language)

        _metadata = d.pop("metadata", UNSET)
        metadata: DocumentInMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = DocumentInMetadata.from_dict(_metadata)

        source_url = d.pop("source_url", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: DocumentType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = DocumentType(_type_)

        document_in = cls(
            content=content,
            title=title,
            category=category,
            collection_id=collection_id,
            content_type=content_type,
            language=language,
            metadata=metadata,
            source_url=source_url,
            type_=type_,
        )

        return document_in
