"""Real components for LabTunnel's tests: a lab server (OpenSSH in a network namespace, real
Unix users, keys, a jump host, fault injection), services only reachable through SSH, and
the real OS keyring. Import as ``from tests.harness import ...`` (tests/conftest.py puts the
repository root on sys.path). Everything below is stable API; the fixtures live in
tests/conftest.py. ``tests/run_all.sh`` provides the environment (root, packages, Jupyter
venv, D-Bus + unlocked gnome-keyring) and sets ``LABTUNNEL_REQUIRE_HARNESS=1``: then a
missing component FAILS a test instead of skipping it.

Fixtures
--------
``lab_server`` (session) -> :class:`LabServer`, a frozen dataclass:

- ``mode``: ``"netns"`` (root, network namespace) or ``"loopback"`` (fallback: sshd on
  127.0.0.1, a random port; without root also no password auth and no second user).
  ``LABTUNNEL_HARNESS_NO_NETNS=1`` forces the fallback.
- ``host`` (``"10.2xx.yy.zz"`` in netns mode, the namespace's veth address; ``"127.0.0.1"``
  in the fallback), ``port`` (22 in netns mode), ``netns`` (namespace name or None).
- ``host_key_fingerprints``: ``{"ed25519"|"ecdsa"|"rsa": "SHA256:..."}`` of the main sshd;
  ``host_public_keys``: same keys -> ``"ssh-ed25519 AAAA..."`` (known_hosts form);
  ``host_key_paths``: same keys -> private host key files (public key at ``PATH.pub``).
- ``user``, ``other_user``: :class:`TestUser` (``name``, ``password``, ``home``, ``uid``,
  ``gid``); real users ``lt<pid>a`` / ``lt<pid>b`` (useradd + chpasswd, ``userdel -r`` at the
  end, their leftover processes killed). ``other_user`` is None only without root: use
  ``require_other_user()``. Both accept every key in ``keys`` except ``keys.unauthorized``.
- ``keys``: :class:`ClientKeys` in a private temp dir (each with ``PATH.pub``):
  ``ed25519`` (no passphrase), ``ed25519_encrypted`` + ``ed25519_passphrase`` (OpenSSH
  format; the passphrase is non-ASCII on purpose), ``rsa_pem_encrypted`` +
  ``rsa_passphrase`` (``BEGIN RSA PRIVATE KEY``, AES-256-CBC), ``ecdsa`` (nistp256, no
  passphrase), ``unauthorized`` (ed25519 no server accepts); ``public_keys`` and
  ``fingerprints`` by those names.
- Jump host: a second sshd in the same namespace, listening ONLY on the namespace's
  loopback: ``jump_target_host`` (``"127.0.0.1"``), ``jump_target_port`` (2222 in netns
  mode), ``jump_target_fingerprints``, ``jump_target_public_keys`` (its own host keys).
  Reach it with ProxyJump through ``host:port`` (direct-tcpip to 127.0.0.1:2222), same users.
- ``jupyter_venv`` / ``jupyter_bin``: the server-side Jupyter (``$LABTUNNEL_TEST_JUPYTER_VENV``,
  default /opt/labtunnel-test/jupyter-venv; JupyterLab 4 and Notebook 7; readable by the test
  users). ``require_jupyter()`` returns ``jupyter_bin`` or skips/fails when it is not built;
  ``require_notebook7()`` likewise. ``notebook6_venv``: a server with only the classic
  Notebook 6 (no JupyterLab; ``$LABTUNNEL_TEST_NOTEBOOK6_VENV``, default
  /opt/labtunnel-test/notebook6-venv); ``require_notebook6()`` -> its ``jupyter``.
- ``sshd_log`` / ``jump_sshd_log``: sshd logs (LogLevel VERBOSE); copied to
  ``.test-artifacts/harness-<pid>/`` when the session had failures.
- ``password_auth`` (bool; ``require_password_auth()``), ``setup_seconds`` (float).

Methods of LabServer:

- ``ns_exec(argv, user=None, *, input=None, timeout=60, check=False, env=None, cwd=None)``
  -> ``CompletedProcess[str]``: run on the lab server (inside the namespace) as root, or as
  ``user`` (setpriv, clean login environment, cwd = home). ``env`` ends up in an argv: pass
  secrets via ``input`` only.
- ``ns_popen(argv, user=None, *, env=None, cwd=None, **popen_kwargs)`` -> ``Popen``; stdin
  defaults to DEVNULL; killed at session end if still running (kill it yourself earlier).
- ``write_user_file(user, relative_path, content, mode=0o644)`` -> absolute path, owned by
  the user (e.g. ``.profile``, ``.bashrc``).
- ``link_down()`` / ``link_up()``: the namespace's veth end down/up (packets vanish).
  ``drop_all()`` / ``undrop()``: nftables in the namespace drops everything but its
  loopback. All four need netns mode (``require_netns()``; they skip/fail otherwise).
- ``kill_sshd()``: SIGKILL the main listener AND its per-connection sshd children (open
  sessions die; user processes such as a detached Jupyter survive). ``start_sshd()``
  starts it again; ``restart_sshd(kill_sessions=True)`` does both;
  ``kill_sessions=False`` restarts only the listener. ``sshd_pid``.
- ``add_user(tag, *, shell="/bin/bash")`` -> :class:`TestUser` ``lt<pid>-<tag>``: one more
  real user with that login shell (/usr/bin/zsh, /bin/sh, /usr/bin/fish, /usr/bin/tcsh...),
  the same keys, let in by the main sshd and its variants; its home is Debian's skeleton
  (``.profile``, ``.bashrc`` with the "not interactive: return" guard). ``remove_user(user)``
  deletes it earlier than session end (its processes killed first).
- ``tests.harness.homes``: accounts like real ones: ``link(lab, user, rel, target)`` (an
  environment prefix that really runs Jupyter, via a symlink), ``append_user_file``,
  ``install_conda(lab, user, root, envs)`` (a conda layout: ``conda activate``, ``shell.bash
  hook``, ``info --base``), ``CONDA_INIT_BASH`` / ``CONDA_INIT_ZSH`` (the blocks ``conda
  init`` writes), ``chatty_lines(token_like)``, ``TITLE_ESCAPE``, ``COLOUR_NOISE`` (startup
  files that print banners, marker look-alikes, fake JSON, token-like text, no newline).
- ``reset_faults()``: undo the three above; an autouse fixture calls it after every test
  that used ``lab_server``, so a fault never leaks into the next test.
- ``start_sshd_variant(extra_config_lines=(), *, new_host_keys=False,
  host_key_types=None, pam_config=None)`` -> port: another sshd on ``host`` (e.g.
  ``["AllowTcpForwarding no"]`` or ``["PasswordAuthentication no",
  "KbdInteractiveAuthentication no"]``; your lines win over the defaults). Same host keys
  unless ``new_host_keys`` -> ``variant_fingerprints(port)``; ``host_key_types=["rsa"]``
  offers only those kinds. ``pam_config``: the text of the /etc/pam.d/sshd it sees
  (bind-mounted in its own mount namespace; the machine's file is untouched).
  ``variant_log(port)``, ``stop_sshd_variant(port)``; all stopped at session end.
  ``sshd_sessions(port=None)`` -> PIDs of the per-connection sshd processes of the main
  sshd (or that variant): what is still logged in there.

Function-scoped fixtures:

- ``echo_service`` -> :class:`RemoteService` (``host="127.0.0.1"``, ``port``, ``pid``;
  ``host, port = echo_service``): a TCP echo server on the namespace's 127.0.0.1, reachable
  only through SSH (``direct-tcpip`` / a forward to ``127.0.0.1:port``).
- ``sink_service`` -> RemoteService: reads to EOF, then answers ``b"<count> <sha256>\\n"``.
- ``http_service`` -> :class:`HttpService`: HTTP/1.1 on the namespace's 127.0.0.1 serving
  ``url_path`` (``"/blob.bin"``), ``size`` (1 MiB) random bytes, hex ``sha256``,
  ``local_copy`` (the same bytes locally).
- ``remote_services`` -> :class:`ServiceFactory` with ``.echo()``, ``.sink()``,
  ``.http(size=...)`` for more or bigger services. All killed by PID after the test.
- ``config_dir`` -> Path: an empty private dir, ``LABTUNNEL_CONFIG_DIR`` points at it.
- ``real_keyring`` -> str: a unique service name on the real Secret Service keyring
  (gnome-keyring); ``keyring.get_keyring()`` is the SecretService backend during the test;
  every item stored under that service is deleted afterwards.

A real Slurm cluster (login node with slurmctld + sshd, two compute nodes with slurmd and
fake GPUs) on the same users and keys: the session fixture ``slurm_cluster`` ->
:class:`tests.harness.slurm.SlurmCluster`, documented in tests/harness/slurm/__init__.py.

Dropbear (``tests.harness.dropbear``): ``start_dropbear(lab_server, workdir)`` ->
``DropbearServer`` on ``lab_server.host`` (port 2022 in the namespace), the same users and
keys, its own host keys (``host_public_keys``, ``host_key_fingerprints``); ``kill()``
(listener and sessions), ``start()``, ``restart()``, ``close()``, ``log_path``. Password
and publickey only (no PAM, no keyboard-interactive), no streamlocal forwarding.

Two-factor (``tests.harness.totp``): ``start_totp_sshd(lab_server, user=None, *,
password_authentication=False)`` -> ``TotpServer`` (``host``, ``port``, ``user``,
``secret``, ``log_path``; ``code()`` and ``wrong_code()`` from ``oathtool --totp``): an
sshd variant whose PAM stack (Debian's /etc/pam.d/sshd plus pam_google_authenticator)
asks for the password and then a "Verification code: " through keyboard-interactive.

Desktop (``tests.harness.desktop``): ``virtual_desktop(workdir)`` -> ``Desktop`` (Xvfb and
a trayer panel along the top edge; ``display``, ``panel`` area, ``env(base)`` for an app on
that display, ``pixels(area)``, ``count_colour(rgb, area)``, ``wait_for_colour(...)``), and
``svg_fill(path)``, the background colour of one of our icons: checks that an icon is
really drawn on the tray, pixel by pixel.

Helpers: ``unavailable(reason)`` skips, or fails under ``LABTUNNEL_REQUIRE_HARNESS=1``;
``harness_required()``; ``HarnessError``, ``HarnessUnavailable``; ``keys.fingerprint(line)``.

Timing notes: a wrong password takes ~2.7 s (PAM delay). Test names/resources carry the
pytest PID, so several sessions can run on one machine at once.
"""

from __future__ import annotations

from .errors import HarnessError, HarnessUnavailable, harness_required, unavailable
from .keys import ClientKeys, HostKeySet, fingerprint
from .lab import LabServer, start_lab_server
from .services import HttpService, RemoteService, ServiceFactory
from .users import TestUser

__all__ = [
    "ClientKeys",
    "HarnessError",
    "HarnessUnavailable",
    "HostKeySet",
    "HttpService",
    "LabServer",
    "RemoteService",
    "ServiceFactory",
    "TestUser",
    "fingerprint",
    "harness_required",
    "start_lab_server",
    "unavailable",
]
