"""Screenshots of the tray app under Xvfb with a real tray host (trayer).

    .venv/bin/python tests/screenshots/take_screenshots.py [--lang en|zh_CN] [--out DIR]

Needs Xvfb, trayer, xdotool and ImageMagick's ``import`` (tests/run_all.sh installs them);
for Chinese also a CJK font (fonts-noto-cjk).
Starts a private X server, a desktop background and a trayer panel, then runs the app
(with a scripted manager, so no lab server is needed) in a child process that clicks its
own tray icon with xdotool and photographs the screen. ``--lang`` picks the UI language
(default English into docs/screenshots, Chinese into docs/screenshots/zh_CN). Writes PNGs:

    tray-menu-idle.png, notification.png, tray-menu-connected.png, error-notification.png,
    profile-editor.png, host-key-prompt.png, host-key-changed.png, jupyter-choice.png,
    one-time-code.png, import-lab-profile.png, ssh-import.png, settings.png,
    fallback-window.png

Every process it starts is ended by PID on the way out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREEN = (1280, 720)
PANEL_HEIGHT = 30
TOOLS = ("Xvfb", "trayer", "xdotool", "import")
LANGUAGES = ("en", "zh_CN")
#: the demo server's name, as a user of that language would call it
SERVER_NAMES = {"en": "GPU server", "zh_CN": "课题组 GPU 服务器"}
#: the system locale the child runs in (fonts: Qt picks the CJK variant by locale)
LOCALES = {"en": "C.UTF-8", "zh_CN": "zh_CN.UTF-8"}


# --- the parent: X server, background, tray host ----------------------------------------


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{SCREEN[0]}x{SCREEN[1]}x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        xvfb.kill()
        raise SystemExit("Xvfb did not start")
    return xvfb, f":{number}"


def wait_for(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def paint_background(env: dict[str, str], workdir: Path) -> None:
    """A plain desktop-like gradient on the root window (made with Qt, shown by
    ImageMagick's display, which exits after setting it)."""
    picture = workdir / "background.png"
    subprocess.run([sys.executable, __file__, "--background", str(picture)], env=env, check=True)
    subprocess.run(["display", "-window", "root", str(picture)], env=env, check=False)


def start_tray_host(env: dict[str, str]) -> subprocess.Popen[bytes]:
    trayer = subprocess.Popen(
        [
            "trayer",
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "percent",
            "--width",
            "100",
            "--height",
            str(PANEL_HEIGHT),
            "--tint",
            "0x2b2e33",
            "--transparent",
            "true",
            "--alpha",
            "0",
            "--SetDockType",
            "true",
            "--expand",
            "true",
            "--padding",
            "6",
            "--margin",
            "8",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def panel_up() -> bool:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--class", "trayer"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        return bool(found.stdout.strip())

    wait_for(panel_up, "the trayer panel")
    return trayer


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def main(out: Path, language: str) -> int:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        print(
            f"missing tools: {', '.join(missing)} (apt-get install xvfb trayer xdotool "
            "imagemagick)",
            file=sys.stderr,
        )
        return 2
    out.mkdir(parents=True, exist_ok=True)
    xvfb: subprocess.Popen[bytes] | None = None
    trayer: subprocess.Popen[bytes] | None = None
    with tempfile.TemporaryDirectory(prefix=f"labtunnel-shots-{os.getpid()}-") as temp:
        workdir = Path(temp)
        try:
            xvfb, display = start_xvfb()
            env = dict(os.environ)
            # no session bus: Qt must use the XEmbed tray (trayer) and draw its own balloons
            for name in ("DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "QT_QPA_PLATFORMTHEME"):
                env.pop(name, None)
            env.update(
                DISPLAY=display,
                QT_QPA_PLATFORM="xcb",
                LABTUNNEL_CONFIG_DIR=str(workdir / "config"),
                PYTHONPATH=os.pathsep.join([str(ROOT / "app"), str(ROOT)]),
                # a home of its own: the demo's ~/.ssh/config and autostart file go there
                HOME=str(workdir / "home"),
                XDG_CONFIG_HOME=str(workdir / "home" / ".config"),
                LANG=LOCALES[language],
                LANGUAGE=language,
            )
            env.pop("LC_ALL", None)
            (workdir / "home").mkdir()
            paint_background(env, workdir)
            trayer = start_tray_host(env)
            child = subprocess.run(
                [sys.executable, __file__, "--child", "--out", str(out), "--lang", language],
                env=env,
                timeout=180,
                check=False,
            )
            return child.returncode
        finally:
            stop(trayer)
            stop(xvfb)


# --- the child: the app, clicking its own icon -----------------------------------------


def make_background(path: Path) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QLinearGradient, QPainter

    app = QGuiApplication.instance() or QGuiApplication([])
    image = QImage(SCREEN[0], SCREEN[1], QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(QPointF(0, 0), QPointF(SCREEN[0], SCREEN[1]))
    gradient.setColorAt(0.0, QColor("#5d7fa0"))
    gradient.setColorAt(1.0, QColor("#263b52"))
    painter.fillRect(image.rect(), gradient)
    painter.end()
    image.save(str(path))
    del app


def write_demo_files(workdir: Path) -> tuple[Path, Path]:
    """A lab profile file (as a lab admin exports it) and an SSH config to import, in
    the temporary home the parent made (never a real one)."""
    from labtunnel.core.profiles.model import JupyterApp, JupyterSpec
    from labtunnel.core.profiles.sharing import SharedHost, SharedProfile, write_shared

    pin = "SHA256:DF3o4pYm8x0d2b3Kq7dJvL8hP5c0fWnQmY2RZt9a1bE"
    shared = SharedProfile(
        name="A100 cluster",
        server=SharedHost("a100.lab.example.edu", 22, (pin,)),
        target=JupyterSpec(app=JupyterApp.LAB, env="torch"),
        jump=SharedHost("gateway.lab.example.edu", 22, ("SHA256:" + "Q" * 43,)),
    )
    lab_file = workdir / "a100-cluster.labtunnel"
    write_shared(lab_file, shared)
    home = Path.home()
    if not home.resolve().is_relative_to(Path(tempfile.gettempdir()).resolve()):
        raise SystemExit(f"not a temporary home: {home}")
    ssh_dir = home / ".ssh"
    ssh_dir.mkdir(parents=True)
    (ssh_dir / "id_ed25519").write_text("demo\n", encoding="utf-8")
    config = ssh_dir / "config"
    config.write_text(
        f"""Host gpu2
    HostName gpu2.lab.example.edu
    User ada
    IdentityFile {ssh_dir / "id_ed25519"}
Host gateway
    HostName gateway.lab.example.edu
    User ada
Host cpu-node
    HostName 10.8.0.12
    User ada
    ProxyJump gateway
Host *.lab.example.edu
    ServerAliveInterval 30
Host old-box
    HostName old.lab.example.edu
    ProxyCommand nc -X connect -x proxy:3128 %h %p
""",
        encoding="utf-8",
    )
    return lab_file, config


def run_child(out: Path, language: str) -> int:
    from PySide6.QtCore import QCoreApplication, QPoint, QRect, QTimer, QUrl
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication, QWidget
    from tests.screenshots.demo_manager import DemoManager

    from labtunnel.core.errors import (
        AuthFailed,
        HostKeyChanged,
        HostKeyUnknown,
        JumpHostFailed,
        JupyterMissing,
        JupyterNotFound,
    )
    from labtunnel.core.events import Listener, TunnelState
    from labtunnel.core.platform.autostart import login_item_for_platform
    from labtunnel.core.platform.browser import BrowserOpener, pages_folder
    from labtunnel.core.platform.paths import default_paths
    from labtunnel.core.profiles.lifecycle import ProfileLifecycle
    from labtunnel.core.profiles.model import HostProfile
    from labtunnel.core.profiles.remembered import RememberedServers
    from labtunnel.core.profiles.secrets import MemorySecretStore
    from labtunnel.core.profiles.store import ProfileStore
    from labtunnel.core.ssh.auth import Prompter
    from labtunnel.core.ssh.hostkeys import HostKeyStore
    from labtunnel.ui.app import LabTunnelApp
    from labtunnel.ui.dialogs.common import fit_to_contents
    from labtunnel.ui.dialogs.otp import OneTimeCodeDialog
    from labtunnel.ui.fallback import FallbackWindow
    from labtunnel.ui.i18n import Translators
    from labtunnel.ui.icons import app_icon

    translate = QCoreApplication.translate
    app = QApplication([sys.argv[0]])
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(app_icon())
    translators = Translators(app)
    if not translators.install(language):
        print(f"no {language} translation", file=sys.stderr)
        return 1
    paths = default_paths()
    paths.ensure()
    lab_file, ssh_config = write_demo_files(paths.config_dir)
    store = ProfileStore(paths.profiles_file)
    store.load()
    profile = store.add(
        HostProfile(name=SERVER_NAMES[language], host="gpu1.lab.example.edu", username="ada")
    )
    demo: list[DemoManager] = []

    def make_demo(listener: Listener, prompter: Prompter) -> DemoManager:
        demo.append(DemoManager(store, listener))
        return demo[0]

    labtunnel = LabTunnelApp(
        profiles=ProfileLifecycle(store, MemorySecretStore(), RememberedServers(paths.state_file)),
        hostkeys=HostKeyStore(paths.known_hosts_file),
        log_dir=paths.log_dir,
        manager_factory=make_demo,
        open_url=lambda url: isinstance(url, QUrl),  # no browser in the screenshots
        browser=BrowserOpener(lambda: pages_folder(paths.config_dir), launch=lambda url: None),
        confirm=lambda title, text: False,
        tray_wait_ms=10_000,
        login_item=login_item_for_platform(),  # in the temporary XDG_CONFIG_HOME
        choose_file=lambda: lab_file,
        ssh_config_path=ssh_config,
        running_language=translators.language,
    )
    screen = QRect(0, 0, *SCREEN)
    failures: list[str] = []

    def xdotool(*args: str) -> None:
        subprocess.run(["xdotool", *args], check=True)

    def shoot(name: str, area: QRect) -> None:
        raw = out / f".{name}.raw.png"
        subprocess.run(["import", "-window", "root", str(raw)], check=True)
        image = QImage(str(raw)).copy(area.intersected(screen))
        raw.unlink()
        image.save(str(out / f"{name}.png"))
        print(f"saved {out / name}.png ({image.width()}x{image.height()})")

    def grab(name: str, widget: QWidget) -> None:
        widget.adjustSize()
        fit_to_contents(widget)
        app.processEvents()
        widget.grab().save(str(out / f"{name}.png"))
        print(f"saved {out / name}.png")
        widget.close()

    def icon_center() -> QPoint:
        assert labtunnel.tray is not None
        return labtunnel.tray.icon.geometry().center()

    def click_icon() -> None:
        at = icon_center()
        xdotool("mousemove", str(at.x()), str(at.y()), "click", "1")

    def menu_area() -> QRect:
        assert labtunnel.tray is not None
        menu = labtunnel.tray.menu.geometry()
        left = min(menu.left(), icon_center().x()) - 56
        return QRect(QPoint(left, 0), QPoint(SCREEN[0] - 1, menu.bottom() + 24))

    def balloon() -> QWidget | None:
        for widget in QApplication.topLevelWidgets():
            if widget.metaObject().className() == "QBalloonTip" and widget.isVisible():
                return widget
        return None

    def scenario() -> Iterator[int | Callable[[], bool]]:
        yield lambda: labtunnel.tray is not None and labtunnel.tray.icon.geometry().isValid()
        yield 800
        tray = labtunnel.tray
        assert tray is not None
        click_icon()
        yield lambda: tray.menu.isVisible()
        yield 500
        shoot("tray-menu-idle", menu_area())
        connect = tray.menu.actions()[0]
        target = tray.menu.mapToGlobal(tray.menu.actionGeometry(connect).center())
        xdotool("mousemove", str(target.x()), str(target.y()), "click", "1")
        yield lambda: labtunnel.controller.status(profile.id).state is TunnelState.CONNECTED
        yield lambda: balloon() is not None
        yield 700
        tip = balloon()
        assert tip is not None
        left = min(tip.geometry().left(), icon_center().x() - 40) - 24
        shoot(
            "notification",
            QRect(QPoint(left, 0), QPoint(SCREEN[0] - 1, tip.geometry().bottom() + 24)),
        )
        tip.hide()
        yield lambda: labtunnel.controller.stats(profile.id) is not None
        click_icon()
        yield lambda: tray.menu.isVisible()
        yield 500
        shoot("tray-menu-connected", menu_area())
        xdotool("key", "Escape")
        yield 300
        demo[0].fail(
            profile.id,
            JumpHostFailed(
                "gateway.lab.example.edu",
                "gpu1.lab.example.edu",
                AuthFailed("gateway.lab.example.edu", "ada", ["publickey", "password"]),
            ),
        )
        yield lambda: balloon() is not None
        yield 700
        tip = balloon()
        assert tip is not None
        left = min(tip.geometry().left(), icon_center().x() - 40) - 24
        shoot(
            "error-notification",
            QRect(QPoint(left, 0), QPoint(SCREEN[0] - 1, tip.geometry().bottom() + 24)),
        )
        tip.hide()
        yield 300

        editor = labtunnel.windows.add_server(welcome=True)
        editor.host_edit.setText("gpu1.lab.example.edu")
        editor.name_edit.setText("gpu1.lab.example.edu")
        editor.username_edit.setText("ada")
        editor.password_field.line.setText("correct horse battery")
        editor.test_result_label.setText(
            translate("ProfileEditor", "It works: LabTunnel reached the server and signed in.")
        )
        editor.test_result_label.setStyleSheet("color: #188038;")
        yield 300
        grab("profile-editor", editor)

        fingerprint = "SHA256:DF3o4pYm8x0d2b3Kq7dJvL8hP5c0fWnQmY2RZt9a1bE"
        unknown = HostKeyUnknown("gpu1.lab.example.edu", 22, "ssh-ed25519", fingerprint, "")
        labtunnel.windows.on_host_key_problem(profile.id, unknown)
        yield 300
        grab("host-key-prompt", labtunnel.windows.host_key_dialogs[profile.id])
        changed = HostKeyChanged(
            "gpu1.lab.example.edu",
            22,
            "ssh-ed25519",
            [fingerprint],
            "SHA256:Zk1q0Xh3b9Pp2Lw8rT5yU7iO4aS6dF1gH3jK5lM7nB0",
            "labtunnel",
        )
        labtunnel.windows.on_host_key_problem(profile.id, changed)
        yield 300
        grab("host-key-changed", labtunnel.windows.host_key_dialogs[profile.id])
        missing = JupyterNotFound(
            "jupyter",
            "",
            JupyterMissing.NOT_ON_PATH,
            "/usr/bin:/bin",
            ["/opt/conda/envs/torch/bin/jupyter", "/home/ada/.venvs/lab/bin/jupyter"],
        )
        labtunnel.windows.on_jupyter_missing(profile.id, missing)
        yield 300
        assert labtunnel.windows.jupyter_dialog is not None
        grab("jupyter-choice", labtunnel.windows.jupyter_dialog)
        code = OneTimeCodeDialog(
            "gpu1.lab.example.edu",
            "",
            "Duo two-factor login for ada",
            [("Passcode: ", True)],
        )
        code.show()
        yield 300
        grab("one-time-code", code)
        imported = labtunnel.windows.import_lab_profile()
        assert imported is not None
        imported.username_edit.setText("ada")
        imported.password_edit.setText("correct horse battery")
        yield 300
        grab("import-lab-profile", imported)
        ssh_import = labtunnel.windows.import_ssh_config()
        ssh_import.set_checked("gateway", False)
        yield 300
        ssh_import.resize(680, 420)
        app.processEvents()
        ssh_import.grab().save(str(out / "ssh-import.png"))
        print(f"saved {out / 'ssh-import.png'}")
        ssh_import.close()
        settings = labtunnel.windows.show_settings()
        settings.launch_box.setChecked(True)
        yield 300
        grab("settings", settings)
        fallback = FallbackWindow(
            labtunnel.controller, labtunnel.windows.handlers(), labtunnel.login_item
        )
        fallback.show()
        yield 300
        grab("fallback-window", fallback)

    steps = scenario()

    def advance() -> None:
        try:
            wait = next(steps)
        except StopIteration:
            labtunnel.quit()
            return
        except Exception as exc:  # report and stop instead of hanging
            failures.append(repr(exc))
            labtunnel.quit()
            raise
        if isinstance(wait, int):
            QTimer.singleShot(wait, advance)
        else:
            poll(wait, time.monotonic() + 20)

    def poll(check: Callable[[], bool], deadline: float) -> None:
        if check():
            advance()
        elif time.monotonic() > deadline:
            failures.append("a step timed out")
            labtunnel.quit()
        else:
            QTimer.singleShot(50, lambda: poll(check, deadline))

    labtunnel.start()
    QTimer.singleShot(0, advance)
    app.exec()
    labtunnel.shutdown()
    translators.remove()
    if failures:
        print("screenshots failed:", *failures, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="UI language")
    parser.add_argument(
        "--out", type=Path, help="default: docs/screenshots (English) or docs/screenshots/LANG"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--background", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.background is not None:
        make_background(arguments.background)
        sys.exit(0)
    folder = ROOT / "docs" / "screenshots"
    out = arguments.out or (folder if arguments.lang == "en" else folder / arguments.lang)
    if arguments.child:
        sys.exit(run_child(out, arguments.lang))
    sys.exit(main(out, arguments.lang))
