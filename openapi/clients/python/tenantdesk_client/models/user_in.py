from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.user_role import UserRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserIn")


@_attrs_define
class UserIn:
    """A new user.

    Attributes:
        email (str): Unique within the tenant, case-insensitively: an address like `name@example.com`, up to
            254 characters.
        password (str): At least 12 characters (more when `PASSWORD_MIN_LENGTH` says so), at most 1024.
        role (UserRole): A user's role inside their tenant.
        full_name (str | Unset): Display name, up to 200 characters. Default: ''.
    """

    email: str
    password: str
    role: UserRole
    full_name: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        role = self.role.value

        full_name = self.full_name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
                "role": role,
            }
        )
        if full_name is not UNSET:
            field_dict["full_name"] = full_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        role = UserRole(d.pop("role"))

        full_name = d.pop("full_name", UNSET)

        user_in = cls(
            email=email,
            password=password,
            role=role,
            full_name=full_name,
        )

        return user_in
