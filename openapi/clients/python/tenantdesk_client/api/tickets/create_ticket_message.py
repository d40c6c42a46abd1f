from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.message_in import MessageIn
from ...models.message_out import MessageOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    body: MessageIn,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tickets/{id}/messages".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MessageOut | Problem | None:
    if response.status_code == 201:
        response_201 = MessageOut.from_dict(response.json())

        return response_201

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
) -> Response[MessageOut | Problem]:
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
    body: MessageIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[MessageOut | Problem]:
    """Add a message to a ticket the caller can see. A `user` writes as themself with role
    `user` and cannot write internal notes (403). When a `user` replies to a ticket that is
    `pending_customer`, the ticket moves to `in_progress` and the change is recorded in its
    history. Otherwise a message leaves the ticket (its `version`, `ETag` and `updated_at`) as it
    is. A customer's message (role `user`) queues an assistant run when the tenant's assistant
    mode is `draft` or `reply`. `Idempotency-Key` works as for creating tickets.

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (MessageIn): A new message on a ticket.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessageOut | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageIn,
    idempotency_key: str | Unset = UNSET,
) -> MessageOut | Problem | None:
    """Add a message to a ticket the caller can see. A `user` writes as themself with role
    `user` and cannot write internal notes (403). When a `user` replies to a ticket that is
    `pending_customer`, the ticket moves to `in_progress` and the change is recorded in its
    history. Otherwise a message leaves the ticket (its `version`, `ETag` and `updated_at`) as it
    is. A customer's message (role `user`) queues an assistant run when the tenant's assistant
    mode is `draft` or `reply`. `Idempotency-Key` works as for creating tickets.

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (MessageIn): A new message on a ticket.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessageOut | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[MessageOut | Problem]:
    """Add a message to a ticket the caller can see. A `user` writes as themself with role
    `user` and cannot write internal notes (403). When a `user` replies to a ticket that is
    `pending_customer`, the ticket moves to `in_progress` and the change is recorded in its
    history. Otherwise a message leaves the ticket (its `version`, `ETag` and `updated_at`) as it
    is. A customer's message (role `user`) queues an assistant run when the tenant's assistant
    mode is `draft` or `reply`. `Idempotency-Key` works as for creating tickets.

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (MessageIn): A new message on a ticket.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessageOut | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageIn,
    idempotency_key: str | Unset = UNSET,
) -> MessageOut | Problem | None:
    """Add a message to a ticket the caller can see. A `user` writes as themself with role
    `user` and cannot write internal notes (403). When a `user` replies to a ticket that is
    `pending_customer`, the ticket moves to `in_progress` and the change is recorded in its
    history. Otherwise a message leaves the ticket (its `version`, `ETag` and `updated_at`) as it
    is. A customer's message (role `user`) queues an assistant run when the tenant's assistant
    mode is `draft` or `reply`. `Idempotency-Key` works as for creating tickets.

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (MessageIn): A new message on a ticket.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessageOut | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
