"""Add or edit a lab server: every field checked as it is typed, secrets to the keyring.

Problems come from core's ``profile_problems`` and are shown beside the field
they concern. Passwords and passphrases go to the keyring on save and are never
read back into the form. "Test connection" runs in the core's worker threads;
its TestResult arrives through :attr:`AppController.test_result`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from labtunnel.core.errors import FieldProblem, HostKeyUnknown, LabTunnelError, ProblemCode
from labtunnel.core.events import TestResult
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import (
    AuthMethod,
    GpuMode,
    GpuSetting,
    HostProfile,
    JumpHost,
    JupyterApp,
    JupyterSpec,
    NamedForward,
    RemoteForward,
    Target,
    parse_host_port,
    parse_jump_spec,
    profile_problems,
)
from labtunnel.core.profiles.secrets import SecretKind
from labtunnel.core.profiles.slurm import MAX_CPUS, MAX_GPUS, SlurmJob
from labtunnel.ui.background import Background, Outcome
from labtunnel.ui.controller import host_key_error
from labtunnel.ui.dialogs.common import (
    PROBLEM_STYLE,
    heading_label,
    plain_buttons,
    prepare_window,
    problem_label,
    wrapped_label,
)
from labtunnel.ui.dialogs.hostkey import HostKeyDialog
from labtunnel.ui.dialogs.secret_field import SecretField
from labtunnel.ui.texts import error_text, problem_text

log = logging.getLogger(__name__)
translate = QCoreApplication.translate
#: how many "GPU n" entries the GPU list offers (other numbers: labtunnel profile set --gpu)
GPU_CHOICES = 8

GOOD_STYLE = "color: #188038;"
#: the SSH port has no label of its own: its problems show under the address; the extra
#: forwards' problems show under their table
_LABEL_OF = {"port": "host", "forward_name": "forwards", "forward_remote": "forwards"}
_MORE_FIELDS = ("jump", "remote", "local_port", "forwards", "forward_name", "forward_remote")


@dataclass
class EditorServices:
    """The editor's collaborators."""

    profiles: ProfileLifecycle
    #: keyring work runs here, never on the GUI thread
    background: Background
    test_connection: Callable[[HostProfile, str | None, str | None], None]
    test_results: SignalInstance
    trust_host_key: Callable[[HostKeyUnknown], None]


