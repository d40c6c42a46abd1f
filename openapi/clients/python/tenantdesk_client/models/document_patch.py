from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.document_type import DocumentType
from ..models.language import Language
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.document_patch_metadata import DocumentPatchMetadata


T = TypeVar("T", bound="DocumentPatch")


@_attrs_define
class DocumentPatch:
    """Changes to a document; absent fields stay as they are. New `content` makes a new version.

    Attributes:
        category (str | Unset): Up to 200 characters; an empty string clears it.
        collection_id (UUID | Unset): Moves the document into this collection.
        content (str | Unset): New content: a new version when it differs from the current one.
        content_type (str | Unset): The type of the new `content` (default `text/plain`), as in `DocumentIn`.
        is_active (bool | Unset): Inactive documents are kept but not searched.
        language (Language | Unset): The language a text is indexed in for keyword search: English and Russian are
            stemmed (the
            PostgreSQL `english` and `russian` configurations), anything else is indexed word by word
            (`simple`). The database maps it in `kb_regconfig` (sql/0050), and a CHECK on every
            `language` column lists the same values.
        metadata (DocumentPatchMetadata | Unset): Replaces the metadata object.
        source_url (str | Unset): An http or https URL, up to 2000 characters; an empty string clears it.
        title (str | Unset): 1–500 characters.
        type_ (DocumentType | Unset): What kind of text a document is.
    """

    category: str | Unset = UNSET
    collection_id: UUID | Unset = UNSET
    content: str | Unset = UNSET
    content_type: str | Unset = UNSET
    is_active: bool | Unset = UNSET
    language: Language | Unset = UNSET
    metadata: DocumentPatchMetadata | Unset = UNSET
    source_url: str | Unset = UNSET
    title: str | Unset = UNSET
    type_: DocumentType | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        category = self.category

        collection_id: str | Unset = UNSET
        if not isinstance(self.collection_id, Unset):
            collection_id = str(self.collection_id)

        content = self.content

        content_type = self.content_type

        is_active = self.is_active

        language: str | Unset = UNSET
        if not isinstance(self.language, Unset):
            language = self.language.value

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        source_url = self.source_url

        title = self.title

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if category is not UNSET:
            field_dict["category"] = category
        if collection_id is not UNSET:
            field_dict["collection_id"] = collection_id
        if content is not UNSET:
            field_dict["content"] = content
        if content_type is not UNSET:
            field_dict["content_type"] = content_type
        if is_active is not UNSET:
            field_dict["is_active"] = is_active
        if language is not UNSET:
            field_dict["language"] = language
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if source_url is not UNSET:
            field_dict["source_url"] = source_url
        if title is not UNSET:
            field_dict["title"] = title
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.document_patch_metadata import DocumentPatchMetadata

        d = dict(src_dict)
        category = d.pop("category", UNSET)

        _collection_id = d.pop("collection_id", UNSET)
        collection_id: UUID | Unset
        if isinstance(_collection_id, Unset):
            collection_id = UNSET
        else:
            collection_id = UUID(_collection_id)

        content = d.pop("content", UNSET)

        content_type = d.pop("content_type", UNSET)

        is_active = d.pop("is_active", UNSET)

        _language = d.pop("language", UNSET)
        language: Language | Unset
        if isinstance(_language, Unset):
            language = UNSET
        else:
            language = Language(_language)

        _metadata = d.pop("metadata", UNSET)
        metadata: DocumentPatchMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = DocumentPatchMetadata.from_dict(_metadata)

        source_url = d.pop("source_url", UNSET)

        title = d.pop("title", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: DocumentType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = DocumentType(_type_)

        document_patch = cls(
            category=category,
            collection_id=collection_id,
            content=content,
            content_type=content_type,
            is_active=is_active,
            language=language,
            metadata=metadata,
            source_url=source_url,
            title=title,
            type_=type_,
        )

        return document_patch
