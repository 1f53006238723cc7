from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from labtunnel.core.jupyter.server import server_from_info
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


def _logged(tmp_path: Path, *lines: str) -> str:
    """What the real log file holds after ``lines`` went through the real logging setup."""
    path = setup_logging(tmp_path, logging.DEBUG)
    log = logging.getLogger("labtunnel.test")
    for line in lines:
        log.info("%s", line)
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text()


def test_token_forms_the_patterns_used_to_miss_are_masked(tmp_path: Path) -> None:
    """Issue 12.9: a dict's repr, a token in an encoded redirect, a Bearer header and a
    bare hex token all went to the log file as they were."""
    token = "9f2c" * 12  # Jupyter's own tokens: 48 hex digits
    content = _logged(
        tmp_path,
        f"server info {{'token': '{token[:40]}x', 'port': 8888}}",
        f"redirect to /login?next=%2Flab%3Ftoken%3D{token[:30]}yz",
        "GET /api/status Authorization: Bearer abc.def-ghi_jkl",
        f"jupyter printed {token}",
    )
    for secret in (token, token[:30], token[:40], "abc.def-ghi_jkl"):
        assert secret not in content
    assert content.count(MASK) >= 4


def test_a_token_is_secret_from_the_moment_it_is_parsed(tmp_path: Path) -> None:
    """A token no pattern recognises (users may set their own) is masked by value once
    LabTunnel has read it from the server, wherever it appears later."""
    token = "My-Own_Token.42!"
    server = server_from_info({"port": 8888, "url": "http://localhost:8888/", "token": token})
    assert server is not None
    content = _logged(tmp_path, f"opened {server.local_url(9000)}", f"token is {token} here")
    assert token not in content and quote(token, safe="") not in content
