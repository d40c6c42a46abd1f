"""Schemathesis hooks for the contract run (tests/api/contract.rs starts it).

Authentication: a bearer token fetched by logging in (TD_LOGIN_PATH with the JSON body in
TD_LOGIN_BODY), fetched again whenever an answer is 401: the run itself may log the account out
(`POST /v1/auth/logout` with `all_sessions`), which revokes the token it was using.
"""

import json
import os

import requests
import schemathesis

BASE_URL = os.environ["TD_BASE_URL"]


@schemathesis.auth()
class Login:
    def get(self, case, context):
        response = requests.post(
            BASE_URL + os.environ["TD_LOGIN_PATH"],
            json=json.loads(os.environ["TD_LOGIN_BODY"]),
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"

