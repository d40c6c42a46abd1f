from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from .. import types
from ..types import UNSET, File, Unset

T = TypeVar("T", bound="DocumentUpload")


@_attrs_define
class DocumentUpload:
    """
    Attributes:
        file (File): The file, UTF-8 text: text/plain, text/markdown or text/html, by its part's content type
            (`application/octet-stream` counts as none), else by its extension (.txt or .text, .md or
            .markdown, .html or .htm), else text/plain.
        category (str | Unset):
        collection_id (UUID | Unset):
        language (str | Unset): en, ru or other (default: detected from the file's text).
        metadata (str | Unset): A JSON object, as text.
        source_url (str | Unset):
        title (str | Unset): Default: the file name.
        type_ (str | Unset): guide, api, faq, policy or other.
    """

    file: File
    category: str | Unset = UNSET
    collection_id: UUID | Unset = UNSET
    language: str | Unset = UNSET
    metadata: str | Unset = UNSET
    source_url: str | Unset = UNSET
    title: str | Unset = UNSET
    type_: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        file = self.file.to_tuple()

        category = self.category

        collection_id: str | Unset = UNSET
        if not isinstance(self.collection_id, Unset):
            collection_id = str(self.collection_id)

        language = self.language

        metadata = self.metadata

        source_url = self.source_url

        title = self.title

        type_ = self.type_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "file": file,
            }
        )
        if category is not UNSET:
            field_dict["category"] = category
        if collection_id is not UNSET:
            field_dict["collection_id"] = collection_id
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

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("file", self.file.to_tuple()))

        if not isinstance(self.category, Unset):
            files.append(
                ("category", (None, str(self.category).encode(), "text/plain"))
            )

        if not isinstance(self.collection_id, Unset):
            files.append(
                ("collection_id", (None, str(self.collection_id), "text/plain"))
            )

        if not isinstance(self.language, Unset):
            files.append(
                ("language", (None, str(self.language).encode(), "text/plain"))
            )

        if not isinstance(self.metadata, Unset):
            files.append(
                ("metadata", (None, str(self.metadata).encode(), "text/plain"))
            )

        if not isinstance(self.source_url, Unset):
            files.append(
                ("source_url", (None, str(self.source_url).encode(), "text/plain"))
            )

        if not isinstance(self.title, Unset):
            files.append(("title", (None, str(self.title).encode(), "text/plain")))

        if not isinstance(self.type_, Unset):
            files.append(("type", (None, str(self.type_).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        file = File(payload=BytesIO(d.pop("file")))

        category = d.pop("category", UNSET)

        _collection_id = d.pop("collection_id", UNSET)
        collection_id: UUID | Unset
        if isinstance(_collection_id, Unset):
            collection_id = UNSET
        else:
            collection_id = UUID(_collection_id)

        language = d.pop("language", UNSET)

        metadata = d.pop("metadata", UNSET)

        source_url = d.pop("source_url", UNSET)

        title = d.pop("title", UNSET)

        type_ = d.pop("type", UNSET)

        document_upload = cls(
            file=file,
            category=category,
            collection_id=collection_id,
            language=language,
            metadata=metadata,
            source_url=source_url,
            title=title,
            type_=type_,
        )

        return document_upload
