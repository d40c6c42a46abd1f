from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ChunkIn")


@_attrs_define
class ChunkIn:
    """One chunk with its vector.

    Attributes:
        content (str): The chunk's text (searched by keyword, returned in results), 1–100,000 characters.
        embedding (list[float]): Its vector (1–4096 numbers, each within the range of a 32-bit float); every vector of a
            model has the same dimension.
    """

    content: str
    embedding: list[float]

    def to_dict(self) -> dict[str, Any]:
        content = self.content

        embedding = self.embedding

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "content": content,
                "embedding": embedding,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        content = d.pop("content")

        embedding = cast(list[float], d.pop("embedding"))

        chunk_in = cls(
            content=content,
            embedding=embedding,
        )

        return chunk_in
