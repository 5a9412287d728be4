"""Real servers for the company sign-in tests: Debian's slapd and django-oidc-provider.

Each runs as its own process on 127.0.0.1 on a free high port with everything (config,
database, certificates, logs) in a temporary directory, and is stopped afterwards. Nothing
of the machine's own /etc/ldap configuration is used (only the schema files slapd ships).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
LDAPADD = shutil.which("ldapadd") or "/usr/bin/ldapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
SUFFIX = "dc=scorecard,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PW = "root-secret"  # noqa: S105 - a throw-away test directory
READER_DN = f"cn=reader,{SUFFIX}"
READER_PW = "reader-secret"  # noqa: S105


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port}: {log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def make_ca_and_cert(directory: Path) -> tuple[Path, Path, Path]:
    """A self-signed CA and a server certificate for 127.0.0.1 / localhost signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Scorecard test CA"))
        .issuer_name(name("Scorecard test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = (
        directory / "ca.pem",
        directory / "server.pem",
        directory / "server.key",
    )
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return ca_path, cert_path, key_path


# --- OpenLDAP ------------------------------------------------------------------------------

SEED_LDIF = f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Scorecard test
dc: scorecard

dn: {READER_DN}
objectClass: simpleSecurityObject
objectClass: organizationalRole
cn: reader
userPassword: {READER_PW}

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups
"""


class Slapd:
    """slapd with a generated slapd.conf, the memberof overlay, ldap:// and ldaps:// ports."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="scorecard-slapd-"))
        self.port = free_port()
        self.tls_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.ca, self.cert, self.key = make_ca_and_cert(self.dir)

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    def _conf(self) -> str:
        schemas = "\n".join(
            f"include {SCHEMA_DIR / s}.schema" for s in ("core", "cosine", "inetorgperson", "nis")
        )
        return f"""{schemas}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {self.dir}/slapd.pid
argsfile {self.dir}/slapd.args
TLSCACertificateFile {self.ca}
TLSCertificateFile {self.cert}
TLSCertificateKeyFile {self.key}
database mdb
maxsize 33554432
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PW}
directory {self.dir}/data
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by dn.exact="{READER_DN}" read
  by self read
  by * none
"""

    def start(self) -> Slapd:
        (self.dir / "data").mkdir()
        conf = self.dir / "slapd.conf"
        conf.write_text(self._conf())
        log = self.dir / "slapd.log"
        self.proc = subprocess.Popen(
            [SLAPD, "-f", str(conf), "-h", f"{self.url}/ {self.ldaps_url}/", "-d", "0"],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        _wait_port(self.port, self.proc, log)
        _wait_port(self.tls_port, self.proc, log)
        self.ldapadd(SEED_LDIF)
        return self

    def ldapadd(self, ldif: str) -> None:
        """Add entries with OpenLDAP's own client, as the directory's administrator."""
        subprocess.run(
            [LDAPADD, "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PW],
            input=ldif.encode(),
            check=True,
            capture_output=True,
        )

    def admin(self):
        """An ldap3 connection bound as the directory's administrator (for changes)."""
        from ldap3 import Connection, Server

        return Connection(Server(self.url), ROOT_DN, ROOT_PW, auto_bind=True)

    def stop(self) -> None:
        _stop(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)


def person_ldif(uid: str, name: str, mail: str, password: str, disabled: bool = False) -> str:
    surname = name.split()[-1]
    lines = [
        f"dn: uid={uid},ou=people,{SUFFIX}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        f"cn: {name}",
        f"sn: {surname}",
        f"displayName: {name}",
        f"mail: {mail}",
        f"userPassword: {password}",
    ]
    if disabled:
        lines.append("employeeType: disabled")
    return "\n".join(lines) + "\n"


def group_ldif(cn: str, member_uids: list[str]) -> str:
    lines = [f"dn: cn={cn},ou=groups,{SUFFIX}", "objectClass: groupOfNames", f"cn: {cn}"]
    lines += [f"member: uid={u},ou=people,{SUFFIX}" for u in member_uids] or [f"member: {ROOT_DN}"]
    return "\n".join(lines) + "\n"


# --- the OpenID provider -------------------------------------------------------------------


class OpenIdProvider:
    """django-oidc-provider in a minimal Django project (tests/sso/op_project), on gunicorn."""

    CLIENT_ID = "scorecard"
    CLIENT_SECRET = "scorecard-client-secret"  # noqa: S105

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="scorecard-op-"))
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.admin_secret = secrets.token_urlsafe(16)

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.site}/openid"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="op_project.settings",
            OP_DIR=str(self.dir),
            OP_SITE_URL=self.site,
            OP_ADMIN_SECRET=self.admin_secret,
            PYTHONPATH=str(HERE),
        )
        env.pop("DATABASE_URL", None)
        return env

    def _manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "django", *args],
            env=self._env(),
            cwd=HERE,
            check=True,
            capture_output=True,
        )

    def start(self) -> OpenIdProvider:
        self._manage("migrate", "--noinput")
        self._manage("creatersakey")
        log = self.dir / "op.log"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "1",
                "--threads",
                "4",
                "op_project.wsgi:application",
            ],
            env=self._env(),
            cwd=HERE,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        _wait_port(self.port, self.proc, log)
        requests.get(
            f"{self.issuer}/.well-known/openid-configuration", timeout=10
        ).raise_for_status()
        return self

    def configure(self, spec: dict) -> None:
        """Create or update the client, users and groups (tests/sso/op_project/setup_op.py)."""
        response = requests.post(
            f"{self.site}/test-admin/apply",
            data=json.dumps(spec),
            headers={"X-Admin-Secret": self.admin_secret},
            timeout=30,
        )
        response.raise_for_status()

    def tamper(self, **how) -> None:
        """Make the provider misbehave (hooks.py, tamper.py); no argument: behave again."""
        (self.dir / "tamper.json").write_text(json.dumps(how))

    def stop(self) -> None:
        _stop(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)
