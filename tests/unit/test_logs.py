from __future__ import annotations

import logging
from pathlib import Path

from labtunnel.core.logs import MASK, redact, register_secret, setup_logging


def test_patterns_mask_tokens_and_passwords() -> None:
    text = redact('GET /lab?token=abcdef123 Authorization: token abcdef123 {"token": "abcdef123"}')
    assert "abcdef123" not in text
    assert text.count(MASK) == 3


def test_registered_values_are_masked_anywhere() -> None:
    register_secret("s3cr3t-passphrase")
    assert redact("auth with s3cr3t-passphrase failed") == f"auth with {MASK} failed"
    register_secret("ab")  # too short to mask safely
    assert redact("about") == "about"


def test_log_file_never_holds_secrets(tmp_path: Path) -> None:
    register_secret("pa55word-xyz")
    path = setup_logging(tmp_path, logging.DEBUG)
    log = logging.getLogger("labtunnel.test")
    log.info("url %s", "http://127.0.0.1:9/lab?token=tok-123456")
    log.warning("password was %s", "pa55word-xyz")
    try:
        raise ValueError("pa55word-xyz")
    except ValueError:
        log.exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    content = path.read_text()
    assert "tok-123456" not in content and "pa55word-xyz" not in content
    assert content.count(MASK) >= 3
