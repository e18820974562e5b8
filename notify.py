"""The channels a reminder goes out through besides the in-app notice: e-mail through the
intranet's SMTP relay and a DingTalk / 浙政钉-style group robot (webhook).

No database and no Streamlit: `db.services.reminders` decides what to send and records the
outcome; a failure raises `DeliveryFailed` with a short reason for the reminder table and log.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from settings import Settings


class DeliveryFailed(Exception):
    """A channel could not deliver; the message is stored in reminder.last_error."""


def email_enabled(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def send_email(settings: Settings, to: list[str], subject: str, body: str) -> None:
    """One plain-text UTF-8 e-mail to `to` through the configured relay."""
    message = EmailMessage()
    message["From"] = formataddr(("五星示范 · 双优引领", settings.smtp_from))
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="wuxing.local")
    message.set_content(body, charset="utf-8")
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            refused = smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryFailed(f"smtp: {type(error).__name__}: {error}"[:500]) from error
    if refused:
        raise DeliveryFailed(f"smtp refused: {', '.join(sorted(refused))}"[:500])


def robot_payload(content: str) -> bytes:
    """The JSON a DingTalk / 浙政钉 group robot accepts for a text message."""
    return json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode(
        "utf-8"
    )


def post_webhook(settings: Settings, content: str, url: str = "") -> None:
    """Post `content` to the group robot at `url` (default: the city's, REMINDER_WEBHOOK_URL);
    a non-2xx answer or an errcode other than 0 fails."""
    request = urllib.request.Request(
        url or settings.reminder_webhook_url,
        data=robot_payload(content),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(
            request, timeout=settings.reminder_webhook_timeout_seconds
        ) as response:
            answer = response.read(10_000)
    except (OSError, urllib.error.URLError) as error:
        raise DeliveryFailed(f"webhook: {type(error).__name__}: {error}"[:500]) from error
    try:
        decoded = json.loads(answer or b"{}")
    except ValueError:
        return  # a robot that answers 2xx without JSON took the message
    if isinstance(decoded, dict) and decoded.get("errcode", 0) not in (0, "0"):
        raise DeliveryFailed(
            f"webhook errcode {decoded.get('errcode')}: {decoded.get('errmsg')}"[:500]
        )
