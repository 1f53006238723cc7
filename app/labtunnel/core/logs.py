"""Logging with secrets redacted by a filter, not by care.

Tokens in URLs and headers are masked by pattern; passwords and passphrases are
masked by value: whoever reads a secret from the keyring registers it here.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

LOG_FILE_NAME = "labtunnel.log"
MASK = "********"

_PATTERNS = [
    re.compile(r"(token=)[^&\s'\"]+", re.IGNORECASE),
    re.compile(r"(Authorization:\s*token\s+)\S+", re.IGNORECASE),
    re.compile(r"(\"token\"\s*:\s*\")[^\"]*", re.IGNORECASE),
    re.compile(r"(password=)[^&\s'\"]+", re.IGNORECASE),
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
