"""The thin hand-written layer beside the generated `tenantdesk_client` package.

`tenantdesk_client` is written by openapi-python-client from openapi/openapi.json (`make sdk`;
never edited by hand). Here: `connect` (bearer token or API key), `ProblemError` (a problem
document raised instead of returned) with `expect`, and `all_pages` (cursor pagination).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any, Protocol, TypeVar

from tenantdesk_client import AuthenticatedClient, Client
from tenantdesk_client.models.problem import Problem
from tenantdesk_client.models.problem_code import ProblemCode
from tenantdesk_client.types import UNSET, Response, Unset

__all__ = ["ProblemCode", "ProblemError", "all_pages", "anonymous", "connect", "expect"]

T = TypeVar("T")
I = TypeVar("I")


def connect(
    base_url: str, *, token: str | None = None, api_key: str | None = None, **httpx_args: Any
) -> AuthenticatedClient:
    """A client sending an access token (`Authorization: Bearer`) or an API key (`X-API-Key`)."""
    if (token is None) == (api_key is None):
        raise ValueError("pass exactly one of token= and api_key=")
    if token is not None:
        return AuthenticatedClient(base_url=base_url, token=token, httpx_args=httpx_args)
    return AuthenticatedClient(
        base_url=base_url,
        token=api_key or "",
        prefix="",
        auth_header_name="X-API-Key",
        httpx_args=httpx_args,
    )


def anonymous(base_url: str, **httpx_args: Any) -> Client:
    """A client without credentials (login, refresh, health)."""
    return Client(base_url=base_url, httpx_args=httpx_args)


class ProblemError(Exception):
    """An error answer: its status and the RFC 9457 problem document (`problem.code` is stable)."""

    def __init__(self, status: int, problem: Problem | None) -> None:
        self.status = status
        self.problem = problem
        code = problem.code.value if problem else "-"
        detail = problem.detail if problem else ""
        super().__init__(f"{status} {code}: {detail}")

    @property
    def code(self) -> ProblemCode | None:
        return self.problem.code if self.problem else None

    @property
    def allowed(self) -> list[str]:
        if self.problem is None or isinstance(self.problem.allowed, Unset):
            return []
        return list(self.problem.allowed)

    @property
    def quota(self) -> str | None:
        """The plan quota a refused write would exceed (`quota_exceeded`)."""
        if self.problem is None or isinstance(self.problem.quota, Unset):
            return None
        return self.problem.quota


def expect(response: Response[Any], kind: type[T]) -> T:
    """The body of a 2xx `sync_detailed`/`asyncio_detailed` answer, which must be a `kind`;
    a `ProblemError` for any other answer."""
    parsed = response.parsed
    if HTTPStatus.OK <= response.status_code < HTTPStatus.MULTIPLE_CHOICES:
        if not isinstance(parsed, kind):
            raise TypeError(f"expected a {kind.__name__}, got {type(parsed).__name__}")
        return parsed
    raise ProblemError(int(response.status_code), parsed if isinstance(parsed, Problem) else None)


class Page(Protocol[I]):
    """What every `…Page` model has."""

    items: list[I]
    next_cursor: str | Unset


def all_pages(fetch: Callable[[str | Unset], Response[Any]], kind: type[Page[I]]) -> Iterator[I]:
    """Every item of a cursor-paged list: `fetch(cursor)` returns one page's `sync_detailed`
    answer, a `kind` (say `TicketPage`).

        for ticket in all_pages(lambda c: list_tickets.sync_detailed(client=api, cursor=c), TicketPage):
            ...
    """
    cursor: str | Unset = UNSET
    while True:
        page = expect(fetch(cursor), kind)
        yield from page.items
        if isinstance(page.next_cursor, Unset) or not page.next_cursor:
            return
        cursor = page.next_cursor
