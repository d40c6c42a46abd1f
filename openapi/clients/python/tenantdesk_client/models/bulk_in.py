from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.document_in import DocumentIn


T = TypeVar("T", bound="BulkIn")


@_attrs_define
class BulkIn:
    """Many documents indexed by one ingestion job.

    Attributes:
        documents (list[DocumentIn]): 1–100 documents.
    """

    documents: list[DocumentIn]

    def to_dict(self) -> dict[str, Any]:
        documents = []
        for documents_item_data in self.documents:
            documents_item = documents_item_data.to_dict()
            documents.append(documents_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "documents": documents,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.document_in import DocumentIn

        d = dict(src_dict)
        documents = []
        _documents = d.pop("documents")
        for documents_item_data in _documents:
            documents_item = DocumentIn.from_dict(documents_item_data)

            documents.append(documents_item)

        bulk_in = cls(
            documents=documents,
        )

        return bulk_in
