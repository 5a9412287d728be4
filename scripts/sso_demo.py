"""Try company sign-in locally: start a throw-away OpenLDAP and OpenID provider with people.

    .venv/bin/python scripts/sso_demo.py [--app-url http://127.0.0.1:5000]

Prints the environment to export before `make run` (in another shell), then keeps both
servers running until Ctrl-C. Needs slapd + ldap-utils (apt) and the dev extras (pip).
"""

import argparse
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sso.servers import (  # noqa: E402
    READER_DN,
    READER_PW,
    SUFFIX,
    OpenIdProvider,
    Slapd,
    group_ldif,
    person_ldif,
)

PASSWORD = "scorecard-demo-sso"  # noqa: S105 - demo only
PEOPLE = [  # uid, name, groups
    ("li.na", "Li Na", ["hr-team"]),
    ("wang.wei", "Wang Wei", ["managers"]),
    ("zhao.lei", "Zhao Lei", ["interviewers"]),
    ("it.admin", "IT Admin", ["admins"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-url", default="http://127.0.0.1:5000")
    app_url = parser.parse_args().app_url.rstrip("/")
    slapd = Slapd().start()
    op = OpenIdProvider().start()
    try:
        groups: dict[str, list[str]] = {}
        for uid, name, member_of in PEOPLE:
            slapd.ldapadd(person_ldif(uid, name, f"{uid}@corp.test", PASSWORD))
            for g in member_of:
                groups.setdefault(g, []).append(uid)
        for group, uids in groups.items():
            slapd.ldapadd(group_ldif(group, uids))
        op.configure(
            {
                "clients": [
                    {
                        "client_id": op.CLIENT_ID,
                        "client_secret": op.CLIENT_SECRET,
                        "redirect_uris": [f"{app_url}/login/sso/callback"],
                        "post_logout_redirect_uris": [f"{app_url}/login"],
                    }
                ],
                "users": [
                    {
                        "username": uid,
                        "password": PASSWORD,
                        "email": f"{uid}@corp.test",
                        "first_name": name.split()[0],
                        "last_name": name.split()[-1],
                        "groups": member_of,
                    }
                    for uid, name, member_of in PEOPLE
                ],
            }
        )
        print(
            f"""# Company sign-in demo is running. In the shell that runs `make run`:
export OIDC_ISSUER={op.issuer} OIDC_CLIENT_ID={op.CLIENT_ID} OIDC_CLIENT_SECRET={op.CLIENT_SECRET}
export OIDC_LABEL="Demo IdP"
export LDAP_URL={slapd.url} LDAP_STARTTLS=1 LDAP_CA_FILE={slapd.ca}
export LDAP_BIND_DN={READER_DN} LDAP_BIND_PASSWORD={READER_PW}
export LDAP_USER_BASE=ou=people,{SUFFIX} LDAP_LABEL="Demo directory"
# Then sign in as admin@demo.test, open Admin → Company sign-in and map the groups
# hr-team, managers, interviewers, admins (both sources) to roles. People (password
# {PASSWORD}): {", ".join(uid for uid, _n, _g in PEOPLE)}. Ctrl-C stops both servers.""",
            flush=True,
        )
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        op.stop()
        slapd.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    main()
