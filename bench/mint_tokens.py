#!/usr/bin/env python3
"""Mints one HS256 access token per bench tenant (its agent), as the service would issue them,
signed with the bench server's JWT_KEYS. Usage: mint_tokens.py TENANTS KID SECRET > tokens.txt"""
import base64, hashlib, hmac, json, sys, time, uuid

def b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def md5_uuid(s: str) -> str:
    return str(uuid.UUID(hashlib.md5(s.encode()).hexdigest()))

tenants, kid, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
now = int(time.time())
header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}, separators=(",", ":")).encode())
for g in range(1, tenants + 1):
    claims = {
        "sub": md5_uuid(f"bench-agent-{g}"), "tenant": md5_uuid(f"bench-{g}"), "role": "agent",
        "iat": now, "exp": now + 6 * 3600, "jti": str(uuid.uuid4()),
        "iss": "tenantdesk", "aud": "tenantdesk-api",
    }
    signing_input = header + "." + b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    print(signing_input + "." + b64(sig))
