from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ChunksOut")


@_attrs_define
class ChunksOut:
    """What was stored.

    Attributes:
        chunks (int):
        dims (int):
        document_id (UUID):
        model (str):
        version (int):
    """

    chunks: int
    dims: int
    document_id: UUID
    model: str
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chunks = self.chunks

        dims = self.dims

        document_id = str(self.document_id)

        model = self.model

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "chunks": chunks,
                "dims": dims,
                "document_id": document_id,
                "model": model,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        chunks = d.pop("chunks")

        dims = d.pop("dims")

        document_id = UUID(d.pop("document_id"))

        model = d.pop("model")

        version = d.pop("version")

        chunks_out = cls(
            chunks=chunks,
            dims=dims,
            document_id=document_id,
            model=model,
            version=version,
        )

        chunks_out.additional_properties = d
        return chunks_out

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
