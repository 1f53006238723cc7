"""Logging with secrets redacted by a filter, not by care.

Tokens in URLs, headers, dict reprs and bare hex are masked by pattern; passwords,
passphrases and Jupyter tokens are also masked by value: whoever reads a secret (from
the keyring, from a Jupyter listing) registers it here at once.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

LOG_FILE_NAME = "labtunnel.log"
MASK = "********"

#: a bare token as Jupyter makes them (hex, 48 digits); 32 is the shortest seen in the wild
BARE_HEX_TOKEN = re.compile(r"()\b[0-9a-f]{32,}\b")

_PATTERNS = [
    # in a URL, also percent-encoded inside a redirect (next=%2Flab%3Ftoken%3D...)
    re.compile(r"(token(?:=|%3D|%253D))[^&\s'\"]+", re.IGNORECASE),
    re.compile(r"(Authorization:\s*\w+\s+)\S+", re.IGNORECASE),
    re.compile(r"(\bBearer\s+)[^\s'\",]+", re.IGNORECASE),
    # JSON and Python reprs of a dict: "token": "..." / 'token': '...'
    re.compile(r"(['\"](?:token|password|passphrase)['\"]\s*:\s*['\"])[^'\"]*", re.IGNORECASE),
    re.compile(r"(password(?:=|%3D))[^&\s'\"]+", re.IGNORECASE),
    BARE_HEX_TOKEN,
]

_known_secrets: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask this exact value in every log line from now on (values under 4
    characters would mask ordinary words and are left to the patterns)."""
    if value and len(value) >= 4:
        with _known_lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    with _known_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def setup_logging(log_dir: Path, level: int = logging.INFO, to_stderr: bool = False) -> Path:
    """Rotating file log in ``log_dir`` (and optionally stderr), both redacted."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_labtunnel", False):
            root.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    ]
    if to_stderr:
        handlers.append(logging.StreamHandler())
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        handler._labtunnel = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # paramiko logs every packet type at DEBUG; its INFO lines are enough
    logging.getLogger("paramiko").setLevel(max(level, logging.INFO))
    return path
