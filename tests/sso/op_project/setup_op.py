"""Create or update the provider's client, users and groups from a JSON spec (idempotent).

python -m op_project.setup_op spec.json   (DJANGO_SETTINGS_MODULE=op_project.settings)
"""

import json
import sys

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
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
        user.set_password(u["password"])
        user.save()
        groups = [Group.objects.get_or_create(name=g)[0] for g in u.get("groups", [])]
        user.groups.set(groups)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        apply(json.load(fh))
