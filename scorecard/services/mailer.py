"""Sending e-mail through the configured SMTP server."""

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message; raises OSError or smtplib.SMTPException on failure."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    _deliver(message)


def send_notice_mail(
    to: str, subject: str, body: str, calendar: bytes | None = None, method: str | None = None
) -> None:
    """Send a notice: plain text, and an iCalendar invitation when there is one (RFC 6047).

    The invitation travels twice, as e-mail clients expect: as a `text/calendar; method=…`
    alternative (Outlook and Gmail show accept/decline from it) and as `invite.ics`.
    """
    if calendar is None:
        send_mail(to, subject, body)
        return
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    message.add_alternative(
        calendar.decode("utf-8"), subtype="calendar", params={"method": method or "REQUEST"}
    )
    message.add_attachment(
        calendar,
        maintype="application",
        subtype="ics",
        filename="invite.ics" if method != "CANCEL" else "cancel.ics",
    )
    _deliver(message)


def _deliver(message: EmailMessage) -> None:
    cfg = current_app.config
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=10) as smtp:
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD", ""))
        smtp.send_message(message)
