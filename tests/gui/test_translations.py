"""Simplified Chinese: every UI string and every error message translated (in the .ts
and in the compiled .qm the app loads), placeholders intact, and the language chosen
from the system or from Settings."""

from __future__ import annotations

import enum
import importlib.util
import inspect
import string
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication
from tests.gui.helpers import action, make_profile, open_menu, set_state, texts

from labtunnel import messages
from labtunnel.core import errors as e
from labtunnel.core.errors import ProblemCode
from labtunnel.core.events import TunnelState
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.ui import i18n
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.i18n import Translators, ui_language
from labtunnel.ui.main import install_language
from labtunnel.ui.notices import Notice, NoticeKind
from labtunnel.ui.settings import SettingsStore
from labtunnel.ui.texts import error_text, notice_text

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]
ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resources" / "translations"
CJK = range(0x4E00, 0xA000)
FULL_WIDTH = set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))


def load_update_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("translations_update", TRANSLATIONS / "update.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


update = load_update_script()


def has_cjk(text: str) -> bool:
    """Chinese characters, or full-width punctuation (as in "{name}：{state}")."""
    return any(ord(c) in CJK or ord(c) in FULL_WIDTH for c in text)


def without_placeholders(text: str) -> str:
    return "".join(literal for literal, _, _, _ in string.Formatter().parse(text))


@pytest.fixture(scope="module")
def compiled() -> QTranslator:
    translator = QTranslator()
    assert translator.load(str(TRANSLATIONS / "labtunnel_zh_CN.qm"))
    return translator


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[Translators]:
    translators = Translators(qapp)
    assert translators.install("zh_CN")
    yield translators
    translators.remove()


# --- completeness -----------------------------------------------------------------------


def test_the_extractor_finds_the_ui_and_the_messages() -> None:
    sources = update.extract()
    contexts = {s.context for s in sources}
    assert {"TrayMenu", "ProfileEditor", "ImportProfile", "SshImport", "Settings"} <= contexts
    assert "messages" in contexts
    assert len(sources) > 300


def test_every_ui_string_and_message_has_a_finished_chinese_translation(
    compiled: QTranslator,
) -> None:
    entries = {(x.context, x.source): x for x in update.read_ts(update.ts_path("zh_CN"))}
    missing, unfinished, not_compiled = [], [], []
    for source in update.extract():
        key = (source.context, source.text)
        where = f"{source.file.relative_to(ROOT)}:{source.line} {source.text!r}"
        entry = entries.get(key)
        if entry is None:
            missing.append(where)
        elif entry.kind or not entry.translation.strip():
            unfinished.append(where)
        elif not compiled.translate(source.context, source.text):
            not_compiled.append(where)
    hint = "run: .venv/bin/python resources/translations/update.py, then translate"
    assert missing == [], hint
    assert unfinished == [], hint
    assert not_compiled == [], "the .qm is older than the .ts: " + hint


def test_no_translation_is_left_over_or_untranslated_in_the_ts() -> None:
    entries = update.read_ts(update.ts_path("zh_CN"))
    assert [x.source for x in entries if x.kind in ("obsolete", "vanished")] == []
    # what is not a product name or only placeholders must really be Chinese
    names = {"JupyterLab", "Jupyter Notebook", "SSH agent"}
    english = [
        x.source
        for x in entries
        if not has_cjk(x.translation)
        and x.source not in names
        and any(c.isalpha() for c in without_placeholders(x.translation))
    ]
    assert english == []


def fields(text: str) -> set[tuple[str, str | None]]:
    return {(name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


def test_placeholders_match_between_source_and_translation() -> None:
    wrong = []
    for entry in update.read_ts(update.ts_path("zh_CN")):
        if fields(entry.source) != fields(entry.translation):
            wrong.append((entry.source, entry.translation))
            continue
        values: dict[str, Any] = {name: 1.5 for name, _ in fields(entry.source)}
        entry.translation.format(**values)  # formats like the source does
    assert wrong == []


# --- every error message, rendered through the translator --------------------------------


def sample_value(parameter: inspect.Parameter) -> object:
    annotation = str(parameter.annotation)
    if parameter.default is not inspect.Parameter.empty:
        return parameter.default
    if "FieldProblem" in annotation:
        return [
            e.FieldProblem("host", ProblemCode.EMPTY),
            e.FieldProblem("server.port", ProblemCode.WRONG_TYPE, "int"),
        ]
    if "LabTunnelError" in annotation:
        return e.DnsFailure("gpu.lab.example", 22)
    if "Sequence" in annotation or "list" in annotation or "tuple" in annotation:
        return ["SHA256:aaa", "SHA256:bbb"]
    if "float" in annotation:
        return 2.5
    if "int" in annotation:
        return 22
    return "x"


def enum_of(parameter: inspect.Parameter) -> type[enum.Enum] | None:
    found = getattr(e, str(parameter.annotation), None)
    return found if isinstance(found, type) and issubclass(found, enum.Enum) else None


def every_error() -> list[e.LabTunnelError]:
    """One error of each class; one per member of a code enum it takes (every branch)."""
    errors = []
    for _, cls in inspect.getmembers(e, inspect.isclass):
        if not issubclass(cls, e.LabTunnelError) or cls.__module__ != e.__name__:
            continue
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
        codes = next((enum_of(p) for p in parameters if enum_of(p) is not None), None)
        for code in list(codes) if codes is not None else [None]:
            values = [
                code if code is not None and enum_of(p) is codes else sample_value(p)
                for p in parameters
            ]
            try:
                errors.append(cls(*values))
            except TypeError:
                continue
    return errors


def test_every_error_message_renders_in_chinese_with_translated_parts(
    compiled: QTranslator,
) -> None:
    errors = every_error()
    assert len(errors) > 40
    errors.append(
        e.JumpHostFailed(
            "gw", "gpu", e.ProfileInvalid([e.FieldProblem("port", ProblemCode.WRONG_TYPE)])
        )
    )
    untranslated = []
    for error in errors:

        def chinese(template: str) -> str:
            found = compiled.translate("messages", template)
            if not found:
                untranslated.append((type(error).__name__, template))  # noqa: B023
            return found or ""

        text = messages.describe(error).render(chinese)
        assert has_cjk(text), (type(error).__name__, text)
    assert untranslated == []


def test_field_names_inside_a_sentence_are_translated_too(chinese: Translators) -> None:
    invalid = e.ProfileInvalid(
        [e.FieldProblem("host", ProblemCode.EMPTY), e.FieldProblem("port", ProblemCode.WRONG_TYPE)]
    )
    text = error_text(invalid)
    assert text == "实验室服务器的设置无效。服务器地址为空，请填写。SSH 端口无效。"
    jump = error_text(e.JumpHostFailed("gw", "gpu", e.DnsFailure("gw", 22)))
    assert jump.startswith("经由跳板机 gw：找不到服务器名“gw”。")
    malformed = e.ShareFileMalformed(
        "/d/lab.labtunnel", [e.FieldProblem("server.host", ProblemCode.REQUIRED)]
    )
    assert "缺少服务器地址。" in error_text(malformed)


def test_the_skipped_host_reasons_and_notes_are_all_translated(compiled: QTranslator) -> None:
    def check(message: messages.Message) -> None:
        assert compiled.translate("messages", message.template), message.template

    for reason in messages.sharing.SKIP_REASONS:
        check(messages.describe_skipped_host("gpu", reason, "detail"))
    for code in messages.sharing.IMPORT_NOTES:
        check(messages.describe_import_note(code, "detail", "gpu"))
    for code in messages.profiles.FIELD_PROBLEMS:
        check(messages.describe_problem(e.FieldProblem("name", code, "v")))
    for code in messages.sharing.SHARE_PROBLEMS:
        check(messages.describe_share_problem(e.FieldProblem("jump.port", code, "v")))


# --- choosing and switching the language ---------------------------------------------------


def test_the_system_locale_chooses_the_language() -> None:
    assert ui_language("system", QLocale("zh_CN")) == "zh_CN"
    assert ui_language("system", QLocale("zh_TW")) == "zh_CN"
    assert ui_language("system", QLocale("en_GB")) == "en"
    assert ui_language("system", QLocale("de_DE")) == "en"
    assert ui_language("en", QLocale("zh_CN")) == "en"
    assert ui_language("zh_CN", QLocale("en_US")) == "zh_CN"


def test_switching_to_chinese_translates_the_menu_and_back(
    qapp: QApplication, make_app: AppFactory, store: ProfileStore
) -> None:
    store.add(make_profile())
    app = make_app()
    app.start()
    assert "Import lab profile…" in texts(open_menu(app))
    translators = Translators(qapp)
    try:
        assert translators.install("zh_CN")
        assert translators.language == "zh_CN" and len(translators.installed) == 2
        menu = open_menu(app)  # rebuilt on every open
        assert texts(menu)[:3] == ["连接到 gpu-lab", "---", "添加实验室服务器…"]
        assert action(menu, "导入实验室配置…").isEnabled()
        assert action(menu, "从 SSH 配置导入…").isEnabled()
        assert "登录时启动" in texts(menu)
    finally:
        translators.remove()
    assert translators.installed == []
    assert "Import lab profile…" in texts(open_menu(app))


def test_the_language_from_settings_is_installed_at_start(
    qapp: QApplication, store: ProfileStore, make_app: AppFactory
) -> None:
    SettingsStore(store).change(language="zh_CN")
    translators = install_language(qapp, store)
    try:
        assert translators.language == "zh_CN"
        app = make_app()
        app.start()
        assert "设置…" in texts(open_menu(app))
    finally:
        translators.remove()
    SettingsStore(store).change(language="en")
    translators = install_language(qapp, store)
    assert translators.language == "en" and translators.installed == []


def test_a_missing_translation_file_leaves_english(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    translators = Translators(qapp)
    assert not translators.install("zh_CN")
    assert translators.language == "en" and translators.installed == []


def test_qt_own_buttons_are_chinese_too(chinese: Translators) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_notifications_and_states_read_in_chinese(
    qtbot: Any, chinese: Translators, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    failed = Notice(NoticeKind.FAILED, profile.id, "gpu-lab", e.AuthFailed("gpu", "ada", []))
    title, body = notice_text(failed)
    assert title == "无法连接到 gpu-lab"
    assert body.startswith("gpu 没有接受“ada”的登录。")
    app = make_app()
    app.start()
    set_state(qtbot, app, profile, TunnelState.CONNECTED)
    assert app.tray is not None
    assert app.tray.icon.toolTip() == "LabTunnel\ngpu-lab：已连接"
