import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.sort_order import SortOrder
from ...models.ticket_page import TicketPage
from ...models.ticket_priority import TicketPriority
from ...models.ticket_sort import TicketSort
from ...models.ticket_status import TicketStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    status: list[TicketStatus] | Unset = UNSET,
    priority: list[TicketPriority] | Unset = UNSET,
    assignee: UUID | Unset = UNSET,
    creator: UUID | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: TicketSort | Unset = UNSET,
    order: SortOrder | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: list[str] | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = []
        for status_item_data in status:
            status_item = status_item_data.value
            json_status.append(status_item)

    params["status"] = json_status

    json_priority: list[str] | Unset = UNSET
    if not isinstance(priority, Unset):
        json_priority = []
        for priority_item_data in priority:
            priority_item = priority_item_data.value
            json_priority.append(priority_item)

    params["priority"] = json_priority

    json_assignee: str | Unset = UNSET
    if not isinstance(assignee, Unset):
        json_assignee = str(assignee)
    params["assignee"] = json_assignee

    json_creator: str | Unset = UNSET
    if not isinstance(creator, Unset):
        json_creator = str(creator)
    params["creator"] = json_creator

    json_tag: list[str] | Unset = UNSET
    if not isinstance(tag, Unset):
        json_tag = tag

    params["tag"] = json_tag

    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["created_after"] = json_created_after

    json_created_before: str | Unset = UNSET
    if not isinstance(created_before, Unset):
        json_created_before = created_before.isoformat()
    params["created_before"] = json_created_before

    json_updated_after: str | Unset = UNSET
    if not isinstance(updated_after, Unset):
        json_updated_after = updated_after.isoformat()
    params["updated_after"] = json_updated_after

    json_updated_before: str | Unset = UNSET
    if not isinstance(updated_before, Unset):
        json_updated_before = updated_before.isoformat()
    params["updated_before"] = json_updated_before

    params["q"] = q

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order

    params["cursor"] = cursor

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tickets",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TicketPage | None:
    if response.status_code == 200:
        response_200 = TicketPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | TicketPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    status: list[TicketStatus] | Unset = UNSET,
    priority: list[TicketPriority] | Unset = UNSET,
    assignee: UUID | Unset = UNSET,
    creator: UUID | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: TicketSort | Unset = UNSET,
    order: SortOrder | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Response[Problem | TicketPage]:
    """List and search the tickets the caller may see (a `user`: their own), newest first by
    default. Filters combine with AND; `status` and `priority` take several values
    (repeated or comma-separated). `q` is a web-search style query (`"exact phrase"`, `or`,
    `-word`) over the title, the description and the messages the caller may read. Paging is
    by an opaque cursor over the sort key and the id, so rows created meanwhile never shift
    or repeat a page.

    Args:
        status (list[TicketStatus] | Unset):
        priority (list[TicketPriority] | Unset):
        assignee (UUID | Unset):
        creator (UUID | Unset):
        tag (list[str] | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        updated_after (datetime.datetime | Unset):
        updated_before (datetime.datetime | Unset):
        q (str | Unset):
        sort (TicketSort | Unset): The column a ticket list is sorted by (ties broken by id).
        order (SortOrder | Unset): Sort direction.
        cursor (str | Unset): A `next_cursor` of the previous page; absent or empty for the first
            page.
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TicketPage]
    """

    kwargs = _get_kwargs(
        status=status,
        priority=priority,
        assignee=assignee,
        creator=creator,
        tag=tag,
        created_after=created_after,
        created_before=created_before,
        updated_after=updated_after,
        updated_before=updated_before,
        q=q,
        sort=sort,
        order=order,
        cursor=cursor,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    status: list[TicketStatus] | Unset = UNSET,
    priority: list[TicketPriority] | Unset = UNSET,
    assignee: UUID | Unset = UNSET,
    creator: UUID | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: TicketSort | Unset = UNSET,
    order: SortOrder | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Problem | TicketPage | None:
    """List and search the tickets the caller may see (a `user`: their own), newest first by
    default. Filters combine with AND; `status` and `priority` take several values
    (repeated or comma-separated). `q` is a web-search style query (`"exact phrase"`, `or`,
    `-word`) over the title, the description and the messages the caller may read. Paging is
    by an opaque cursor over the sort key and the id, so rows created meanwhile never shift
    or repeat a page.

    Args:
        status (list[TicketStatus] | Unset):
        priority (list[TicketPriority] | Unset):
        assignee (UUID | Unset):
        creator (UUID | Unset):
        tag (list[str] | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        updated_after (datetime.datetime | Unset):
        updated_before (datetime.datetime | Unset):
        q (str | Unset):
        sort (TicketSort | Unset): The column a ticket list is sorted by (ties broken by id).
        order (SortOrder | Unset): Sort direction.
        cursor (str | Unset): A `next_cursor` of the previous page; absent or empty for the first
            page.
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TicketPage
    """

    return sync_detailed(
        client=client,
        status=status,
        priority=priority,
        assignee=assignee,
        creator=creator,
        tag=tag,
        created_after=created_after,
        created_before=created_before,
        updated_after=updated_after,
        updated_before=updated_before,
        q=q,
        sort=sort,
        order=order,
        cursor=cursor,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    status: list[TicketStatus] | Unset = UNSET,
    priority: list[TicketPriority] | Unset = UNSET,
    assignee: UUID | Unset = UNSET,
    creator: UUID | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: TicketSort | Unset = UNSET,
    order: SortOrder | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Response[Problem | TicketPage]:
    """List and search the tickets the caller may see (a `user`: their own), newest first by
    default. Filters combine with AND; `status` and `priority` take several values
    (repeated or comma-separated). `q` is a web-search style query (`"exact phrase"`, `or`,
    `-word`) over the title, the description and the messages the caller may read. Paging is
    by an opaque cursor over the sort key and the id, so rows created meanwhile never shift
    or repeat a page.

    Args:
        status (list[TicketStatus] | Unset):
        priority (list[TicketPriority] | Unset):
        assignee (UUID | Unset):
        creator (UUID | Unset):
        tag (list[str] | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        updated_after (datetime.datetime | Unset):
        updated_before (datetime.datetime | Unset):
        q (str | Unset):
        sort (TicketSort | Unset): The column a ticket list is sorted by (ties broken by id).
        order (SortOrder | Unset): Sort direction.
        cursor (str | Unset): A `next_cursor` of the previous page; absent or empty for the first
            page.
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TicketPage]
    """

    kwargs = _get_kwargs(
        status=status,
        priority=priority,
        assignee=assignee,
        creator=creator,
        tag=tag,
        created_after=created_after,
        created_before=created_before,
        updated_after=updated_after,
        updated_before=updated_before,
        q=q,
        sort=sort,
        order=order,
        cursor=cursor,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    status: list[TicketStatus] | Unset = UNSET,
    priority: list[TicketPriority] | Unset = UNSET,
    assignee: UUID | Unset = UNSET,
    creator: UUID | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: TicketSort | Unset = UNSET,
    order: SortOrder | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Problem | TicketPage | None:
    """List and search the tickets the caller may see (a `user`: their own), newest first by
    default. Filters combine with AND; `status` and `priority` take several values
    (repeated or comma-separated). `q` is a web-search style query (`"exact phrase"`, `or`,
    `-word`) over the title, the description and the messages the caller may read. Paging is
    by an opaque cursor over the sort key and the id, so rows created meanwhile never shift
    or repeat a page.

    Args:
        status (list[TicketStatus] | Unset):
        priority (list[TicketPriority] | Unset):
        assignee (UUID | Unset):
        creator (UUID | Unset):
        tag (list[str] | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        updated_after (datetime.datetime | Unset):
        updated_before (datetime.datetime | Unset):
        q (str | Unset):
        sort (TicketSort | Unset): The column a ticket list is sorted by (ties broken by id).
        order (SortOrder | Unset): Sort direction.
        cursor (str | Unset): A `next_cursor` of the previous page; absent or empty for the first
            page.
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TicketPage
    """

    return (
        await asyncio_detailed(
            client=client,
            status=status,
            priority=priority,
            assignee=assignee,
            creator=creator,
            tag=tag,
            created_after=created_after,
            created_before=created_before,
            updated_after=updated_after,
            updated_before=updated_before,
            q=q,
            sort=sort,
            order=order,
            cursor=cursor,
            limit=limit,
        )
    ).parsed
