"""Words on the private page that sends the browser on to Jupyter (core.platform.browser)."""

from __future__ import annotations

from labtunnel.messages.base import QT_TRANSLATE_NOOP, Message, msg


def redirect_link() -> Message:
    """The page's only text: a link, for a browser that does not follow it by itself."""
    return msg(QT_TRANSLATE_NOOP("messages", "Open Jupyter"))


def browser_not_opened(detail: str) -> Message:
    """No private page could be written for the browser (the URL is never put on its
    command line instead)."""
    return msg(
        QT_TRANSLATE_NOOP(
            "messages",
            "LabTunnel could not open the browser ({detail}). Copy the address into your "
            "browser yourself.",
        ),
        detail=detail,
    )
