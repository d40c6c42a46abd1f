from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditEntryOut")


@_attrs_define
class AuditEntryOut:
    """One audited action.

    Attributes:
        action (str): What was done: `user.create`, `user.update`, `api_key.create`, `api_key.revoke`,
            `ticket.create`, `password.change`, `tenant.deactivate`…, or `<METHOD> <path>` for every
            request of a superadmin inside the tenant.
        created_at (datetime.datetime):
        id (UUID):
        target (str): What it was done to (a resource or request target).
        tenant_id (UUID):
        actor_api_key_id (UUID | Unset): The API key that acted, when one did.
        actor_superadmin_id (UUID | Unset): The superadmin who acted, when one did.
        actor_user_id (UUID | Unset): The tenant user who acted, when one did.
        ip (str | Unset): The client address the action came from.
        request_id (str | Unset):
    """

    action: str
    created_at: datetime.datetime
    id: UUID
    target: str
    tenant_id: UUID
    actor_api_key_id: UUID | Unset = UNSET
    actor_superadmin_id: UUID | Unset = UNSET
    actor_user_id: UUID | Unset = UNSET
    ip: str | Unset = UNSET
    request_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        created_at = self.created_at.isoformat()

        id = str(self.id)

        target = self.target

        tenant_id = str(self.tenant_id)

        actor_api_key_id: str | Unset = UNSET
        if not isinstance(self.actor_api_key_id, Unset):
            actor_api_key_id = str(self.actor_api_key_id)

        actor_superadmin_id: str | Unset = UNSET
        if not isinstance(self.actor_superadmin_id, Unset):
            actor_superadmin_id = str(self.actor_superadmin_id)

        actor_user_id: str | Unset = UNSET
        if not isinstance(self.actor_user_id, Unset):
            actor_user_id = str(self.actor_user_id)

        ip = self.ip

        request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "created_at": created_at,
                "id": id,
                "target": target,
                "tenant_id": tenant_id,
            }
        )
        if actor_api_key_id is not UNSET:
            field_dict["actor_api_key_id"] = actor_api_key_id
        if actor_superadmin_id is not UNSET:
            field_dict["actor_superadmin_id"] = actor_superadmin_id
        if actor_user_id is not UNSET:
            field_dict["actor_user_id"] = actor_user_id
        if ip is not UNSET:
            field_dict["ip"] = ip
        if request_id is not UNSET:
            field_dict["request_id"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = d.pop("action")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        target = d.pop("target")

        tenant_id = UUID(d.pop("tenant_id"))

        _actor_api_key_id = d.pop("actor_api_key_id", UNSET)
        actor_api_key_id: UUID | Unset
        if isinstance(_actor_api_key_id, Unset):
            actor_api_key_id = UNSET
        else:
            actor_api_key_id = UUID(_actor_api_key_id)

        _actor_superadmin_id = d.pop("actor_superadmin_id", UNSET)
        actor_superadmin_id: UUID | Unset
        if isinstance(_actor_superadmin_id, Unset):
            actor_superadmin_id = UNSET
        else:
            actor_superadmin_id = UUID(_actor_superadmin_id)

        _actor_user_id = d.pop("actor_user_id", UNSET)
        actor_user_id: UUID | Unset
        if isinstance(_actor_user_id, Unset):
            actor_user_id = UNSET
        else:
            actor_user_id = UUID(_actor_user_id)

        ip = d.pop("ip", UNSET)

        request_id = d.pop("request_id", UNSET)

        audit_entry_out = cls(
            action=action,
            created_at=created_at,
            id=id,
            target=target,
            tenant_id=tenant_id,
            actor_api_key_id=actor_api_key_id,
            actor_superadmin_id=actor_superadmin_id,
            actor_user_id=actor_user_id,
            ip=ip,
            request_id=request_id,
        )

        audit_entry_out.additional_properties = d
        return audit_entry_out

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
