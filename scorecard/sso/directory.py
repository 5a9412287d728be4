"""LDAP / Active Directory through ldap3: find the person, bind as them, read their groups.

Two ways to find the entry: search (with the service account LDAP_BIND_DN, or anonymously)
under LDAP_USER_BASE with LDAP_USER_FILTER, or build the DN from LDAP_USER_DN_TEMPLATE and bind
directly. LDAPS (``ldaps://``) or StartTLS (LDAP_STARTTLS=1) verify the server's certificate
against LDAP_CA_FILE (or the system's CAs). A disabled account is one LDAP_ACTIVE_FILTER no
longer matches (AD: ``(!(userAccountControl:1.2.840.113556.1.4.803:=2))``), or one that is gone.
"""

from __future__ import annotations

import ssl
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from ldap3 import BASE, NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_bytes, escape_filter_chars
from ldap3.utils.dn import escape_rdn

from scorecard.models import IdentitySource
from scorecard.sso.provisioning import ExternalProfile


class DirectoryUnavailable(Exception):
    """The directory could not be asked (down, refused TLS, bad service account)."""


@dataclass(frozen=True)
class LdapSettings:
    url: str
    starttls: bool
    ca_file: str
    bind_dn: str
    bind_password: str
    user_base: str
    user_filter: str
    dn_template: str
    active_filter: str
    group_base: str
    group_filter: str
    id_attr: str
    name_attr: str
    mail_attr: str
    timeout: float

    @classmethod
    def from_config(cls) -> LdapSettings:
        c = current_app.config
        return cls(
            url=c.get("LDAP_URL", ""),
            starttls=bool(c.get("LDAP_STARTTLS")),
            ca_file=c.get("LDAP_CA_FILE", ""),
            bind_dn=c.get("LDAP_BIND_DN", ""),
            bind_password=c.get("LDAP_BIND_PASSWORD", ""),
            user_base=c.get("LDAP_USER_BASE", ""),
            user_filter=c.get("LDAP_USER_FILTER", ""),
            dn_template=c.get("LDAP_USER_DN_TEMPLATE", ""),
            active_filter=c.get("LDAP_ACTIVE_FILTER", ""),
            group_base=c.get("LDAP_GROUP_BASE", ""),
            group_filter=c.get("LDAP_GROUP_FILTER", ""),
            id_attr=c.get("LDAP_ID_ATTR", "entryUUID"),
            name_attr=c.get("LDAP_NAME_ATTR", "displayName"),
            mail_attr=c.get("LDAP_MAIL_ATTR", "mail"),
            timeout=float(c.get("LDAP_TIMEOUT_S", 5)),
        )


def enabled() -> bool:
    """LDAP sign-in is configured."""
    return bool(current_app.config.get("LDAP_URL"))


def _and(*filters: str) -> str:
    parts = [f if f.startswith("(") else f"({f})" for f in filters if f]
    return parts[0] if len(parts) == 1 else "(&" + "".join(parts) + ")"


