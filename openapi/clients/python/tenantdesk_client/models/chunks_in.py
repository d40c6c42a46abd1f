from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.chunk_in import ChunkIn


T = TypeVar("T", bound="ChunksIn")


@_attrs_define
class ChunksIn:
    """Chunks with vectors made by the client, replacing the current version's chunks of `model`.

    Attributes:
        chunks (list[ChunkIn]): 1–1000 chunks, in document order.
        model (str): The embedding model's name (1–200 characters). Searches compare only vectors of one
            model; for the service's own model the dimension must be the service's.
    """

    chunks: list[ChunkIn]
    model: str

    def to_dict(self) -> dict[str, Any]:
        chunks = []
        for chunks_item_data in self.chunks:
            chunks_item = chunks_item_data.to_dict()
            chunks.append(chunks_item)

        model = self.model

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "chunks": chunks,
                "model": model,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.chunk_in import ChunkIn

        d = dict(src_dict)
        chunks = []
        _chunks = d.pop("chunks")
        for chunks_item_data in _chunks:
            chunks_item = ChunkIn.from_dict(chunks_item_data)

            chunks.append(chunks_item)

        model = d.pop("model")

        chunks_in = cls(
            chunks=chunks,
            model=model,
        )

        return chunks_in
