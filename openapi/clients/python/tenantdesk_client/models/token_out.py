from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenOut")


@_attrs_define
class TokenOut:
    """Tokens for the API.

    Attributes:
        access_token (str): Short-lived JWT for `Authorization: Bearer`.
        expires_in (int): Seconds until `access_token` expires.
        role (str): `user`, `agent`, `admin` or `superadmin`.
        token_type (str): Always `Bearer`.
        user_id (UUID): The authenticated user's (or superadmin's) id.
        refresh_expires_in (int | Unset): Seconds until `refresh_token` expires.
        refresh_token (str | Unset): Opaque, single-use token for `POST /v1/auth/refresh` (not issued to superadmins).
        tenant_id (UUID | Unset): The user's tenant; absent for superadmins.
    """

    access_token: str
    expires_in: int
    role: str
    token_type: str
    user_id: UUID
    refresh_expires_in: int | Unset = UNSET
    refresh_token: str | Unset = UNSET
    tenant_id: UUID | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        expires_in = self.expires_in

        role = self.role

        token_type = self.token_type

        user_id = str(self.user_id)

        refresh_expires_in = self.refresh_expires_in

        refresh_token = self.refresh_token

        tenant_id: str | Unset = UNSET
        if not isinstance(self.tenant_id, Unset):
            tenant_id = str(self.tenant_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "expires_in": expires_in,
                "role": role,
                "token_type": token_type,
                "user_id": user_id,
            }
        )
        if refresh_expires_in is not UNSET:
            field_dict["refresh_expires_in"] = refresh_expires_in
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        access_token = d.pop("access_token")

        expires_in = d.pop("expires_in")

        role = d.pop("role")

        token_type = d.pop("token_type")

        user_id = UUID(d.pop("user_id"))

        refresh_expires_in = d.pop("refresh_expires_in", UNSET)

        refresh_token = d.pop("refresh_token", UNSET)

        _tenant_id = d.pop("tenant_id", UNSET)
        tenant_id: UUID | Unset
        if isinstance(_tenant_id, Unset):
            tenant_id = UNSET
        else:
            tenant_id = UUID(_tenant_id)

        token_out = cls(
            access_token=access_token,
            expires_in=expires_in,
            role=role,
            token_type=token_type,
            user_id=user_id,
            refresh_expires_in=refresh_expires_in,
            refresh_token=refresh_token,
            tenant_id=tenant_id,
        )

        token_out.additional_properties = d
        return token_out

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
