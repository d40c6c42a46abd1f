from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PlanIn")


@_attrs_define
class PlanIn:
    """A tenant's plan. Every field is optional: a missing or null field is the configured default
    (`RATE_LIMIT_*`, `QUOTA_*`). The whole plan is replaced.

        Attributes:
            burst (int | Unset): The tenant's requests that may come at once.
            caller_burst (int | Unset): One caller's requests that may come at once.
            caller_requests_per_minute (int | Unset): One caller's (API key or user) requests per minute.
            max_api_keys (int | Unset): Most API keys that are not revoked.
            max_chunks (int | Unset): Most chunks.
            max_documents (int | Unset): Most live documents.
            max_storage_bytes (int | Unset): Most bytes of current document content.
            requests_per_minute (int | Unset): The tenant's requests per minute, all callers together.
    """

    burst: int | Unset = UNSET
    caller_burst: int | Unset = UNSET
    caller_requests_per_minute: int | Unset = UNSET
    max_api_keys: int | Unset = UNSET
    max_chunks: int | Unset = UNSET
    max_documents: int | Unset = UNSET
    max_storage_bytes: int | Unset = UNSET
    requests_per_minute: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        burst = self.burst

        caller_burst = self.caller_burst

        caller_requests_per_minute = self.caller_requests_per_minute

        max_api_keys = self.max_api_keys

        max_chunks = self.max_chunks

        max_documents = self.max_documents

        max_storage_bytes = self.max_storage_bytes

        requests_per_minute = self.requests_per_minute

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if burst is not UNSET:
            field_dict["burst"] = burst
        if caller_burst is not UNSET:
            field_dict["caller_burst"] = caller_burst
        if caller_requests_per_minute is not UNSET:
            field_dict["caller_requests_per_minute"] = caller_requests_per_minute
        if max_api_keys is not UNSET:
            field_dict["max_api_keys"] = max_api_keys
        if max_chunks is not UNSET:
            field_dict["max_chunks"] = max_chunks
        if max_documents is not UNSET:
            field_dict["max_documents"] = max_documents
        if max_storage_bytes is not UNSET:
            field_dict["max_storage_bytes"] = max_storage_bytes
        if requests_per_minute is not UNSET:
            field_dict["requests_per_minute"] = requests_per_minute

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        burst = d.pop("burst", UNSET)

        caller_burst = d.pop("caller_burst", UNSET)

        caller_requests_per_minute = d.pop("caller_requests_per_minute", UNSET)

        max_api_keys = d.pop("max_api_keys", UNSET)

        max_chunks = d.pop("max_chunks", UNSET)

        max_documents = d.pop("max_documents", UNSET)

        max_storage_bytes = d.pop("max_storage_bytes", UNSET)

        requests_per_minute = d.pop("requests_per_minute", UNSET)

        plan_in = cls(
            burst=burst,
            caller_burst=caller_burst,
            caller_requests_per_minute=caller_requests_per_minute,
            max_api_keys=max_api_keys,
            max_chunks=max_chunks,
            max_documents=max_documents,
            max_storage_bytes=max_storage_bytes,
            requests_per_minute=requests_per_minute,
        )

        return plan_in
