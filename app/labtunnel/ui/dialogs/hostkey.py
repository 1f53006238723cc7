"""Host-key prompts: trust a new server's key, or refuse a changed one.

A changed key gets no accept button at all: the person must find out why the
key changed (a reinstalled server or someone in the middle) before anything
else happens.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.errors import HostKeyChanged, HostKeyUnknown
from labtunnel.core.ssh.hostkeys import OWN_SOURCE, PINNED_SOURCE, host_entry_name
from labtunnel.ui.dialogs.common import (
    heading_label,
    monospace_label,
    plain_buttons,
    prepare_window,
    wrapped_label,
)

translate = QCoreApplication.translate

WARNING_STYLE = (
    "QFrame#warning { background: #fdecea; border: 1px solid #d93025; border-radius: 6px; }"
    "QFrame#warning QLabel { color: #8c1d18; }"
)


class HostKeyDialog(QDialog):
    """Shows a new server's key; accepted means the person chose to trust it."""

    def __init__(
        self,
        error: HostKeyUnknown,
        accept_text: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.error = error
        prepare_window(self, translate("HostKey", "Check the server’s identity"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading_label(translate("HostKey", "Is this your lab server?")))
        layout.addWidget(
            wrapped_label(
                translate(
                    "HostKey",
                    "LabTunnel has not connected to {host} before. Compare the fingerprint "
                    "below with the one your lab admin gave you. Trust it only if they match.",
                ).format(host=host_entry_name(error.host, error.port))
            )
        )
        box = QFrame(self)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(box)
        form.addRow(translate("HostKey", "Server:"), monospace_label(error.host))
        form.addRow(translate("HostKey", "Port:"), monospace_label(str(error.port)))
        form.addRow(translate("HostKey", "Key type:"), monospace_label(error.key_type))
        self.fingerprint_label = monospace_label(error.fingerprint)
        form.addRow(translate("HostKey", "Fingerprint:"), self.fingerprint_label)
        layout.addWidget(box)
        buttons = QDialogButtonBox(self)
        self.trust_button = buttons.addButton(
            accept_text or translate("HostKey", "Trust and connect"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.trust_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)  # Enter must not trust by accident
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(plain_buttons(buttons))
        self.setMinimumWidth(480)


class HostKeyChangedDialog(QDialog):
    """A red warning with both fingerprints; the only way out is Close."""

    def __init__(self, error: HostKeyChanged, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        prepare_window(self, translate("HostKey", "Server identity changed"))
        self.setStyleSheet(WARNING_STYLE)
        layout = QVBoxLayout(self)
        warning = QFrame(self)
        warning.setObjectName("warning")
        inner = QVBoxLayout(warning)
        inner.addWidget(
            heading_label(translate("HostKey", "Warning: the server’s identity has changed"))
        )
        inner.addWidget(
            wrapped_label(
                translate(
                    "HostKey",
                    "{host} showed a different key than the one LabTunnel knows. Someone may "
                    "be intercepting the connection, so LabTunnel did not connect.",
                ).format(host=host_entry_name(error.host, error.port))
            )
        )
        layout.addWidget(warning)
        form = QFormLayout()
        self.expected_label = monospace_label("\n".join(error.expected_fingerprints))
        self.actual_label = monospace_label(error.actual_fingerprint)
        form.addRow(translate("HostKey", "Expected:"), self.expected_label)
        form.addRow(translate("HostKey", "Known from:"), wrapped_label(_source(error.source)))
        form.addRow(translate("HostKey", "Server showed:"), self.actual_label)
        form.addRow(translate("HostKey", "Key type:"), monospace_label(error.key_type))
        layout.addLayout(form)
        layout.addWidget(
            wrapped_label(
                translate(
                    "HostKey",
                    "Ask your lab admin whether the server was reinstalled. Only if they "
                    "confirm the new fingerprint, remove the old key (command line: "
                    "labtunnel hostkey forget {host}) and connect again.",
                ).format(host=error.host)
            )
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(plain_buttons(buttons))
        self.setMinimumWidth(520)


def _source(source: str) -> str:
    if source == PINNED_SOURCE:
        return translate("HostKey", "pinned in this server’s settings")
    if source == OWN_SOURCE:
        return translate("HostKey", "trusted earlier in LabTunnel")
    return source
