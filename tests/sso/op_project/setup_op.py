"""Create or update the provider's client, users and groups from a JSON spec (idempotent).

The running provider applies a spec POSTed to /test-admin/apply with its admin secret (the
deployment's own admin hook, as an identity provider's admin API would be); from a shell:
python -m op_project.setup_op spec.json   (DJANGO_SETTINGS_MODULE=op_project.settings)
"""

import hmac
import json
import os
import sys

import django

if __name__ == "__main__":
    django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.http import HttpResponse, HttpResponseForbidden  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from oidc_provider.models import Client, ResponseType  # noqa: E402


def apply(spec: dict) -> None:
    for c in spec.get("clients", []):
        client, _ = Client.objects.get_or_create(
            client_id=c["client_id"],
            defaults={"name": c["client_id"], "client_type": "confidential"},
        )
        client.client_secret = c["client_secret"]
        client.jwt_alg = "RS256"
        client.require_consent = False
        client.reuse_consent = True
        client.redirect_uris = sorted(set(client.redirect_uris) | set(c.get("redirect_uris", [])))
        client.post_logout_redirect_uris = sorted(
            set(client.post_logout_redirect_uris) | set(c.get("post_logout_redirect_uris", []))
        )
        client.save()
        client.response_types.set([ResponseType.objects.get(value="code")])
    for u in spec.get("users", []):
        user, _ = User.objects.get_or_create(username=u["username"])
        user.email = u.get("email", "")
        user.first_name = u.get("first_name", "")
        user.last_name = u.get("last_name", "")
        user.is_active = u.get("active", True)
        if not user.check_password(u["password"]):  # a new hash would end their sessions
            user.set_password(u["password"])
        user.save()
        groups = [Group.objects.get_or_create(name=g)[0] for g in u.get("groups", [])]
        user.groups.set(groups)


@csrf_exempt
def apply_view(request):
    """POST a spec with the admin secret of this test deployment (OP_ADMIN_SECRET)."""
    secret = os.environ.get("OP_ADMIN_SECRET", "")
    given = request.headers.get("X-Admin-Secret", "")
    if request.method != "POST" or not secret or not hmac.compare_digest(given, secret):
        return HttpResponseForbidden()
    apply(json.loads(request.body))
    return HttpResponse("ok")


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        apply(json.load(fh))
