from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TenantIn")


@_attrs_define
class TenantIn:
    """A new tenant.

    Attributes:
        name (str): Display name, 1–200 characters.
        slug (str): Unique handle used at login: lowercase letters, digits and inner hyphens, 1–63 characters.
    """

    name: str
    slug: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        slug = self.slug

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "slug": slug,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        slug = d.pop("slug")

        tenant_in = cls(
            name=name,
            slug=slug,
        )

        return tenant_in
