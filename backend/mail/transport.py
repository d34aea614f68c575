"""Mail transport: build a message, validate addresses, deliver by SMTP or to `.eml` files.

Pure transport: no database. The mail outbox job builds a message with a stable Message-ID
(made from the outbox row's id) and calls `deliver`; it retries on `TransientMailError` and
gives up on `PermanentMailError`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

log = logging.getLogger(__name__)

__all__ = [
    "PermanentMailError",
    "SmtpConfig",
    "TransientMailError",
    "build_message",
    "deliver",
    "validate_address",
]


class TransientMailError(Exception):
    """Delivery failed but may succeed later (connection, timeout, 4xx): retry with backoff."""


class PermanentMailError(Exception):
    """Delivery will not succeed as is (5xx, refused recipients, bad config): do not retry."""


# --- addresses -------------------------------------------------------------------------------

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")


def validate_address(addr: str) -> str:
    """Return the address stripped of surrounding blanks, or raise ValueError.

    Accepts a bare ASCII addr-spec (no display name) with a dotted domain, at most 254
    characters, local part at most 64. The message is Japanese: the API shows it to the user.
    """
    candidate = addr.strip() if isinstance(addr, str) else ""
    local, _, _ = candidate.rpartition("@")
    if (
        not candidate
        or len(candidate) > 254
        or len(local) > 64
        or parseaddr(candidate) != ("", candidate)
        or not _ADDRESS.fullmatch(candidate)
    ):
        raise ValueError(f"メールアドレスの形式が正しくありません: {addr!r}")
    return candidate


# --- message ---------------------------------------------------------------------------------


def build_message(
    *,
    sender: str,
    to: list[str],
    subject: str,
    text: str,
    html: str | None,
    message_id: str,
    date: datetime | None = None,
) -> EmailMessage:
    """A UTF-8 message: text/plain alone, or multipart/alternative (text/plain, then text/html).

    With `policy.SMTP` non-ASCII headers are RFC 2047 encoded and lines end in CRLF.
    `message_id` is kept as given (angle brackets added if missing) so that every attempt
    to send one outbox row carries the same Message-ID.
    """
    if not to:
        raise ValueError("a message needs at least one recipient")
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = date or datetime.now(timezone.utc)
    msg["Message-ID"] = message_id if message_id.startswith("<") else f"<{message_id}>"
    # base64 keeps the message 7-bit clean for any relay; text lines are CRLF (canonical form)
    msg.set_content(text, charset="utf-8", cte="base64")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    return msg


# --- configuration ---------------------------------------------------------------------------

_SCHEMES = {  # scheme: (default port, implicit TLS, STARTTLS)
    "smtp": (25, False, False),
    "smtps": (465, True, False),
    "smtp+starttls": (587, False, True),
}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    use_tls: bool = False
    start_tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        """Parse `smtp://`, `smtps://` (implicit TLS) or `smtp+starttls://` URLs.

        `smtp://` is plain SMTP with no opportunistic STARTTLS: the scheme says what happens.
        User and password are percent-decoded.
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            raise ValueError(
                f"unsupported SMTP URL scheme {parts.scheme!r}; use one of {sorted(_SCHEMES)}"
            )
        if not parts.hostname:
            raise ValueError("SMTP URL has no host")
        default_port, use_tls, start_tls = _SCHEMES[scheme]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,  # .port raises ValueError when out of range
            use_tls=use_tls,
            start_tls=start_tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )


# --- delivery --------------------------------------------------------------------------------


def eml_filename(message: EmailMessage) -> str:
    """`<outbox-123@renkei-desk>` -> `outbox-123@renkei-desk.eml`."""
    message_id = (message["Message-ID"] or "").strip().strip("<>")
    if not message_id:
        raise ValueError("message has no Message-ID")
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", message_id) + ".eml"


def _write_eml(message: EmailMessage, outbox_dir: Path) -> Path:
    outbox_dir.mkdir(parents=True, exist_ok=True)
    target = outbox_dir / eml_filename(message)
    fd, tmp = tempfile.mkstemp(dir=outbox_dir, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(message.as_bytes())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)  # atomic; a second run overwrites the same file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


async def deliver(
    message: EmailMessage,
    *,
    smtp: SmtpConfig | None,
    outbox_dir: Path,
    timeout: float = 30,
) -> None:
    """Send `message`, or with `smtp=None` write it to `<outbox_dir>/<message-id>.eml`.

    Raises TransientMailError (connection refused/lost, timeout, 4xx) or PermanentMailError
    (5xx, every recipient refused, unsendable address, TLS/AUTH not offered). Recipients
    refused while others were accepted are logged, not raised: the message went out, and a
    retry would send it twice to those who got it.
    """
    if smtp is None:
        path = await asyncio.to_thread(_write_eml, message, Path(outbox_dir))
        log.info("mail written to %s", path)
        return

    try:
        refused, _ = await aiosmtplib.send(
            message,
            hostname=smtp.host,
            port=smtp.port,
            use_tls=smtp.use_tls,
            start_tls=smtp.start_tls,
            username=smtp.username,
            password=smtp.password,
            timeout=timeout,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        error = TransientMailError if any(code < 500 for code in codes) else PermanentMailError
        details = [(r.recipient, r.code, r.message) for r in exc.recipients]
        raise error(f"all recipients refused: {details}") from exc
    except aiosmtplib.SMTPResponseException as exc:
        error = TransientMailError if exc.code < 500 else PermanentMailError
        raise error(f"SMTP {exc.code}: {exc.message}") from exc
    except (aiosmtplib.SMTPNotSupported, ValueError) as exc:
        raise PermanentMailError(str(exc)) from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        # connect errors, disconnects and timeouts (SMTPConnectError etc. are ConnectionErrors)
        raise TransientMailError(f"{type(exc).__name__}: {exc}") from exc

    if refused:
        # reply codes only: addresses are people's, and the outbox row says who
        log.warning("mail %s: %d recipients refused (codes %s)", message["Message-ID"], len(refused),
                    sorted({r.code for r in refused.values()}))