class ProfileEditor(QDialog):
    #: the profile was stored (HostProfile); ``connect_requested`` says whether to connect now
    saved = Signal(object, bool)
    #: saving failed; the error is shown in the dialog, which stays open
    save_failed = Signal(object)
    #: an existing profile's stored secrets were looked up (in the background)
    stored_secrets_known = Signal()

    def __init__(
        self,
        services: EditorServices,
        profile: HostProfile | None = None,
        welcome: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self.is_new = profile is None
        self._original = profile or HostProfile(name="", host="", username="")
        self._touched: set[str] = set()
        self._show_all = not self.is_new
        self._name_follows_host = self.is_new
        self._testing = False
        self._test_profile_id = ""
        self.host_key_dialog: HostKeyDialog | None = None
        self.problem_labels: dict[str, QLabel] = {}
        title = (
            translate("ProfileEditor", "Add lab server")
            if self.is_new
            else translate("ProfileEditor", "Edit {name}").format(name=self._original.name)
        )
        prepare_window(self, title)
        layout = QVBoxLayout(self)
        if welcome:
            layout.addWidget(heading_label(translate("ProfileEditor", "Welcome to LabTunnel")))
            layout.addWidget(
                wrapped_label(
                    translate(
                        "ProfileEditor",
                        "Enter your lab server’s address, your user name and your password. "
                        "LabTunnel then starts Jupyter there and opens it in your browser.",
                    )
                )
            )
        layout.addWidget(self._build_server_group())
        layout.addWidget(self._build_auth_group())
        self.more_button = QToolButton(self)
        self.more_button.setText(translate("ProfileEditor", "More options"))
        self.more_button.setCheckable(True)
        self.more_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more_button.setArrowType(Qt.ArrowType.RightArrow)
        self.more_button.setAutoRaise(True)
        self.more_button.toggled.connect(self._show_more)
        layout.addWidget(self.more_button)
        self.more = QWidget(self)
        more_layout = QVBoxLayout(self.more)
        more_layout.setContentsMargins(0, 0, 0, 0)
        more_layout.addWidget(self._build_jump_group())
        more_layout.addWidget(self._build_target_group())
        more_layout.addWidget(self._build_forwards_group())
        layout.addWidget(self.more)
        self.general_problem = problem_label(self)
        layout.addWidget(self.general_problem)
        layout.addLayout(self._build_test_row())
        layout.addWidget(self._build_buttons())
        self._load(self._original)
        self.more.setVisible(self._needs_more(self._original))
        self.more_button.setChecked(self.more.isVisible())
        services.test_results.connect(self._on_test_result)
        self._loaded_touches = set(self._touched)  # filling the form counts as no edit
        self.setMinimumWidth(520)
        self._saving = False
        #: whether the keyring has said which secrets are stored (a new profile has none)
        self.secrets_known = self.is_new
        self._validate()
        if not self.is_new:
            self._look_up_stored_secrets()

    @property
    def profile_id(self) -> str:
        return self._original.id

    @property
    def untouched(self) -> bool:
        """Nothing typed or chosen yet."""
        return self._touched <= self._loaded_touches

    # --- building the form --------------------------------------------------------

    def _row(self, form: QFormLayout, label: str, field: QWidget, key: str) -> QWidget:
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        problem = problem_label(box)
        column.addWidget(problem)
        self.problem_labels[key] = problem
        form.addRow(label, box)
        return box

    def _line(self, key: str, placeholder: str = "") -> QLineEdit:
        line = QLineEdit(self)
        line.setPlaceholderText(placeholder)
        line.textEdited.connect(lambda _text: self._edited(key))
        return line

    def _build_server_group(self) -> QGroupBox:
        group = QGroupBox(translate("ProfileEditor", "Lab server"), self)
        form = QFormLayout(group)
        self.host_edit = self._line("host", translate("ProfileEditor", "e.g. gpu1.lab.example.edu"))
        self.host_edit.textEdited.connect(self._host_typed)
        self.port_spin = QSpinBox(self)
        self.port_spin.setRange(1, 65535)
        self.port_spin.valueChanged.connect(lambda _v: self._edited("port"))
        host_row = QWidget(self)
        host_layout = QHBoxLayout(host_row)
        host_layout.setContentsMargins(0, 0, 0, 0)
        host_layout.addWidget(self.host_edit, 1)
        host_layout.addWidget(QLabel(translate("ProfileEditor", "Port:"), self))
        host_layout.addWidget(self.port_spin)
        self._row(form, translate("ProfileEditor", "Address:"), host_row, "host")
        self.username_edit = self._line("username", translate("ProfileEditor", "your login"))
        self._row(form, translate("ProfileEditor", "User name:"), self.username_edit, "username")
        self.name_edit = self._line("name", translate("ProfileEditor", "shown in the menu"))
        self.name_edit.textEdited.connect(self._name_typed)
        self._row(form, translate("ProfileEditor", "Name:"), self.name_edit, "name")
        return group

    def _build_auth_group(self) -> QGroupBox:
        group = QGroupBox(translate("ProfileEditor", "Sign in with"), self)
        form = QFormLayout(group)
        methods = QWidget(self)
        row = QHBoxLayout(methods)
        row.setContentsMargins(0, 0, 0, 0)
        self.auth_buttons = QButtonGroup(self)
        self.auth_radios: dict[AuthMethod, QRadioButton] = {}
        labels = {
            AuthMethod.PASSWORD: translate("ProfileEditor", "Password"),
            AuthMethod.KEY: translate("ProfileEditor", "Key file"),
            AuthMethod.AGENT: translate("ProfileEditor", "SSH agent"),
        }
        for method, text in labels.items():
            radio = QRadioButton(text, self)
            self.auth_buttons.addButton(radio)
            self.auth_radios[method] = radio
            row.addWidget(radio)
            radio.toggled.connect(self._auth_changed)
        row.addStretch(1)
        form.addRow(methods)
        # an existing profile's secrets are looked up in the background: until the keyring
        # answers, the fields show "saved" and cannot be typed in
        self.password_field = SecretField(
            translate("ProfileEditor", "your password on the server"), not self.is_new, self
        )
        self.password_field.edited.connect(lambda: self._edited("password"))
        self.password_row = self._row(
            form, translate("ProfileEditor", "Password:"), self.password_field, "password"
        )
        self.key_edit = self._line("key_path", translate("ProfileEditor", "e.g. ~/.ssh/id_ed25519"))
        self.browse_button = QPushButton(translate("ProfileEditor", "Browse…"), self)
        self.browse_button.clicked.connect(self._browse_key)
        key_row = QWidget(self)
        key_layout = QHBoxLayout(key_row)
        key_layout.setContentsMargins(0, 0, 0, 0)
        key_layout.addWidget(self.key_edit, 1)
        key_layout.addWidget(self.browse_button)
        self.key_row = self._row(form, translate("ProfileEditor", "Key file:"), key_row, "key_path")
        self.passphrase_field = SecretField(
            translate("ProfileEditor", "only if the key is encrypted"), not self.is_new, self
        )
        self.passphrase_field.edited.connect(lambda: self._edited("passphrase"))
        form.addRow(translate("ProfileEditor", "Passphrase:"), self.passphrase_field)
        self.agent_note = wrapped_label(
            translate("ProfileEditor", "Uses the keys loaded in your SSH agent."), self
        )
        form.addRow(self.agent_note)
        self.auth_form = form
        return group

    def _build_jump_group(self) -> QGroupBox:
        group = QGroupBox(translate("ProfileEditor", "Connect through a jump host"), self)
        group.setCheckable(True)
        group.toggled.connect(lambda _on: self._edited("jump"))
        self.jump_group = group
        form = QFormLayout(group)
        self.jump_profile_combo = QComboBox(self)
        self.jump_profile_combo.addItem(translate("ProfileEditor", "This address:"), None)
        for other in self._others():
            self.jump_profile_combo.addItem(
                translate("ProfileEditor", "Lab server “{name}”").format(name=other.name), other.id
            )
        self.jump_profile_combo.currentIndexChanged.connect(self._jump_choice_changed)
        form.addRow(translate("ProfileEditor", "Jump host:"), self.jump_profile_combo)
        self.jump_edit = self._line("jump", translate("ProfileEditor", "[user@]host[:port]"))
        self._row(form, translate("ProfileEditor", "Address:"), self.jump_edit, "jump")
        return group

    def _build_target_group(self) -> QGroupBox:
        group = QGroupBox(translate("ProfileEditor", "On the server"), self)
        form = QFormLayout(group)
        self.jupyter_radio = QRadioButton(
            translate("ProfileEditor", "Find or start my Jupyter"), self
        )
        self.remote_radio = QRadioButton(
            translate("ProfileEditor", "Forward a fixed address"), self
        )
        self.target_buttons = QButtonGroup(self)
        self.target_buttons.addButton(self.jupyter_radio)
        self.target_buttons.addButton(self.remote_radio)
        for radio in (self.jupyter_radio, self.remote_radio):
            radio.toggled.connect(self._target_changed)
        form.addRow(self.jupyter_radio)
        self.app_combo = QComboBox(self)
        self.app_combo.addItem(
            translate("ProfileEditor", "Automatic (JupyterLab if installed, else Notebook)"),
            JupyterApp.AUTO.value,
        )
        self.app_combo.addItem(translate("ProfileEditor", "JupyterLab"), JupyterApp.LAB.value)
        self.app_combo.addItem(
            translate("ProfileEditor", "Jupyter Notebook"), JupyterApp.NOTEBOOK.value
        )
        self.app_combo.currentIndexChanged.connect(lambda _i: self._edited("app"))
        form.addRow(translate("ProfileEditor", "Open:"), self.app_combo)
        self.env_edit = self._line(
            "env", translate("ProfileEditor", "conda env, venv folder or path to jupyter")
        )
        self.env_edit.setToolTip(
            translate("ProfileEditor", "Empty: the jupyter found on the server’s login PATH.")
        )
        form.addRow(translate("ProfileEditor", "Environment:"), self.env_edit)
        self.workdir_edit = self._line("workdir", translate("ProfileEditor", "your home folder"))
        form.addRow(translate("ProfileEditor", "Start in:"), self.workdir_edit)
        self.gpu_combo = QComboBox(self)
        self.gpu_combo.addItem(translate("ProfileEditor", "Any free GPU"), GpuMode.ANY.value)
        self.gpu_combo.addItem(translate("ProfileEditor", "All GPUs"), GpuMode.ALL.value)
        self.gpu_combo.addItem(translate("ProfileEditor", "No GPU"), GpuMode.NONE.value)
        for index in range(GPU_CHOICES):
            self.gpu_combo.addItem(
                translate("ProfileEditor", "GPU {index}").format(index=index), str(index)
            )
        self.gpu_combo.setToolTip(
            translate(
                "ProfileEditor",
                "Used when LabTunnel starts Jupyter: “Any free GPU” picks the least busy one "
                "(nvidia-smi on the server). A Jupyter already running keeps its GPUs.",
            )
        )
        self.gpu_combo.currentIndexChanged.connect(lambda _i: self._edited("gpu"))
        form.addRow(translate("ProfileEditor", "GPU:"), self.gpu_combo)
        self.runs_combo = QComboBox(self)
        self.runs_combo.addItem(translate("ProfileEditor", "On this server"), "server")
        self.runs_combo.addItem(
            translate("ProfileEditor", "In a Slurm job (this server is the login node)"), "slurm"
        )
        self.runs_combo.setToolTip(
            translate(
                "ProfileEditor",
                "On a Slurm cluster LabTunnel submits a batch job through the login node, waits "
                "in the queue, and opens the Jupyter that runs in the job on a compute node.",
            )
        )
        self.runs_combo.currentIndexChanged.connect(lambda _i: self._runs_changed())
        form.addRow(translate("ProfileEditor", "Jupyter runs:"), self.runs_combo)
        self.slurm_box = self._build_slurm_box()
        form.addRow(self.slurm_box)
        self.jupyter_rows = (
            self.app_combo,
            self.env_edit,
            self.workdir_edit,
            self.gpu_combo,
            self.runs_combo,
            self.slurm_box,
        )
        form.addRow(self.remote_radio)
        self.remote_edit = self._line(
            "remote", translate("ProfileEditor", "host:port, e.g. localhost:8888")
        )
        self._row(form, translate("ProfileEditor", "Address:"), self.remote_edit, "remote")
        self.local_port_spin = QSpinBox(self)
        self.local_port_spin.setRange(0, 65535)
        self.local_port_spin.setSpecialValueText(translate("ProfileEditor", "any free port"))
        self.local_port_spin.valueChanged.connect(lambda _v: self._edited("local_port"))
        self._row(
            form, translate("ProfileEditor", "Local port:"), self.local_port_spin, "local_port"
        )
        self.target_form = form
        return group

    def _build_slurm_box(self) -> QWidget:
        box = QWidget(self)
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        self.partition_combo = QComboBox(box)
        self.partition_combo.setEditable(True)
        self.partition_combo.setToolTip(
            translate(
                "ProfileEditor",
                "Empty: the cluster's default partition. “Test connection” fills in the "
                "partitions sinfo lists.",
            )
        )
        line = self.partition_combo.lineEdit()
        assert line is not None
        line.setPlaceholderText(translate("ProfileEditor", "the cluster's default"))
        line.textEdited.connect(lambda _t: self._edited("slurm_partition"))
        self.partition_combo.activated.connect(lambda _i: self._edited("slurm_partition"))
        self._row(form, translate("ProfileEditor", "Partition:"), self.partition_combo,
                  "slurm_partition")  # fmt: skip
        self.gpus_spin = QSpinBox(box)
        self.gpus_spin.setRange(0, MAX_GPUS)
        self.gpus_spin.setSpecialValueText(translate("ProfileEditor", "none"))
        self.gpus_spin.valueChanged.connect(lambda _v: self._edited("slurm_gpus"))
        self._row(form, translate("ProfileEditor", "GPUs:"), self.gpus_spin, "slurm_gpus")
        self.cpus_spin = QSpinBox(box)
        self.cpus_spin.setRange(0, MAX_CPUS)
        self.cpus_spin.setSpecialValueText(translate("ProfileEditor", "the cluster's default"))
        self.cpus_spin.valueChanged.connect(lambda _v: self._edited("slurm_cpus"))
        self._row(form, translate("ProfileEditor", "CPUs:"), self.cpus_spin, "slurm_cpus")
        self.memory_edit = self._line(
            "slurm_memory", translate("ProfileEditor", "the cluster's default, e.g. 16G")
        )
        self._row(form, translate("ProfileEditor", "Memory:"), self.memory_edit, "slurm_memory")
        self.time_edit = self._line(
            "slurm_time_limit",
            translate("ProfileEditor", "the partition's default, e.g. 4:00:00 or 1-00:00:00"),
        )
        self._row(form, translate("ProfileEditor", "Time limit:"), self.time_edit,
                  "slurm_time_limit")  # fmt: skip
        self.account_edit = self._line("slurm_account", translate("ProfileEditor", "optional"))
        self._row(form, translate("ProfileEditor", "Account:"), self.account_edit, "slurm_account")
        self.qos_edit = self._line("slurm_qos", translate("ProfileEditor", "optional"))
        self._row(form, translate("ProfileEditor", "QoS:"), self.qos_edit, "slurm_qos")
        self.sbatch_edit = QPlainTextEdit(box)
        self.sbatch_edit.setPlaceholderText(
            translate("ProfileEditor", "one sbatch option per line, e.g. --constraint=a100")
        )
        self.sbatch_edit.setMaximumHeight(70)
        self.sbatch_edit.textChanged.connect(lambda: self._edited("slurm_extra_options"))
        self._row(form, translate("ProfileEditor", "Extra #SBATCH lines:"), self.sbatch_edit,
                  "slurm_extra_options")  # fmt: skip
        return box

    def _slurm_job(self) -> SlurmJob | None:
        if self.runs_combo.currentData() != "slurm":
            return None
        return SlurmJob(
            partition=self._partition_text(),
            gpus=self.gpus_spin.value(),
            cpus=self.cpus_spin.value(),
            memory=self.memory_edit.text().strip(),
            time_limit=self.time_edit.text().strip(),
            account=self.account_edit.text().strip(),
            qos=self.qos_edit.text().strip(),
            extra_options=tuple(
                line.strip() for line in self.sbatch_edit.toPlainText().splitlines() if line.strip()
            ),
        )

    def _partition_text(self) -> str:
        text = self.partition_combo.currentText().strip()
        index = self.partition_combo.findText(text)
        data = self.partition_combo.itemData(index) if index >= 0 else None
        return data if isinstance(data, str) else text

    def _load_slurm(self, job: SlurmJob | None) -> None:
        self.runs_combo.setCurrentIndex(1 if job is not None else 0)
        job = job or SlurmJob()
        self.partition_combo.setEditText(job.partition)
        self.gpus_spin.setValue(job.gpus)
        self.cpus_spin.setValue(job.cpus)
        self.memory_edit.setText(job.memory)
        self.time_edit.setText(job.time_limit)
        self.account_edit.setText(job.account)
        self.qos_edit.setText(job.qos)
        self.sbatch_edit.setPlainText("\n".join(job.extra_options))
        self._runs_changed()

    def _runs_changed(self) -> None:
        slurm = self.runs_combo.currentData() == "slurm"
        self.slurm_box.setVisible(slurm)
        # in a job, Slurm hands out the GPUs: the server's GPU choice does not apply
        self.target_form.setRowVisible(self.gpu_combo, not slurm)
        self._touched.add("runs")
        if hasattr(self, "general_problem"):
            self._validate()

    def show_partitions(self, names: tuple[str, ...], default: str) -> None:
        """The cluster's partitions (from a test that logged in), offered in the list."""
        current = self.partition_combo.currentText()
        self.partition_combo.clear()
        self.partition_combo.addItem("")
        for name in names:
            label = (
                translate("ProfileEditor", "{name} (default)").format(name=name)
                if name == default
                else name
            )
            self.partition_combo.addItem(label, name)
        self.partition_combo.setEditText(current)

    def _build_forwards_group(self) -> QGroupBox:
        group = QGroupBox(translate("ProfileEditor", "Also forward (TensorBoard, dashboards…)"))
        column = QVBoxLayout(group)
        self.forwards_table = QTableWidget(0, 2, self)
        self.forwards_table.setHorizontalHeaderLabels(
            [
                translate("ProfileEditor", "Name in the menu"),
                translate("ProfileEditor", "Address on the server"),
            ]
        )
        self.forwards_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.forwards_table.verticalHeader().hide()
        self.forwards_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.forwards_table.setMaximumHeight(140)
        self.forwards_table.itemChanged.connect(lambda _item: self._edited("forwards"))
        column.addWidget(self.forwards_table)
        problem = problem_label(group)
        self.problem_labels["forwards"] = problem
        column.addWidget(problem)
        row = QHBoxLayout()
        self.add_forward_button = QPushButton(translate("ProfileEditor", "Add forward"), self)
        self.add_forward_button.clicked.connect(self.add_forward_row)
        self.remove_forward_button = QPushButton(translate("ProfileEditor", "Remove"), self)
        self.remove_forward_button.clicked.connect(self._remove_forward_row)
        row.addWidget(self.add_forward_button)
        row.addWidget(self.remove_forward_button)
        row.addStretch(1)
        column.addLayout(row)
        note = wrapped_label(
            translate(
                "ProfileEditor",
                "Each gets its own local port, kept across reconnects, and an “Open” item in "
                "the menu. The address is as seen from the server, e.g. localhost:6006.",
            ),
            self,
        )
        column.addWidget(note)
        return group

    def add_forward_row(self, name: str = "", address: str = "") -> int:
        table = self.forwards_table
        row = table.rowCount()
        table.blockSignals(True)
        table.insertRow(row)
        name_item = QTableWidgetItem(name)
        table.setItem(row, 0, name_item)
        table.setItem(row, 1, QTableWidgetItem(address))
        table.blockSignals(False)
        if not name:
            table.setCurrentCell(row, 0)
            table.editItem(name_item)
        return row

    def _remove_forward_row(self) -> None:
        row = self.forwards_table.currentRow()
        if row >= 0:
            self.forwards_table.removeRow(row)
            self._edited("forwards")

    def _forward_rows(self) -> tuple[list[NamedForward], list[FieldProblem]]:
        forwards: list[NamedForward] = []
        problems: list[FieldProblem] = []
        table = self.forwards_table
        for row in range(table.rowCount()):
            cells = [table.item(row, column) for column in (0, 1)]
            name, spec = (cell.text().strip() if cell is not None else "" for cell in cells)
            if not name and not spec:
                continue  # an empty row is no forward
            try:
                host, port = parse_host_port(spec, 0)
            except ValueError:
                problems.append(FieldProblem("forward_remote", ProblemCode.PORT_OUT_OF_RANGE, spec))
                host, port = spec, 1
            forwards.append(NamedForward(name, host, port))
        return forwards, problems

    def _build_test_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.test_button = QPushButton(translate("ProfileEditor", "Test connection"), self)
        self.test_button.clicked.connect(self.test_connection)
        self.test_result_label = QLabel(self)
        self.test_result_label.setWordWrap(True)
        self.test_result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.test_result_label, 1)
        return row

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(
            translate("ProfileEditor", "Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_connect_button: QPushButton | None = None
        if self.is_new:
            self.save_connect_button = buttons.addButton(
                translate("ProfileEditor", "Save and connect"),
                QDialogButtonBox.ButtonRole.AcceptRole,
            )
            self.save_connect_button.setDefault(True)
            self.save_connect_button.clicked.connect(lambda: self.save(connect=True))
        else:
            self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save(connect=False))
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        return plain_buttons(buttons)

    # --- loading and reading the form -----------------------------------------------

    def _others(self) -> list[HostProfile]:
        return [p for p in self._services.profiles.store.profiles() if p.id != self._original.id]

    def _look_up_stored_secrets(self) -> None:
        profiles, profile_id = self._services.profiles, self._original.id

        def stored() -> dict[SecretKind, bool]:
            return {kind: profiles.has_secret(profile_id, kind) for kind in SecretKind}

        self._services.background.run(stored, self._show_stored_secrets)

    def _show_stored_secrets(self, outcome: Outcome[dict[SecretKind, bool]]) -> None:
        if not shiboken6.isValid(self):
            return
        if outcome.error is not None or outcome.value is None:
            log.warning("cannot check the keyring: %s", outcome.error)
            found: dict[SecretKind, bool] = {}
        else:
            found = outcome.value
        for kind, secret_field in (
            (SecretKind.PASSWORD, self.password_field),
            (SecretKind.PASSPHRASE, self.passphrase_field),
        ):
            if not found.get(kind, False) and secret_field.stored:
                secret_field.set_stored(False)
        self.secrets_known = True
        self.stored_secrets_known.emit()
        self._validate()

    def _load(self, profile: HostProfile) -> None:
        self.name_edit.setText(profile.name)
        self.host_edit.setText(profile.host)
        self.port_spin.setValue(profile.port)
        self.username_edit.setText(profile.username)
        self.auth_radios[profile.auth].setChecked(True)
        self.key_edit.setText(profile.key_path)
        jump = profile.jump
        self.jump_group.setChecked(jump is not None)
        if jump is not None and jump.profile_id:
            index = self.jump_profile_combo.findData(jump.profile_id)
            self.jump_profile_combo.setCurrentIndex(max(0, index))
        elif jump is not None:
            self.jump_edit.setText(str(jump))
        target = profile.target
        if isinstance(target, JupyterSpec):
            self.jupyter_radio.setChecked(True)
            self.app_combo.setCurrentIndex(max(0, self.app_combo.findData(target.app.value)))
            self.env_edit.setText(target.env)
            self.workdir_edit.setText(target.workdir)
            self._select_gpu(target.gpu)
            self._load_slurm(target.slurm)
        else:
            self.remote_radio.setChecked(True)
            self.remote_edit.setText(str(target))
        self.local_port_spin.setValue(profile.local_port)
        for forward in profile.forwards:
            self.add_forward_row(forward.name, forward.remote)
        self._auth_changed()
        self._target_changed()

    def _select_gpu(self, gpu: GpuSetting) -> None:
        value = str(gpu)
        index = self.gpu_combo.findData(value)
        if index < 0:  # e.g. "0,2", set on the command line
            self.gpu_combo.addItem(
                translate("ProfileEditor", "GPUs {list}").format(list=value), value
            )
            index = self.gpu_combo.count() - 1
        self.gpu_combo.setCurrentIndex(index)

    def _gpu_setting(self) -> GpuSetting:
        value = self.gpu_combo.currentData()
        try:
            return GpuSetting.parse(value if isinstance(value, str) else "")
        except ValueError:
            return GpuSetting()

    @staticmethod
    def _needs_more(profile: HostProfile) -> bool:
        return (
            profile.jump is not None
            or not isinstance(profile.target, JupyterSpec)
            or profile.target != JupyterSpec()
            or profile.local_port != 0
            or bool(profile.forwards)
        )

    def auth_method(self) -> AuthMethod:
        for method, radio in self.auth_radios.items():
            if radio.isChecked():
                return method
        return AuthMethod.PASSWORD

    def current_profile(self) -> tuple[HostProfile, list[FieldProblem]]:
        """The profile the form describes, and problems found while parsing it."""
        parse_problems: list[FieldProblem] = []
        jump: JumpHost | None = None
        if self.jump_group.isChecked():
            jump_id = self.jump_profile_combo.currentData()
            if isinstance(jump_id, str):
                jump = JumpHost(profile_id=jump_id)
            else:
                spec = self.jump_edit.text().strip()
                try:
                    jump = parse_jump_spec(spec)
                except ValueError:
                    parse_problems.append(FieldProblem("jump", ProblemCode.PORT_OUT_OF_RANGE, spec))
                    jump = JumpHost(host=spec)
        target: Target
        if self.remote_radio.isChecked():
            spec = self.remote_edit.text().strip()
            try:
                host, port = parse_host_port(spec, 0)
            except ValueError:
                parse_problems.append(FieldProblem("remote", ProblemCode.PORT_OUT_OF_RANGE, spec))
                host, port = spec, 1
            target = RemoteForward(host, port)
        else:
            app = self.app_combo.currentData()
            original = self._original.target
            # settings this form does not show are kept as they were
            target = replace(
                original if isinstance(original, JupyterSpec) else JupyterSpec(),
                app=JupyterApp(app) if isinstance(app, str) else JupyterApp.AUTO,
                env=self.env_edit.text().strip(),
                workdir=self.workdir_edit.text().strip(),
                gpu=self._gpu_setting(),
                slurm=self._slurm_job(),
            )
        forwards, forward_problems = self._forward_rows()
        parse_problems += forward_problems
        profile = self._original.with_changes(
            forwards=tuple(forwards),
            name=self.name_edit.text().strip(),
            host=self.host_edit.text().strip(),
            port=self.port_spin.value(),
            username=self.username_edit.text().strip(),
            auth=self.auth_method(),
            key_path=self.key_edit.text().strip(),
            jump=jump,
            target=target,
            local_port=self.local_port_spin.value(),
        )
        return profile, parse_problems

    def problems(self) -> list[FieldProblem]:
        profile, problems = self.current_profile()
        parsed = {p.field for p in problems}
        problems += [p for p in profile_problems(profile, self._others()) if p.field not in parsed]
        if profile.auth is AuthMethod.PASSWORD and self.password_field.is_missing():
            problems.append(FieldProblem("password", ProblemCode.EMPTY))
        return problems

    # --- reacting to edits --------------------------------------------------------

    def _edited(self, key: str) -> None:
        self._touched.add(key)
        self._validate()

    def _host_typed(self, text: str) -> None:
        if self._name_follows_host:
            self.name_edit.setText(text.strip())

    def _name_typed(self, _text: str) -> None:
        self._name_follows_host = False

    def _auth_changed(self) -> None:
        method = self.auth_method()
        password = method is AuthMethod.PASSWORD
        key = method is AuthMethod.KEY
        form = self.auth_form
        form.setRowVisible(self.password_row, password)
        form.setRowVisible(self.key_row, key)
        form.setRowVisible(self.passphrase_field, key)
        form.setRowVisible(self.agent_note, method is AuthMethod.AGENT)
        self._touched.add("auth")
        if hasattr(self, "general_problem"):
            self._validate()

    def _jump_choice_changed(self, index: int) -> None:
        self.jump_edit.setEnabled(index == 0)
        self._edited("jump")

    def _target_changed(self) -> None:
        jupyter = self.jupyter_radio.isChecked()
        for widget in self.jupyter_rows:
            widget.setEnabled(jupyter)
        self.remote_edit.setEnabled(not jupyter)
        if hasattr(self, "general_problem"):
            self._validate()

    def _show_more(self, shown: bool) -> None:
        self.more.setVisible(shown)
        self.more_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.adjustSize()

    def _browse_key(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, translate("ProfileEditor", "Choose your private key"), self.key_edit.text()
        )
        if path:
            self.key_edit.setText(path)
            self._edited("key_path")

    def _validate(self) -> list[FieldProblem]:
        problems = self.problems()
        by_label: dict[str, list[str]] = {}
        for problem in problems:
            if not (self._show_all or problem.field in self._touched):
                continue
            key = _LABEL_OF.get(problem.field, problem.field)
            if key not in self.problem_labels:
                key = ""
            by_label.setdefault(key, []).append(problem_text(problem))
        for key, label in [*self.problem_labels.items(), ("", self.general_problem)]:
            texts = list(dict.fromkeys(by_label.get(key, [])))
            label.setText("\n".join(texts))
            label.setVisible(bool(texts))
        return problems

    def _show_every_problem(self) -> list[FieldProblem]:
        self._show_all = True
        problems = self._validate()
        if any(p.field in _MORE_FIELDS or p.field.startswith("slurm_") for p in problems):
            self.more_button.setChecked(True)
        return problems

    # --- test and save ------------------------------------------------------------

    def test_connection(self) -> None:
        if self._show_every_problem():
            return
        profile, _ = self.current_profile()
        self._testing = True
        self._test_profile_id = profile.id
        self.test_button.setEnabled(False)
        self.test_result_label.setStyleSheet("")
        self.test_result_label.setText(translate("ProfileEditor", "Testing…"))
        self._services.test_connection(
            profile, self.password_field.value(), self.passphrase_field.value()
        )

    def _on_test_result(self, result: object) -> None:
        if not isinstance(result, TestResult) or not self._testing:
            return
        if result.profile_id != self._test_profile_id:
            return
        self._testing = False
        self.test_button.setEnabled(True)
        if result.partitions:
            self.show_partitions(result.partitions, result.default_partition)
        if result.ok and result.slurm_error is not None:
            self.test_result_label.setStyleSheet(PROBLEM_STYLE)
            self.test_result_label.setText(
                translate("ProfileEditor", "Signed in, but: {problem}").format(
                    problem=error_text(result.slurm_error)
                )
            )
            return
        if result.ok:
            self.test_result_label.setStyleSheet(GOOD_STYLE)
            self.test_result_label.setText(
                translate("ProfileEditor", "It works: LabTunnel reached the server and signed in.")
            )
            return
        self.test_result_label.setStyleSheet(PROBLEM_STYLE)
        error = result.error
        problem = host_key_error(error)
        if isinstance(problem, HostKeyUnknown):
            self.test_result_label.setText(
                translate("ProfileEditor", "The server answered; check its identity to go on.")
            )
            self._ask_host_key(problem)
            return
        self.test_result_label.setText(
            error_text(error)
            if error is not None
            else translate("ProfileEditor", "The test failed.")
        )

    def _ask_host_key(self, error: HostKeyUnknown) -> None:
        dialog = HostKeyDialog(error, translate("ProfileEditor", "Trust and test again"), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._trust_and_retest(error))
        self.host_key_dialog = dialog
        dialog.open()

    def _trust_and_retest(self, error: HostKeyUnknown) -> None:
        try:
            self._services.trust_host_key(error)
        except LabTunnelError as exc:
            self.test_result_label.setText(error_text(exc))
            return
        self.test_connection()

    def save(self, connect: bool = False) -> bool:
        """Check the form and start saving (the keyring works in the background). False
        when the form has problems; then :attr:`saved` or :attr:`save_failed` follows."""
        if self._saving or self._show_every_problem():
            return False
        profile, _ = self.current_profile()
        secrets: dict[SecretKind, str] = {}
        for kind, secret_field, used in (
            (SecretKind.PASSWORD, self.password_field, profile.auth is AuthMethod.PASSWORD),
            (SecretKind.PASSPHRASE, self.passphrase_field, profile.auth is AuthMethod.KEY),
        ):
            value = secret_field.value()
            if used and value is not None:
                secrets[kind] = value
        profiles, is_new = self._services.profiles, self.is_new

        def work() -> HostProfile:
            if is_new:
                return profiles.add(profile, secrets)
            return profiles.update(profile, secrets)

        self._set_saving(True)
        self._services.background.run(work, lambda outcome: self._saved(outcome, connect))
        return True

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        if self.save_connect_button is not None:
            self.save_connect_button.setEnabled(not saving)

    def _saved(self, outcome: Outcome[HostProfile], connect: bool) -> None:
        if not shiboken6.isValid(self):
            # closed while the keyring worked: the profile is saved (or not) all the same
            log.info("saving finished after the editor closed: %s", outcome.error or "saved")
            return
        self._set_saving(False)
        if outcome.error is not None or outcome.value is None:
            error = outcome.error
            self.general_problem.setText(
                error_text(error)
                if isinstance(error, LabTunnelError)
                else translate("ProfileEditor", "Saving failed. See the log (Show log).")
            )
            self.general_problem.show()
            if not isinstance(error, LabTunnelError):
                log.error("saving profile failed", exc_info=error)
            self.save_failed.emit(error)
            return
        log.info("saved profile %s", outcome.value.name)
        self.saved.emit(outcome.value, connect)
        self.accept()
