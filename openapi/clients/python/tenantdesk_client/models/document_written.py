from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.document_type import DocumentType
from ..models.language import Language
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.document_written_metadata import DocumentWrittenMetadata


T = TypeVar("T", bound="DocumentWritten")


@_attrs_define
class DocumentWritten:
    """A document as written: with the ingestion job that indexes it.

    Attributes:
        content_sha256 (str): sha256 (hex) of the current version's normalized content.
        created_at (datetime.datetime):
        deduplicated (bool): True when a live document already had exactly this content: nothing was stored and this
            is that document.
        id (UUID):
        is_active (bool): Inactive documents are kept but not searched.
        language (Language): The language a text is indexed in for keyword search: English and Russian are stemmed (the
            PostgreSQL `english` and `russian` configurations), anything else is indexed word by word
            (`simple`). The database maps it in `kb_regconfig` (sql/0050), and a CHECK on every
            `language` column lists the same values.
        metadata (DocumentWrittenMetadata): A JSON object (search filters match it by containment).
        title (str):
        type_ (DocumentType): What kind of text a document is.
        updated_at (datetime.datetime):
        version (int): The current version number.
        category (str | Unset):
        collection_id (UUID | Unset): The collection it belongs to, if any.
        deleted_at (datetime.datetime | Unset): Set while the document is (soft) deleted.
        job_id (UUID | Unset): The job chunking and embedding this version (absent when nothing changed).
        source_url (str | Unset): Where the content comes from.
    """

    content_sha256: str
    created_at: datetime.datetime
    deduplicated: bool
    id: UUID
    is_active: bool
    language: Language
    metadata: DocumentWrittenMetadata
    title: str
    type_: DocumentType
    updated_at: datetime.datetime
    version: int
    category: str | Unset = UNSET
    collection_id: UUID | Unset = UNSET
    deleted_at: datetime.datetime | Unset = UNSET
    job_id: UUID | Unset = UNSET
    source_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        content_sha256 = self.content_sha256

        created_at = self.created_at.isoformat()

        deduplicated = self.deduplicated

        id = str(self.id)

        is_active = self.is_active

        language = self.language.value

        metadata = self.metadata.to_dict()

        title = self.title

        type_ = self.type_.value

        updated_at = self.updated_at.isoformat()

        version = self.version

        category = self.category

        collection_id: str | Unset = UNSET
        if not isinstance(self.collection_id, Unset):
            collection_id = str(self.collection_id)

        deleted_at: str | Unset = UNSET
        if not isinstance(self.deleted_at, Unset):
            deleted_at = self.deleted_at.isoformat()

        job_id: str | Unset = UNSET
        if not isinstance(self.job_id, Unset):
            job_id = str(self.job_id)

        source_url = self.source_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "content_sha256": content_sha256,
                "created_at": created_at,
                "deduplicated": deduplicated,
                "id": id,
                "is_active": is_active,
                "language": language,
                "metadata": metadata,
                "title": title,
                "type": type_,
                "updated_at": updated_at,
                "version": version,
            }
        )
        if category is not UNSET:
            field_dict["category"] = category
        if collection_id is not UNSET:
            field_dict["collection_id"] = collection_id
        if deleted_at is not UNSET:
            field_dict["deleted_at"] = deleted_at
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if source_url is not UNSET:
            field_dict["source_url"] = source_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.document_written_metadata import DocumentWrittenMetadata

        d = dict(src_dict)
        content_sha256 = d.pop("content_sha256")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        deduplicated = d.pop("deduplicated")

        id = UUID(d.pop("id"))

        is_active = d.pop("is_active")

        language = Language(d.pop("language"))

        metadata = DocumentWrittenMetadata.from_dict(d.pop("metadata"))

        title = d.pop("title")

        type_ = DocumentType(d.pop("type"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        category = d.pop("category", UNSET)

        _collection_id = d.pop("collection_id", UNSET)
        collection_id: UUID | Unset
        if isinstance(_collection_id, Unset):
            collection_id = UNSET
        else:
            collection_id = UUID(_collection_id)

        _deleted_at = d.pop("deleted_at", UNSET)
        deleted_at: datetime.datetime | Unset
        if isinstance(_deleted_at, Unset):
            deleted_at = UNSET
        else:
            deleted_at = datetime.datetime.fromisoformat(_deleted_at)

        _job_id = d.pop("job_id", UNSET)
        job_id: UUID | Unset
        if isinstance(_job_id, Unset):
            job_id = UNSET
        else:
            job_id = UUID(_job_id)

        source_url = d.pop("source_url", UNSET)

        document_written = cls(
            content_sha256=content_sha256,
            created_at=created_at,
            deduplicated=deduplicated,
            id=id,
            is_active=is_active,
            language=language,
            metadata=metadata,
            title=title,
            type_=type_,
            updated_at=updated_at,
            version=version,
            category=category,
            collection_id=collection_id,
            deleted_at=deleted_at,
            job_id=job_id,
            source_url=source_url,
        )

        document_written.additional_properties = d
        return document_written

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
