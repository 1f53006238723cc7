"""From password to key, on the real lab server: each test gets a fresh account, switches
its password profile to a key (made here, or one the user has), and checks the server's
~/.ssh/authorized_keys byte for byte, the profile, the keyring and a login with the key
alone. Bad servers (no keys, StrictModes, read-only or full home, key plus password) leave
everything as it was."""

from __future__ import annotations

import itertools
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.harness import LabServer, TestUser
from tests.harness.mounts import (
    CODE_ONLY_STACK,
    PASSWORD_AND_CODE_STACK,
    CodeServer,
    start_code_sshd,
    start_full_home_sshd,
    start_readonly_home_sshd,
)

from labtunnel.core.errors import (
    AuthorizedKeysProblem,
    AuthorizedKeysUnwritable,
    KeyLoginNotAllowed,
    KeyNotEnough,
    KeyPassphraseNeeded,
    KeyRefusedByModes,
    KeySetupNotApplicable,
    PasswordLoginFailed,
)
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import AuthMethod, HostProfile, JumpHost
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.cancel import CancelToken
from labtunnel.core.ssh.hops import hops_for, open_chain
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.ssh.keys import load_private_key
from labtunnel.core.ssh.keysetup import KeySetup, KeyStep
from labtunnel.messages import describe

pytestmark = pytest.mark.integration

_tags = itertools.count(1)
OLD_LINES = "# keys for this account\nssh-rsa AAAAB3NzaOLDKEY old@desk\n"


@dataclass
class Setup:
    lab: LabServer
    user: TestUser
    store: ProfileStore
    secrets: MemorySecretStore
    hostkeys: HostKeyStore
    keys: KeySetup
    tmp: Path

    @property
    def authorized_keys(self) -> Path:
        return Path(self.user.home) / ".ssh" / "authorized_keys"

    def profile(
        self, port: int | None = None, name: str | None = None, **changes: object
    ) -> HostProfile:
        if port is not None:
            self.trust(port)
        profile = HostProfile(
            name or f"lab-{port or self.lab.port}",
            self.lab.host,
            self.user.name,
            port=port or self.lab.port,
            **changes,  # type: ignore[arg-type]
        )
        self.store.add(profile, check_files=False)
        self.secrets.set(profile.id, SecretKind.PASSWORD, self.user.password)
        return profile

    def trust(self, port: int, host: str | None = None) -> None:
        for line in self.lab.host_public_keys.values():
            key_type, key_base64 = line.split()[:2]
            self.hostkeys.trust(host or self.lab.host, port, key_type, key_base64)

    def login_without_password(self, profile_id: str) -> str:
        """Log in as the stored profile says, with no password in the keyring."""
        profile = self.store.get(profile_id)
        secrets = MemorySecretStore()
        passphrase = self.secrets.get(profile.id, SecretKind.PASSPHRASE)
        if passphrase is not None:
            secrets.set(profile.id, SecretKind.PASSPHRASE, passphrase)
        session = open_chain(hops_for(profile, secrets, self.store.get), self.hostkeys)
        try:
            return session.run("id -un", timeout=10).stdout.strip()
        finally:
            session.close()

    def state(self) -> tuple[bytes | None, int | None, list[HostProfile], list[Path]]:
        """Everything use-key may change: the server's file and its mode, the profiles,
        LabTunnel's key files."""
        path = self.authorized_keys
        data = path.read_bytes() if path.exists() else None
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
        keys = sorted(self.keys.keys_dir.rglob("*")) if self.keys.keys_dir.exists() else []
        return data, mode, self.store.profiles(), keys


@pytest.fixture
def setup(lab_server: LabServer, trusted_hostkeys: HostKeyStore, tmp_path: Path) -> Iterator[Setup]:
    lab_server.require_password_auth()
    user = lab_server.add_user(f"key{next(_tags)}")
    store = ProfileStore(tmp_path / "profiles.json")
    store.load()
    secrets = MemorySecretStore()
    lifecycle = ProfileLifecycle(store, secrets, RememberedServers(tmp_path / "state.json"))
    keys = KeySetup(lifecycle, secrets, trusted_hostkeys, tmp_path / "keys", hostname="test-laptop")
    # an account as people have them: a comment, another key, no newline at the end
    lab_server.write_user_file(user, ".ssh/authorized_keys", OLD_LINES.rstrip("\n"), 0o600)
    try:
        yield Setup(lab_server, user, store, secrets, trusted_hostkeys, keys, tmp_path)
    finally:
        lab_server.remove_user(user)


