from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantPatch")


@_attrs_define
class TenantPatch:
    """Changes to a tenant; absent fields stay as they are.

    Attributes:
        name (str | Unset): Display name, 1–200 characters.
        slug (str | Unset): Unique handle used at login: lowercase letters, digits and inner hyphens, 1–63 characters.
    """

    name: str | Unset = UNSET
    slug: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        slug = self.slug

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if slug is not UNSET:
            field_dict["slug"] = slug

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        slug = d.pop("slug", UNSET)

        tenant_patch = cls(
            name=name,
            slug=slug,
        )

        return tenant_patch
