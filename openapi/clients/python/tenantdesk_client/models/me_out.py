from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_role import UserRole
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.tenant_out import TenantOut
    from ..models.user_out import UserOut


T = TypeVar("T", bound="MeOut")


@_attrs_define
class MeOut:
    """Who the caller is.

    Attributes:
        role (UserRole): A user's role inside their tenant.
        tenant (TenantOut): A tenant (a customer company).
        via (str): `jwt` (a user), `api_key`, or `superadmin` (acting inside the tenant).
        api_key_id (UUID | Unset): The API key's id, when the caller used one.
        superadmin_id (UUID | Unset): The superadmin's id, when a superadmin acts inside the tenant.
        user (UserOut | Unset): A user of a tenant.
    """

    role: UserRole
    tenant: TenantOut
    via: str
    api_key_id: UUID | Unset = UNSET
    superadmin_id: UUID | Unset = UNSET
    user: UserOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        tenant = self.tenant.to_dict()

        via = self.via

        api_key_id: str | Unset = UNSET
        if not isinstance(self.api_key_id, Unset):
            api_key_id = str(self.api_key_id)

        superadmin_id: str | Unset = UNSET
        if not isinstance(self.superadmin_id, Unset):
            superadmin_id = str(self.superadmin_id)

        user: dict[str, Any] | Unset = UNSET
        if not isinstance(self.user, Unset):
            user = self.user.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "role": role,
                "tenant": tenant,
                "via": via,
            }
        )
        if api_key_id is not UNSET:
            field_dict["api_key_id"] = api_key_id
        if superadmin_id is not UNSET:
            field_dict["superadmin_id"] = superadmin_id
        if user is not UNSET:
            field_dict["user"] = user

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.tenant_out import TenantOut
        from ..models.user_out import UserOut

        d = dict(src_dict)
        role = UserRole(d.pop("role"))

        tenant = TenantOut.from_dict(d.pop("tenant"))

        via = d.pop("via")

        _api_key_id = d.pop("api_key_id", UNSET)
        api_key_id: UUID | Unset
        if isinstance(_api_key_id, Unset):
            api_key_id = UNSET
        else:
            api_key_id = UUID(_api_key_id)

        _superadmin_id = d.pop("superadmin_id", UNSET)
        superadmin_id: UUID | Unset
        if isinstance(_superadmin_id, Unset):
            superadmin_id = UNSET
        else:
            superadmin_id = UUID(_superadmin_id)

        _user = d.pop("user", UNSET)
        user: UserOut | Unset
        if isinstance(_user, Unset):
            user = UNSET
        else:
            user = UserOut.from_dict(_user)

        me_out = cls(
            role=role,
            tenant=tenant,
            via=via,
            api_key_id=api_key_id,
            superadmin_id=superadmin_id,
            user=user,
        )

        me_out.additional_properties = d
        return me_out

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
