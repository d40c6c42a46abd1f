from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.ticket_out import TicketOut
from ...models.ticket_patch import TicketPatch
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    body: TicketPatch,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/tickets/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TicketOut | None:
    if response.status_code == 200:
        response_200 = TicketOut.from_dict(response.json())

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

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[Problem | TicketOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: TicketPatch,
    if_match: str | Unset = UNSET,
) -> Response[Problem | TicketOut]:
    """Change a ticket; an empty change returns it as it is. Send `If-Match` with the `ETag`
    you read to refuse the change (412) when
    someone changed the ticket in between. A `user` may change only the `title` and
    `description` of their own ticket. A new assignee must be an active agent or admin of
    the tenant (422 otherwise). Unknown properties, `status` included, are a 422: the status
    moves through `POST /v1/tickets/{id}/transitions`.

    Args:
        id (UUID):
        if_match (str | Unset):
        body (TicketPatch): Changes to a ticket; absent fields stay as they are. The status
            changes only through
            `POST /v1/tickets/{id}/transitions`. A `user` may change only `title` and `description`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TicketOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: TicketPatch,
    if_match: str | Unset = UNSET,
) -> Problem | TicketOut | None:
    """Change a ticket; an empty change returns it as it is. Send `If-Match` with the `ETag`
    you read to refuse the change (412) when
    someone changed the ticket in between. A `user` may change only the `title` and
    `description` of their own ticket. A new assignee must be an active agent or admin of
    the tenant (422 otherwise). Unknown properties, `status` included, are a 422: the status
    moves through `POST /v1/tickets/{id}/transitions`.

    Args:
        id (UUID):
        if_match (str | Unset):
        body (TicketPatch): Changes to a ticket; absent fields stay as they are. The status
            changes only through
            `POST /v1/tickets/{id}/transitions`. A `user` may change only `title` and `description`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TicketOut
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: TicketPatch,
    if_match: str | Unset = UNSET,
) -> Response[Problem | TicketOut]:
    """Change a ticket; an empty change returns it as it is. Send `If-Match` with the `ETag`
    you read to refuse the change (412) when
    someone changed the ticket in between. A `user` may change only the `title` and
    `description` of their own ticket. A new assignee must be an active agent or admin of
    the tenant (422 otherwise). Unknown properties, `status` included, are a 422: the status
    moves through `POST /v1/tickets/{id}/transitions`.

    Args:
        id (UUID):
        if_match (str | Unset):
        body (TicketPatch): Changes to a ticket; absent fields stay as they are. The status
            changes only through
            `POST /v1/tickets/{id}/transitions`. A `user` may change only `title` and `description`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TicketOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: TicketPatch,
    if_match: str | Unset = UNSET,
) -> Problem | TicketOut | None:
    """Change a ticket; an empty change returns it as it is. Send `If-Match` with the `ETag`
    you read to refuse the change (412) when
    someone changed the ticket in between. A `user` may change only the `title` and
    `description` of their own ticket. A new assignee must be an active agent or admin of
    the tenant (422 otherwise). Unknown properties, `status` included, are a 422: the status
    moves through `POST /v1/tickets/{id}/transitions`.

    Args:
        id (UUID):
        if_match (str | Unset):
        body (TicketPatch): Changes to a ticket; absent fields stay as they are. The status
            changes only through
            `POST /v1/tickets/{id}/transitions`. A `user` may change only `title` and `description`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TicketOut
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            if_match=if_match,
        )
    ).parsed
