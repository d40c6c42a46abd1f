from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TokenIn")


@_attrs_define
class TokenIn:
    """Credentials of a tenant user.

    Attributes:
        email (str): The user's email (case-insensitive), up to 254 characters.
        password (str): The user's password, up to 1024 characters.
        tenant (str): The tenant's slug (case-insensitive), up to 63 characters.
    """

    email: str
    password: str
    tenant: str

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        tenant = self.tenant

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
                "tenant": tenant,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        tenant = d.pop("tenant")

        token_in = cls(
            email=email,
            password=password,
            tenant=tenant,
        )

        return token_in
