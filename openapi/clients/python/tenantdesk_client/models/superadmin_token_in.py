from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SuperadminTokenIn")


@_attrs_define
class SuperadminTokenIn:
    """Credentials of a platform superadmin.

    Attributes:
        email (str): The superadmin's email (case-insensitive), up to 254 characters.
        password (str): The password, up to 1024 characters.
    """

    email: str
    password: str

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        superadmin_token_in = cls(
            email=email,
            password=password,
        )

        return superadmin_token_in