def our_lines(data: bytes) -> list[str]:
    return [line for line in data.decode().splitlines() if "LabTunnel key from" in line]


def test_a_new_key_is_made_added_proved_and_used(setup: Setup) -> None:
    profile = setup.profile()
    steps: list[KeyStep] = []
    result = setup.keys.use_key(profile.id, on_step=steps.append)
    assert steps == [
        KeyStep.SIGNING_IN,
        KeyStep.CHECKING,
        KeyStep.ADDING,
        KeyStep.TESTING,
        KeyStep.SAVING,
    ]
    assert result.generated and result.added_on == (setup.lab.host,) and not result.asks_code
    # every old line kept as it was; ours after them, on its own line, named
    data = setup.authorized_keys.read_bytes().decode()
    key_path = Path(result.key_path)
    public = (key_path.parent / (key_path.name + ".pub")).read_text().strip()
    assert data == OLD_LINES + public + "\n"
    assert public.endswith(" LabTunnel key from test-laptop")
    assert stat.S_IMODE(setup.authorized_keys.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert key_path.parent == setup.keys.keys_dir
    saved = setup.store.get(profile.id)
    assert (saved.auth, saved.key_path) == (AuthMethod.KEY, str(key_path))
    # the password stays until the person says so
    assert setup.secrets.get(profile.id, SecretKind.PASSWORD) == setup.user.password
    setup.keys.forget_password(profile.id)
    assert setup.secrets.get(profile.id, SecretKind.PASSWORD) is None
    assert setup.login_without_password(profile.id) == setup.user.name
    with pytest.raises(KeySetupNotApplicable):
        setup.keys.use_key(profile.id)


def test_a_passphrase_protects_the_new_key(setup: Setup) -> None:
    profile = setup.profile()
    result = setup.keys.use_key(profile.id, passphrase="pässphrase 1")
    with pytest.raises(KeyPassphraseNeeded):
        load_private_key(result.key_path, None)
    assert load_private_key(result.key_path, "pässphrase 1").get_name() == "ssh-ed25519"
    assert setup.secrets.get(profile.id, SecretKind.PASSPHRASE) == "pässphrase 1"
    assert "pässphrase" not in Path(result.key_path).read_text()
    setup.keys.forget_password(profile.id)
    assert setup.login_without_password(profile.id) == setup.user.name


def test_an_existing_key_already_on_the_server_is_not_added_twice(setup: Setup) -> None:
    lab = setup.lab
    lab.write_user_file(
        setup.user, ".ssh/authorized_keys", OLD_LINES + lab.keys.public_keys["ed25519"] + "\n"
    )
    before = setup.authorized_keys.read_bytes()
    profile = setup.profile()
    result = setup.keys.use_key(profile.id, existing=lab.keys.ed25519)
    assert (result.added_on, result.already_on) == ((), (lab.host,))
    assert not result.generated and result.key_path == str(lab.keys.ed25519)
    assert setup.authorized_keys.read_bytes() == before
    # and LabTunnel's own line is not added twice either: a second profile, same key
    other = setup.profile(port=lab.port, name="again")
    first = setup.keys.use_key(
        other.id, existing=lab.keys.ed25519_encrypted, passphrase=lab.keys.ed25519_passphrase
    )
    assert first.added_on == (lab.host,)
    added = setup.authorized_keys.read_bytes()
    third = setup.profile(port=lab.port, name="third")
    again = setup.keys.use_key(
        third.id, existing=lab.keys.ed25519_encrypted, passphrase=lab.keys.ed25519_passphrase
    )
    assert again.already_on == (lab.host,)
    assert setup.authorized_keys.read_bytes() == added
    assert len(our_lines(added)) == 1


def test_missing_ssh_folder_and_file_are_made_private(setup: Setup) -> None:
    ssh_dir = setup.authorized_keys.parent
    setup.authorized_keys.unlink()
    ssh_dir.rmdir()
    result = setup.keys.use_key(setup.profile().id)
    assert stat.S_IMODE(ssh_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(setup.authorized_keys.stat().st_mode) == 0o600
    assert (ssh_dir.stat().st_uid, setup.authorized_keys.stat().st_uid) == (setup.user.uid,) * 2
    assert len(our_lines(setup.authorized_keys.read_bytes())) == 1
    assert result.added_on


def test_undo_takes_off_exactly_our_line_and_goes_back_to_the_password(setup: Setup) -> None:
    profile = setup.profile()
    result = setup.keys.use_key(profile.id, passphrase="pp")
    setup.keys.forget_password(profile.id)
    # the person adds a key by hand afterwards, and the same key with their own comment
    with setup.authorized_keys.open("a") as handle:
        handle.write("ssh-ed25519 AAAAC3NzaLATER later@home\n")
        public = Path(result.key_path + ".pub").read_text().split()
        handle.write(f"{public[0]} {public[1]} my own copy\n")
    with pytest.raises(PasswordLoginFailed):
        setup.keys.remove_key(profile.id, password="not the password")
    assert setup.store.get(profile.id).auth is AuthMethod.KEY  # nothing changed
    removal = setup.keys.remove_key(profile.id, password=setup.user.password)
    assert removal.removed == {setup.lab.host: 1} and removal.key_file_deleted
    assert setup.authorized_keys.read_text() == (
        OLD_LINES
        + "ssh-ed25519 AAAAC3NzaLATER later@home\n"
        + f"{public[0]} {public[1]} my own copy\n"
    )
    assert not Path(result.key_path).exists()
    saved = setup.store.get(profile.id)
    assert (saved.auth, saved.key_path) == (AuthMethod.PASSWORD, "")
    assert setup.secrets.get(profile.id, SecretKind.PASSWORD) == setup.user.password
    assert setup.secrets.get(profile.id, SecretKind.PASSPHRASE) is None
    session = open_chain(hops_for(saved, setup.secrets, setup.store.get), setup.hostkeys)
    session.close()


def test_through_a_jump_host_the_key_goes_where_the_profile_logs_in(setup: Setup) -> None:
    lab = setup.lab
    profile = HostProfile(
        "behind",
        lab.jump_target_host,
        setup.user.name,
        port=lab.jump_target_port,
        jump=JumpHost(lab.host, lab.port),
    )
    setup.store.add(profile)
    setup.secrets.set(profile.id, SecretKind.PASSWORD, setup.user.password)
    result = setup.keys.use_key(profile.id)
    # both hosts read the same home here: added once, found there for the other
    assert result.added_on == (lab.jump_target_host,)
    assert result.already_on == (lab.host,)
    setup.keys.forget_password(profile.id)
    assert setup.login_without_password(profile.id) == setup.user.name
    removal = setup.keys.remove_key(profile.id, password=setup.user.password)
    assert sum(removal.removed.values()) == 1
    assert our_lines(setup.authorized_keys.read_bytes()) == []


def bad_server(setup: Setup, port: int) -> tuple[HostProfile, object]:
    profile = setup.profile(port=port)
    return profile, setup.state()


def refused(setup: Setup, profile: HostProfile, before: object, kind: type[Exception]) -> str:
    with pytest.raises(kind) as caught:
        setup.keys.use_key(profile.id)
    assert setup.state() == before, "a refused use-key changed something"
    assert setup.store.get(profile.id).auth is AuthMethod.PASSWORD
    return describe(caught.value).text


@pytest.mark.parametrize(
    "lines",
    [
        ["PubkeyAuthentication no"],
        ["AuthenticationMethods password keyboard-interactive"],
    ],
)
def test_a_server_without_key_login_is_refused_before_anything_changes(
    setup: Setup, lines: list[str]
) -> None:
    profile, before = bad_server(setup, setup.lab.start_sshd_variant(lines))
    text = refused(setup, profile, before, KeyLoginNotAllowed)
    assert "does not accept keys" in text and "password" in text


def test_a_server_wanting_the_password_as_well_keeps_the_password(setup: Setup) -> None:
    port = setup.lab.start_sshd_variant(
        ["AuthenticationMethods publickey,password publickey,keyboard-interactive password"]
    )
    profile, before = bad_server(setup, port)
    text = refused(setup, profile, before, KeyNotEnough)
    assert "as well as" in text


def test_strict_modes_refusal_names_the_path_and_the_fix(setup: Setup) -> None:
    home = Path(setup.user.home)
    # group-writable by a group with someone else in it (Debian's sshd lets a group of
    # one pass): StrictModes then ignores every key of the account
    other = setup.lab.require_other_user()
    os.chown(home, -1, other.gid)
    home.chmod(0o775)
    profile = setup.profile()
    before = setup.state()
    with pytest.raises(KeyRefusedByModes) as caught:
        setup.keys.use_key(profile.id)
    assert setup.state() == before
    assert (caught.value.path, caught.value.problem) == (str(home), "writable")
    # (the sentence's paths may be masked by secrets other tests registered: not checked)
    assert "chmod go-w" in describe(caught.value).text


def test_a_read_only_home_is_said_and_nothing_changes(setup: Setup) -> None:
    port = start_readonly_home_sshd(setup.lab, setup.user)
    profile, before = bad_server(setup, port)
    with pytest.raises(AuthorizedKeysUnwritable) as caught:
        setup.keys.use_key(profile.id)
    assert caught.value.problem is AuthorizedKeysProblem.READ_ONLY
    assert setup.state() == before
    assert "read-only" in describe(caught.value).text


def test_a_full_home_is_said_and_nothing_changes(setup: Setup) -> None:
    port = start_full_home_sshd(setup.lab, setup.user)
    profile, before = bad_server(setup, port)
    with pytest.raises(AuthorizedKeysUnwritable) as caught:
        setup.keys.use_key(profile.id)
    assert caught.value.problem is AuthorizedKeysProblem.FULL
    assert setup.state() == before
    assert "full" in describe(caught.value).text


class CodePrompter:
    def __init__(self, server: CodeServer) -> None:
        self.server = server
        self.asked: list[str] = []

    def ask(
        self,
        host: str,
        title: str,
        instructions: str,
        prompts: Sequence[tuple[str, bool]],
        cancel: CancelToken | None = None,
    ) -> Sequence[str]:
        self.asked.extend(text for text, _ in prompts)
        return [self.server.code() for _ in prompts]


def keys_with(setup: Setup, prompter: CodePrompter) -> KeySetup:
    return KeySetup(
        ProfileLifecycle(setup.store, setup.secrets, RememberedServers(setup.tmp / "s2.json")),
        setup.secrets,
        setup.hostkeys,
        setup.keys.keys_dir,
        prompter=prompter,
        hostname="test-laptop",
    )


def test_two_factor_server_where_the_key_replaces_password_and_code(setup: Setup) -> None:
    server = start_code_sshd(
        setup.lab,
        setup.user,
        PASSWORD_AND_CODE_STACK,
        ["AuthenticationMethods publickey keyboard-interactive"],
    )
    prompter = CodePrompter(server)
    profile = setup.profile(port=server.port)
    result = keys_with(setup, prompter).use_key(profile.id)
    assert prompter.asked, "the password login asked for the code"
    assert not result.asks_code
    setup.keys.forget_password(profile.id)
    assert setup.login_without_password(profile.id) == setup.user.name


def test_two_factor_server_that_wants_the_code_after_the_key_keeps_working(setup: Setup) -> None:
    server = start_code_sshd(
        setup.lab,
        setup.user,
        CODE_ONLY_STACK,
        ["AuthenticationMethods publickey,keyboard-interactive keyboard-interactive"],
    )
    prompter = CodePrompter(server)
    profile = setup.profile(port=server.port)
    result = keys_with(setup, prompter).use_key(profile.id)
    assert result.asks_code
    text = describe_result(result)
    assert "one-time code" in text
    saved = setup.store.get(profile.id)
    assert saved.auth is AuthMethod.KEY
    # the key and a code log in; without a code the server says no
    prompter.asked.clear()
    session = open_chain(
        hops_for(saved, setup.secrets, setup.store.get), setup.hostkeys, prompter=prompter
    )
    session.close()
    assert prompter.asked


def describe_result(result: object) -> str:
    from labtunnel.messages.keysetup import describe_key_setup

    return " ".join(m.text for m in describe_key_setup(result))  # type: ignore[arg-type]


def test_two_factor_server_asking_password_and_code_after_the_key_is_refused(setup: Setup) -> None:
    server = start_code_sshd(
        setup.lab,
        setup.user,
        PASSWORD_AND_CODE_STACK,
        ["AuthenticationMethods publickey,keyboard-interactive keyboard-interactive"],
    )
    prompter = CodePrompter(server)
    profile, before = bad_server(setup, server.port)
    with pytest.raises(KeyNotEnough):
        keys_with(setup, prompter).use_key(profile.id)
    assert setup.state() == before
