from email import message_from_bytes, policy

import pytest

from backend.mail.transport import (
    PermanentMailError,
    SmtpConfig,
    TransientMailError,
    build_message,
    deliver,
    validate_address,
)
from tests.conftest import free_port

SUBJECT = "【連携デスク】第3回 在宅医療・介護連携 会議資料のご案内"
TEXT = "ご担当者様\n\n会議資料をお送りします。よろしくお願いいたします。\n"
HTML = "<p>ご担当者様</p><p>会議資料をお送りします。</p>\n"
SENDER = "連携デスク <desk@renkei.example.jp>"


def body(part) -> str:
    """Decoded text of a part; text travels in canonical form (CRLF line ends)."""
    return part.get_content().replace("\r\n", "\n")


def japanese_message(to=("kyoten@city.example.jp",), message_id="<outbox-123@renkei-desk>"):
    return build_message(
        sender=SENDER, to=list(to), subject=SUBJECT, text=TEXT, html=HTML, message_id=message_id
    )


async def test_smtp_delivers_japanese_multipart_alternative_intact(smtp_server, tmp_path):
    handler, config = smtp_server

    await deliver(japanese_message(), smtp=config, outbox_dir=tmp_path)

    [envelope] = handler.envelopes
    assert envelope.mail_from == "desk@renkei.example.jp"
    assert envelope.rcpt_tos == ["kyoten@city.example.jp"]
    raw = envelope.content
    assert raw.isascii()  # headers RFC 2047 encoded, bodies transfer-encoded
    received = message_from_bytes(raw, policy=policy.default)
    assert received["Subject"] == SUBJECT
    assert received["From"].addresses[0].display_name == "連携デスク"
    assert received["Message-ID"] == "<outbox-123@renkei-desk>"
    assert received["Date"] is not None
    assert received.get_content_type() == "multipart/alternative"
    plain, html = received.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert body(plain) == TEXT
    assert html.get_content_type() == "text/html"
    assert body(html) == HTML


async def test_without_smtp_writes_one_eml_file_even_when_delivered_twice(tmp_path):
    message = japanese_message()
    outbox = tmp_path / "var" / "outbox"

    await deliver(message, smtp=None, outbox_dir=outbox)
    await deliver(message, smtp=None, outbox_dir=outbox)

    files = list(outbox.iterdir())
    assert [f.name for f in files] == ["outbox-123@renkei-desk.eml"]
    written = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert written["Subject"] == SUBJECT
    assert body(written.get_body(("plain",))) == TEXT
    assert body(written.get_body(("html",))) == HTML


async def test_eml_file_name_is_sanitised_from_message_id(tmp_path):
    message = japanese_message(message_id="<../etc/passwd x@renkei-desk>")
    await deliver(message, smtp=None, outbox_dir=tmp_path)
    assert [f.name for f in tmp_path.iterdir()] == [".._etc_passwd_x@renkei-desk.eml"]


async def test_nothing_listening_is_transient(tmp_path):
    config = SmtpConfig(host="127.0.0.1", port=free_port())
    with pytest.raises(TransientMailError):
        await deliver(japanese_message(), smtp=config, outbox_dir=tmp_path, timeout=5)


async def test_recipient_rejected_with_550_is_permanent(smtp_server, tmp_path):
    handler, config = smtp_server
    with pytest.raises(PermanentMailError, match="550"):
        message = japanese_message(to=["reject550@city.example.jp"])
        await deliver(message, smtp=config, outbox_dir=tmp_path)
    assert handler.envelopes == []


async def test_recipient_deferred_with_451_is_transient(smtp_server, tmp_path):
    handler, config = smtp_server
    with pytest.raises(TransientMailError, match="451"):
        message = japanese_message(to=["defer451@city.example.jp"])
        await deliver(message, smtp=config, outbox_dir=tmp_path)
    assert handler.envelopes == []


async def test_partly_refused_recipients_still_deliver_to_the_others(smtp_server, tmp_path):
    handler, config = smtp_server
    to = ["kyoten@city.example.jp", "reject550@city.example.jp"]
    await deliver(japanese_message(to=to), smtp=config, outbox_dir=tmp_path)
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["kyoten@city.example.jp"]


def test_text_only_message_is_single_part():
    message = build_message(
        sender=SENDER, to=["a@example.jp"], subject=SUBJECT, text=TEXT, html=None,
        message_id="outbox-7@renkei-desk",
    )
    assert message.get_content_type() == "text/plain"
    assert message["Message-ID"] == "<outbox-7@renkei-desk>"


@pytest.mark.parametrize(
    "addr",
    [
        "tanaka@example.jp",
        "k.sato+renkei@city.kobe.lg.jp",
        "o'brien@mail.example.com",
        "  spaced@example.jp  ",
    ],
)
def test_valid_addresses_are_accepted(addr):
    assert validate_address(addr) == addr.strip()


@pytest.mark.parametrize(
    "addr",
    [
        "",
        "tanaka",
        "tanaka@",
        "@example.jp",
        "tanaka@localhost",
        "tanaka@@example.jp",
        "ta naka@example.jp",
        "tanaka@exa mple.jp",
        "a@b@example.jp",
        "tanaka.@example.jp",
        "tanaka@example..jp",
        "tanaka@-example.jp",
        "田中@example.jp",
        "Tanaka <tanaka@example.jp>",
        "a@example.jp, b@example.jp",
        "tanaka@example.jp\r\nBcc: x@evil.example",
        "x" * 65 + "@example.jp",
        "a@" + ".".join(["b" * 63] * 4) + ".jp",  # 260 characters
    ],
)
def test_invalid_addresses_are_rejected(addr):
    with pytest.raises(ValueError):
        validate_address(addr)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.example.jp", SmtpConfig("relay.example.jp", 25)),
        ("smtp://user:p%40ss%2Fw0rd@relay.example.jp:2525",
         SmtpConfig("relay.example.jp", 2525, username="user", password="p@ss/w0rd")),
        ("smtps://relay.example.jp", SmtpConfig("relay.example.jp", 465, use_tls=True)),
        ("smtp+starttls://u%40example.jp:secret@relay.example.jp",
         SmtpConfig("relay.example.jp", 587, start_tls=True,
                    username="u@example.jp", password="secret")),
    ],
)
def test_smtp_url_is_parsed(url, expected):
    assert SmtpConfig.from_url(url) == expected


@pytest.mark.parametrize(
    "url", ["http://relay.example.jp", "smtp://", "relay.example.jp:25", "smtp://h:99999"]
)
def test_bad_smtp_url_is_rejected(url):
    with pytest.raises(ValueError):
        SmtpConfig.from_url(url)


def test_smtp_config_repr_hides_password():
    assert "secret" not in repr(SmtpConfig.from_url("smtp://u:secret@h.example.jp"))
