from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PlanOut")


@_attrs_define
class PlanOut:
    """A tenant's plan: each limit, and whether it is the tenant's own or the configured default.

    Attributes:
        burst (int): The tenant's requests that may come at once.
        caller_burst (int): One caller's requests that may come at once.
        caller_requests_per_minute (int): One caller's (API key or user) requests per minute.
        max_api_keys (int): Most API keys that are not revoked.
        max_chunks (int): Most chunks (new documents are refused once reached).
        max_documents (int): Most live documents.
        max_storage_bytes (int): Most bytes of current document content.
        overridden (list[str]): The limits this tenant's plan sets; the others are the configured defaults.
        requests_per_minute (int): The tenant's requests per minute, all callers together.
    """

    burst: int
    caller_burst: int
    caller_requests_per_minute: int
    max_api_keys: int
    max_chunks: int
    max_documents: int
    max_storage_bytes: int
    overridden: list[str]
    requests_per_minute: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        burst = self.burst

        caller_burst = self.caller_burst

        caller_requests_per_minute = self.caller_requests_per_minute

        max_api_keys = self.max_api_keys

        max_chunks = self.max_chunks

        max_documents = self.max_documents

        max_storage_bytes = self.max_storage_bytes

        overridden = self.overridden

        requests_per_minute = self.requests_per_minute

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "burst": burst,
                "caller_burst": caller_burst,
                "caller_requests_per_minute": caller_requests_per_minute,
                "max_api_keys": max_api_keys,
                "max_chunks": max_chunks,
                "max_documents": max_documents,
                "max_storage_bytes": max_storage_bytes,
                "overridden": overridden,
                "requests_per_minute": requests_per_minute,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        burst = d.pop("burst")

        caller_burst = d.pop("caller_burst")

        caller_requests_per_minute = d.pop("caller_requests_per_minute")

        max_api_keys = d.pop("max_api_keys")

        max_chunks = d.pop("max_chunks")

        max_documents = d.pop("max_documents")

        max_storage_bytes = d.pop("max_storage_bytes")

        overridden = cast(list[str], d.pop("overridden"))

        requests_per_minute = d.pop("requests_per_minute")

        plan_out = cls(
            burst=burst,
            caller_burst=caller_burst,
            caller_requests_per_minute=caller_requests_per_minute,
            max_api_keys=max_api_keys,
            max_chunks=max_chunks,
            max_documents=max_documents,
            max_storage_bytes=max_storage_bytes,
            overridden=overridden,
            requests_per_minute=requests_per_minute,
        )

        plan_out.additional_properties = d
        return plan_out

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
