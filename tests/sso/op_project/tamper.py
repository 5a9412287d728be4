"""A man in the middle on the token endpoint: with {"signature": true} in the tamper file the
ID token's signature is altered on its way out (nothing else changes)."""

import base64
import json

from op_project.hooks import tamper


class TamperMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.rstrip("/").endswith("/openid/token") and tamper().get("signature"):
            body = json.loads(response.content)
            if "id_token" in body:
                head, payload, sig = body["id_token"].split(".")
                raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
                raw[len(raw) // 2] ^= 0xFF
                sig = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
                body["id_token"] = f"{head}.{payload}.{sig}"
                response.content = json.dumps(body).encode()
                response["Content-Length"] = str(len(response.content))
        return response
