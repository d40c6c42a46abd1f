from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UsageBucketOut")


@_attrs_define
class UsageBucketOut:
    """Requests of one group.

    Attributes:
        client_errors (int): Of them, answered 4xx.
        group (str): The group's value (a day, a route, a caller, a status class or a tenant id).
        latency_p50_ms (float): Median time to the response head, milliseconds.
        latency_p95_ms (float): 95th percentile of the time to the response head, milliseconds.
        request_bytes (int): Request body bytes received.
        requests (int): Requests answered.
        response_bytes (int): Response body bytes sent (streamed bodies: at least this many).
        server_errors (int): Of them, answered 5xx.
    """

    client_errors: int
    group: str
    latency_p50_ms: float
    latency_p95_ms: float
    request_bytes: int
    requests: int
    response_bytes: int
    server_errors: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_errors = self.client_errors

        group = self.group

        latency_p50_ms = self.latency_p50_ms

        latency_p95_ms = self.latency_p95_ms

        request_bytes = self.request_bytes

        requests = self.requests

        response_bytes = self.response_bytes

        server_errors = self.server_errors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_errors": client_errors,
                "group": group,
                "latency_p50_ms": latency_p50_ms,
                "latency_p95_ms": latency_p95_ms,
                "request_bytes": request_bytes,
                "requests": requests,
                "response_bytes": response_bytes,
                "server_errors": server_errors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_errors = d.pop("client_errors")

        group = d.pop("group")

        latency_p50_ms = d.pop("latency_p50_ms")

        latency_p95_ms = d.pop("latency_p95_ms")

        request_bytes = d.pop("request_bytes")

        requests = d.pop("requests")

        response_bytes = d.pop("response_bytes")

        server_errors = d.pop("server_errors")

        usage_bucket_out = cls(
            client_errors=client_errors,
            group=group,
            latency_p50_ms=latency_p50_ms,
            latency_p95_ms=latency_p95_ms,
            request_bytes=request_bytes,
            requests=requests,
            response_bytes=response_bytes,
            server_errors=server_errors,
        )

        usage_bucket_out.additional_properties = d
        return usage_bucket_out

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
