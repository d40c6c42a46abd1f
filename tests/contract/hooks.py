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



# The answer provider stays the built-in one. A generated `PATCH /v1/settings` (or the
# platform's `/v1/settings/defaults`) may set `"provider": "openai"`, whose default base URL
# (api.openai.com) cannot be reached from a test machine; every later `POST /v1/ask` and ticket
# assist would then rightly answer 503 `provider_unavailable`, which the checks count as a
# server error. The other settings, and every malformed `provider` value, are still sent as
# generated; the OpenAI provider itself is tested against a local server in tests/api/assistant.
SETTINGS_PATHS = ("/v1/settings", "/v1/settings/defaults")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if (
        case.method.upper() == "PATCH"
        and case.path in SETTINGS_PATHS
        and isinstance(case.body, dict)
        and case.body.get("provider") == "openai"
    ):
        case.body["provider"] = "builtin"
