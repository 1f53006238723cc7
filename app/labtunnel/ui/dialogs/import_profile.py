"""Import a lab profile (.labtunnel file): the lab admin filled in everything but the
person's own user name and password, which are all this dialog asks for.

The server's identity comes pinned in the file, so the first connection asks no
host-key question (a pin never replaces a key already trusted). The file is not signed:
its check sum catches damage, not an edit, so the dialog says to import only files from
the lab admin. A name is asked only when the file's name is already taken.
"""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.errors import FieldProblem, LabTunnelError, ProblemCode, ProfileInvalid
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import JupyterApp, JupyterSpec, RemoteForward
from labtunnel.core.profiles.sharing import (
    ImportPlan,
    SharedHost,
    SharedProfile,
    import_shared,
    plan_import,
)
from labtunnel.ui.background import Background, Outcome
from labtunnel.ui.dialogs.common import (
    accept_cancel_buttons,
    heading_label,
    monospace_label,
    prepare_window,
    problem_label,
    wrapped_label,
)
from labtunnel.ui.texts import error_text, problem_text

log = logging.getLogger(__name__)
translate = QCoreApplication.translate


def free_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)``... when a lab server has that name already."""
    name, number = wanted, 2
    while name.strip().casefold() in taken:
        name, number = f"{wanted} ({number})", number + 1
    return name


def _place(shared: SharedHost) -> str:
    return shared.host if shared.port == 22 else f"{shared.host}:{shared.port}"


def _target_text(shared: SharedProfile) -> str:
    target = shared.target
    if isinstance(target, RemoteForward):
        return translate("ImportProfile", "The address {address} on the server").format(
            address=str(target)
        )
    assert isinstance(target, JupyterSpec)
    app = {
        JupyterApp.AUTO: translate("ImportProfile", "JupyterLab (or Notebook if Lab is missing)"),
        JupyterApp.LAB: translate("ImportProfile", "JupyterLab"),
        JupyterApp.NOTEBOOK: translate("ImportProfile", "Jupyter Notebook"),
    }[target.app]
    if target.env:
        return translate("ImportProfile", "{app} from {env}").format(app=app, env=target.env)
    return app


class ImportProfileDialog(QDialog):
    #: the profiles were saved (ImportPlan)
    imported = Signal(object)
    #: importing failed; the error is shown in the dialog, which stays open
    import_failed = Signal(object)

    def __init__(
        self,
        shared: SharedProfile,
        path: Path,
        profiles: ProfileLifecycle,
        background: Background,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.shared = shared
        self.path = path
        self._profiles = profiles
        self._store = profiles.store
        self._background = background
        self._importing = False
        self._tried = False
        self.plan: ImportPlan | None = None
        prepare_window(self, translate("ImportProfile", "Import lab profile"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            heading_label(
                translate("ImportProfile", "Add “{name}” to LabTunnel").format(name=shared.name)
            )
        )
        layout.addWidget(
            wrapped_label(
                translate(
                    "ImportProfile",
                    "Your lab admin prepared this lab server. Enter your user name and "
                    "password on it; LabTunnel keeps the password in the system keyring.",
                )
            )
        )
        layout.addWidget(self._build_summary())
        # the file's check sum only catches damage: anyone who edits it can recompute it
        self.trust_note = wrapped_label(
            translate(
                "ImportProfile",
                "Import only files you got from your lab admin: the file decides which "
                "server LabTunnel trusts the first time. A server key LabTunnel already "
                "trusts is never replaced by the file's.",
            )
        )
        layout.addWidget(self.trust_note)
        form = QFormLayout()
        self._form = form
        self.username_edit = QLineEdit(shared.server.username, self)
        self.username_edit.setPlaceholderText(translate("ImportProfile", "your login"))
        _row, self.username_problem = self._problem_row(
            form, translate("ImportProfile", "User name:"), self.username_edit
        )
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(
            translate("ImportProfile", "your password on the server")
        )
        _row, self.password_problem = self._problem_row(
            form, translate("ImportProfile", "Password:"), self.password_edit
        )
        self.jump_username_edit: QLineEdit | None = None
        self.jump_username_problem: QLabel | None = None
        self.jump_password_box: QCheckBox | None = None
        if shared.jump is not None:
            # the file's author chose the jump host: the password goes there only if asked
            self.jump_password_box = QCheckBox(
                translate("ImportProfile", "Use this password on the jump host {jump} too").format(
                    jump=_place(shared.jump)
                ),
                self,
            )
            self.jump_password_box.setToolTip(
                translate(
                    "ImportProfile",
                    "Tick this only if the jump host is your lab's gateway. Otherwise enter "
                    "its password later in its own settings.",
                )
            )
            form.addRow("", self.jump_password_box)
            self.jump_username_edit = QLineEdit(shared.jump.username, self)
            self.jump_username_edit.setPlaceholderText(
                translate("ImportProfile", "the same user name")
            )
            _row, self.jump_username_problem = self._problem_row(
                form,
                translate("ImportProfile", "User name on the jump host:"),
                self.jump_username_edit,
            )
        taken = {p.name.strip().casefold() for p in self._store.profiles()}
        self.name_edit = QLineEdit(free_name(shared.name, taken), self)
        self._name_row, self.name_problem = self._problem_row(
            form, translate("ImportProfile", "Name:"), self.name_edit
        )
        self.name_asked = shared.name.strip().casefold() in taken
        form.setRowVisible(self._name_row, self.name_asked)
        layout.addLayout(form)
        self.general_problem = problem_label(self)
        layout.addWidget(self.general_problem)
        buttons, self.import_button = accept_cancel_buttons(
            self, translate("ImportProfile", "Import"), self.do_import, self.reject
        )
        layout.addWidget(buttons)
        for edit in self._edits():
            edit.textEdited.connect(lambda _text: self._validate())
        self.setMinimumWidth(480)
        (self.password_edit if self.username_edit.text() else self.username_edit).setFocus()

    # --- building -------------------------------------------------------------------

    def _build_summary(self) -> QFrame:
        shared = self.shared
        box = QFrame(self)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(box)
        form.addRow(translate("ImportProfile", "Server:"), monospace_label(_place(shared.server)))
        if shared.jump is not None:
            form.addRow(
                translate("ImportProfile", "Through:"), monospace_label(_place(shared.jump))
            )
        form.addRow(translate("ImportProfile", "Opens:"), wrapped_label(_target_text(shared)))
        if shared.forwards:
            extras = ", ".join(f"{f.name} ({f.remote})" for f in shared.forwards)
            form.addRow(translate("ImportProfile", "Also forwards:"), wrapped_label(extras))
        pins = len(shared.server.fingerprints) + (
            len(shared.jump.fingerprints) if shared.jump is not None else 0
        )
        identity = wrapped_label(
            translate(
                "ImportProfile",
                "Checked against the fingerprints in the file ({count})",
            ).format(count=pins)
        )
        identity.setToolTip("\n".join(shared.server.fingerprints))
        form.addRow(translate("ImportProfile", "Server identity:"), identity)
        return box

    def _problem_row(
        self, form: QFormLayout, label: str, field: QLineEdit
    ) -> tuple[QWidget, QLabel]:
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        field.setParent(box)
        column.addWidget(field)
        problem = problem_label(box)
        column.addWidget(problem)
        form.addRow(label, box)
        return box, problem

    def _edits(self) -> list[QLineEdit]:
        edits = [self.username_edit, self.password_edit, self.name_edit]
        if self.jump_username_edit is not None:
            edits.append(self.jump_username_edit)
        return edits

    # --- checking -------------------------------------------------------------------

    def jump_username(self) -> str:
        return self.jump_username_edit.text().strip() if self.jump_username_edit else ""

    def problems(self) -> dict[str, list[str]]:
        """Problems by field: "username", "password", "jump_username", "name", ""."""
        found: dict[str, list[str]] = {}

        def add(key: str, problem: FieldProblem) -> None:
            found.setdefault(key, []).append(problem_text(problem))

        if not self.password_edit.text():
            add("password", FieldProblem("password", ProblemCode.EMPTY))
        jump_user = self.jump_username()
        if any(c.isspace() for c in jump_user):
            add("jump_username", FieldProblem("username", ProblemCode.BAD_USERNAME, jump_user))
            return found
        try:
            plan_import(
                self.shared,
                self._store.profiles(),
                self.username_edit.text(),
                name=self.name_edit.text(),
                jump_username=jump_user,
                check_files=False,
            )
        except ProfileInvalid as exc:
            for problem in exc.problems:
                key = problem.field if problem.field in ("username", "name") else ""
                add(key, problem)
        return found

    def _validate(self) -> dict[str, list[str]]:
        problems = self.problems()
        if "name" in problems and not self.name_asked:
            self.name_asked = True
            self._form.setRowVisible(self._name_row, True)
        if not self._tried:
            return problems
        labels = {
            "username": self.username_problem,
            "password": self.password_problem,
            "name": self.name_problem,
            "": self.general_problem,
        }
        if self.jump_username_problem is not None:
            labels["jump_username"] = self.jump_username_problem
        for key, label in labels.items():
            texts = list(dict.fromkeys(problems.get(key, [])))
            label.setText("\n".join(texts))
            label.setVisible(bool(texts))
        return problems

    # --- importing ------------------------------------------------------------------

    def do_import(self) -> bool:
        """Check the form and start importing (the keyring works in the background). False
        when the form has problems; then :attr:`imported` or :attr:`import_failed` follows."""
        self._tried = True
        if self._importing or self._validate():
            return False
        profiles, shared = self._profiles, self.shared
        username, password = self.username_edit.text(), self.password_edit.text()
        name, jump_username = self.name_edit.text(), self.jump_username()
        box = self.jump_password_box
        jump_password = password if box is not None and box.isChecked() else None

        def work() -> ImportPlan:
            return import_shared(
                profiles,
                shared,
                username,
                password=password,
                jump_password=jump_password,
                name=name,
                jump_username=jump_username,
            )

        self._importing = True
        self.import_button.setEnabled(False)
        self._background.run(work, self._import_done)
        return True

    def _import_done(self, outcome: Outcome[ImportPlan]) -> None:
        if not shiboken6.isValid(self):
            log.info("import finished after its dialog closed: %s", outcome.error or "saved")
            return
        self._importing = False
        self.import_button.setEnabled(True)
        if outcome.error is not None or outcome.value is None:
            error = outcome.error
            log.warning("lab profile not imported: %s", error)
            self.general_problem.setText(
                error_text(error)
                if isinstance(error, LabTunnelError)
                else translate("ImportProfile", "Importing failed. See the log (Show log).")
            )
            self.general_problem.show()
            self.import_failed.emit(error)
            return
        plan = outcome.value
        self.password_edit.clear()
        self.plan = plan
        log.info("imported lab profile %s from %s", plan.profile.name, self.path.name)
        self.accept()  # gone before the "connect now?" question that follows
        self.imported.emit(plan)