class Directory:
    """One configured directory; each call opens its own short connection."""

    def __init__(self, settings: LdapSettings | None = None) -> None:
        self.s = settings or LdapSettings.from_config()

    # -- connections -------------------------------------------------------------------------

    def _server(self) -> Server:
        parts = urlsplit(self.s.url)
        use_ssl = parts.scheme == "ldaps"
        tls = None
        if use_ssl or self.s.starttls:
            tls = Tls(
                validate=ssl.CERT_REQUIRED,
                version=ssl.PROTOCOL_TLS_CLIENT,
                ca_certs_file=self.s.ca_file or None,
            )
        return Server(
            parts.hostname or "127.0.0.1",
            port=parts.port,
            use_ssl=use_ssl,
            tls=tls,
            get_info=NONE,
            connect_timeout=self.s.timeout,
        )

    def _open(self, user: str | None = None, password: str | None = None) -> Connection | None:
        """A bound connection, None for refused credentials; DirectoryUnavailable otherwise."""
        conn = Connection(
            self._server(),
            user=user,
            password=password,
            receive_timeout=max(1, int(self.s.timeout)),
            raise_exceptions=False,
            read_only=True,
            auto_referrals=False,
        )
        try:
            conn.open()
            if self.s.starttls and not conn.start_tls():
                raise DirectoryUnavailable(f"StartTLS refused: {conn.result}")
            if conn.bind():
                return conn
            code = (conn.result or {}).get("result")
            conn.unbind()
        except LDAPException as exc:
            raise DirectoryUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if code == 49:  # invalidCredentials
            return None
        raise DirectoryUnavailable(f"bind refused: {conn.result}")

    def _service(self) -> Connection:
        conn = self._open(self.s.bind_dn or None, self.s.bind_password or None)
        if conn is None:
            raise DirectoryUnavailable("the service account LDAP_BIND_DN was refused")
        return conn

    # -- reading entries ---------------------------------------------------------------------

    def _attrs(self) -> list[str]:
        return sorted({self.s.id_attr, self.s.name_attr, self.s.mail_attr, "cn", "uid", "memberOf"})

    def _search(self, conn: Connection, base: str, flt: str, scope=SUBTREE) -> list:
        try:
            ok = conn.search(base, flt, search_scope=scope, attributes=self._attrs(), size_limit=2)
        except LDAPException as exc:
            raise DirectoryUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not ok and (conn.result or {}).get("result") not in (0, 4, 32):  # 32: no such object
            raise DirectoryUnavailable(f"search failed: {conn.result}")
        return [e for e in (conn.response or []) if e.get("type") == "searchResEntry"]

    def _first(self, entry: dict, attr: str) -> str | None:
        value = entry.get("attributes", {}).get(attr)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, bytes):
            if attr.lower() == "objectguid" and len(value) == 16:
                return str(uuid.UUID(bytes_le=value))
            value = value.decode("utf-8", "replace")
        return str(value) if value not in (None, "") else None

    def _subject_filter(self, subject: str) -> str:
        if self.s.id_attr.lower() == "objectguid":
            value = escape_bytes(uuid.UUID(subject).bytes_le)
        else:
            value = escape_filter_chars(subject)
        return f"({self.s.id_attr}={value})"

    def _profile(self, conn: Connection, entry: dict, username: str) -> ExternalProfile | None:
        subject = self._first(entry, self.s.id_attr)
        if not subject:
            current_app.logger.error("LDAP entry %s has no %s", entry.get("dn"), self.s.id_attr)
            return None
        dn = entry["dn"]
        attrs = entry.get("attributes", {})
        groups = [str(g) for g in attrs.get("memberOf") or []]
        if self.s.group_base:
            flt = self.s.group_filter.format(
                dn=escape_filter_chars(dn), username=escape_filter_chars(username)
            )
            try:
                conn.search(self.s.group_base, flt, search_scope=SUBTREE, attributes=["cn"])
            except LDAPException as exc:
                raise DirectoryUnavailable(f"{type(exc).__name__}: {exc}") from exc
            groups += [e["dn"] for e in (conn.response or []) if e.get("type") == "searchResEntry"]
        return ExternalProfile(
            source=IdentitySource.LDAP,
            subject=subject,
            email=self._first(entry, self.s.mail_attr),
            email_verified=True,  # the directory's own record of the person
            name=self._first(entry, self.s.name_attr) or self._first(entry, "cn"),
            groups=groups,
            dn=dn,
        )

    # -- what the app asks -------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> ExternalProfile | None:
        """The person's profile when the password binds, else None (unknown, wrong, disabled)."""
        username = (username or "").strip()
        if not username or not password:  # an empty password would be an anonymous bind
            return None
        if self.s.dn_template:
            dn = self.s.dn_template.format(username=escape_rdn(username))
            conn = self._open(dn, password)
            if conn is None:
                return None
            try:
                found = self._search(conn, dn, _and("(objectClass=*)", self.s.active_filter), BASE)
                return self._profile(conn, found[0], username) if len(found) == 1 else None
            finally:
                conn.unbind()
        service = self._service()
        try:
            flt = _and(
                self.s.user_filter.format(username=escape_filter_chars(username)),
                self.s.active_filter,
            )
            found = self._search(service, self.s.user_base, flt)
            if len(found) != 1:
                return None
            entry = found[0]
            user_conn = self._open(entry["dn"], password)
            if user_conn is None:
                return None
            user_conn.unbind()
            return self._profile(service, entry, username)
        finally:
            service.unbind()

    def lookup(self, subject: str, dn: str | None = None) -> ExternalProfile | None:
        """The entry with this unique id, if it still exists and is active (re-check, link)."""
        service = self._service()
        try:
            if self.s.user_base:
                found = self._search(
                    service,
                    self.s.user_base,
                    _and(self._subject_filter(subject), self.s.active_filter),
                )
            elif dn:
                found = self._search(
                    service, dn, _and(self._subject_filter(subject), self.s.active_filter), BASE
                )
            else:
                return None
            if len(found) != 1:
                return None
            username = self._first(found[0], "uid") or self._first(found[0], "cn") or ""
            return self._profile(service, found[0], username)
        finally:
            service.unbind()

    def find(self, username: str) -> ExternalProfile | None:
        """Look a person up by user name with the service account (an admin links them)."""
        username = (username or "").strip()
        if not username:
            return None
        service = self._service()
        try:
            if self.s.dn_template and not self.s.user_base:
                dn = self.s.dn_template.format(username=escape_rdn(username))
                found = self._search(
                    service, dn, _and("(objectClass=*)", self.s.active_filter), BASE
                )
            else:
                flt = _and(
                    self.s.user_filter.format(username=escape_filter_chars(username)),
                    self.s.active_filter,
                )
                found = self._search(service, self.s.user_base, flt)
            return self._profile(service, found[0], username) if len(found) == 1 else None
        finally:
            service.unbind()

    def check(self) -> None:
        """Connect and bind with the service account; raises DirectoryUnavailable with why."""
        self._service().unbind()
