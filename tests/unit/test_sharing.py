from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import paramiko
import pytest

from labtunnel.core.errors import (
    FieldProblem,
    HostRole,
    ProblemCode,
    ProfileInvalid,
    ProfileNotFound,
    ShareDamage,
    ShareFileDamaged,
    ShareFileMalformed,
    ShareFileTooLarge,
    ShareFileTooNew,
    ShareFileUnreadable,
    ShareHostKeyUnknown,
    ShareUnsupportedProfile,
)
from labtunnel.core.profiles import sharing
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import (
    AuthMethod,
    GpuSetting,
    HostProfile,
    JumpHost,
    JupyterApp,
    JupyterSpec,
    NamedForward,
    RemoteForward,
)
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.sharing import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    SharedHost,
    SharedProfile,
    content_digest,
    dumps_shared,
    import_shared,
    loads_shared,
    plan_import,
    read_shared,
    share_profile,
    to_document,
    write_shared,
)
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.hostkeys import HostKeyStore, fingerprint, host_entry_name
from labtunnel.messages import describe

PIN_A = "SHA256:" + "A" * 43
PIN_B = "SHA256:" + "B" * 43
PIN_J = "SHA256:" + "J" * 43


def shared_example(**changes: Any) -> SharedProfile:
    base = SharedProfile(
        name="GPU lab",
        server=SharedHost("gpu.lab.example.edu", 2222, (PIN_A, PIN_B)),
        target=JupyterSpec(JupyterApp.NOTEBOOK, env="~/envs/ml", workdir="~/work"),
        jump=SharedHost("gw.lab.example.edu", 22, (PIN_J,)),
    )
    return SharedProfile(**{**base.__dict__, **changes})


def with_digest(content: dict[str, Any]) -> bytes:
    return json.dumps({**content, "sha256": content_digest(content)}).encode()


def content_of(shared: SharedProfile) -> dict[str, Any]:
    document = to_document(shared)
    del document["sha256"]
    return document


def malformed_problems(data: bytes) -> list[FieldProblem]:
    with pytest.raises(ShareFileMalformed) as caught:
        loads_shared(data, "lab.labtunnel")
    return list(caught.value.problems)


def no_lookup(profile_id: str) -> HostProfile:
    raise ProfileNotFound(profile_id)


@pytest.fixture
def hostkeys(tmp_path: Path) -> HostKeyStore:
    return HostKeyStore(tmp_path / "known_hosts", (tmp_path / "user_known_hosts",))


def add_known(path: Path, host: str, port: int, key: paramiko.PKey, hashed: bool = False) -> None:
    name = host_entry_name(host, port)
    if hashed:
        name = paramiko.HostKeys.hash_host(name)
    with path.open("a") as handle:
        handle.write(f"{name} {key.get_name()} {key.get_base64()}\n")


# --- the file format ------------------------------------------------------------------


def test_round_trip_keeps_everything() -> None:
    shared = shared_example()
    assert loads_shared(dumps_shared(shared).encode()) == shared
    remote = shared_example(target=RemoteForward("127.0.0.1", 6006), jump=None)
    assert loads_shared(dumps_shared(remote).encode()) == remote


def test_file_is_readable_json_with_the_digest_of_its_content() -> None:
    text = dumps_shared(shared_example())
    document = json.loads(text)
    assert document["format"] == FORMAT_NAME and document["version"] == 1
    assert document["profile"]["server"]["host_key_fingerprints"] == [PIN_A, PIN_B]
    assert document["profile"]["jump"]["host_key_fingerprints"] == [PIN_J]
    assert "username" not in document["profile"]["server"]
    content = {k: v for k, v in document.items() if k != "sha256"}
    assert document["sha256"] == content_digest(content)


def test_reformatting_or_reordering_keeps_the_file_valid() -> None:
    document = json.loads(dumps_shared(shared_example()))
    reordered = dict(reversed(list(document.items())))
    text = json.dumps(reordered, indent=8, ensure_ascii=True)
    assert loads_shared(text.encode("utf-8")) == shared_example()


def test_digest_is_the_canonical_json_sha256() -> None:
    # RFC 8785 form for these values: sorted keys, no spaces, UTF-8
    content = {"b": [1, "é"], "a": None}
    import hashlib

    expected = hashlib.sha256('{"a":null,"b":[1,"é"]}'.encode()).hexdigest()
    assert content_digest(content) == expected


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["profile"]["server"].update(host="evil.example.com"),
        lambda d: d["profile"]["server"]["host_key_fingerprints"].append(PIN_J),
        lambda d: d["profile"].update(jump=None),
        lambda d: d["profile"]["target"].update(env="/tmp/other"),
        lambda d: d.update(version=1, extra="x"),
    ],
)
def test_any_edit_is_detected(edit: Any) -> None:
    document = json.loads(dumps_shared(shared_example()))
    edit(document)
    with pytest.raises(ShareFileDamaged) as caught:
        loads_shared(json.dumps(document).encode(), "lab.labtunnel")
    assert caught.value.reason == "digest_mismatch"
    assert caught.value.path == "lab.labtunnel"


@pytest.mark.parametrize("keep", [0, 1, 40, 200, -3, -1, -20, -80])
def test_truncated_file_is_reported_as_incomplete(keep: int) -> None:
    data = dumps_shared(shared_example()).rstrip().encode()
    with pytest.raises(ShareFileDamaged) as caught:
        loads_shared(data[:keep])
    assert caught.value.reason == "truncated"


def test_missing_or_bad_digest_is_malformed() -> None:
    content = content_of(shared_example())
    assert malformed_problems(json.dumps(content).encode()) == [
        FieldProblem("sha256", ProblemCode.REQUIRED)
    ]
    bad = json.dumps({**content, "sha256": "abc"}).encode()
    assert malformed_problems(bad) == [FieldProblem("sha256", ProblemCode.BAD_DIGEST)]


def test_other_files_are_rejected_clearly() -> None:
    assert malformed_problems(b"\xff\xfe\x00garbage")[0].code is ProblemCode.NOT_TEXT
    assert malformed_problems(b"{'single': quotes}\n")[0].code is ProblemCode.NOT_JSON
    assert malformed_problems(b'{"profiles": []}') == [
        FieldProblem("format", ProblemCode.NOT_LABTUNNEL)
    ]
    assert malformed_problems(b"[1, 2]") == [FieldProblem("format", ProblemCode.NOT_LABTUNNEL)]
    nan = b'{"format": "labtunnel-lab-profile", "version": NaN}'
    assert malformed_problems(nan)[0].code is ProblemCode.NOT_JSON
    twice = b'{"format": "labtunnel-lab-profile", "format": "x"}'
    assert malformed_problems(twice) == [FieldProblem("format", ProblemCode.DUPLICATE_KEY)]


def test_newer_format_asks_for_an_update() -> None:
    content = {**content_of(shared_example()), "version": FORMAT_VERSION + 1}
    with pytest.raises(ShareFileTooNew) as caught:
        loads_shared(with_digest(content))
    assert (caught.value.found_version, caught.value.supported_version) == (
        FORMAT_VERSION + 1,
        FORMAT_VERSION,
    )


EXTRAS = (
    NamedForward("TensorBoard", "localhost", 6006),
    NamedForward("MLflow UI", "10.1.2.3", 5000),
)


def test_extra_forwards_travel_in_a_version_2_file() -> None:
    shared = shared_example(forwards=EXTRAS)
    document = json.loads(dumps_shared(shared))
    assert document["version"] == 2
    assert document["profile"]["forwards"][0] == {
        "name": "TensorBoard",
        "host": "localhost",
        "port": 6006,
    }
    assert loads_shared(dumps_shared(shared).encode()) == shared
    plan = plan_import(shared, [], "alice")
    assert plan.profile.forwards == EXTRAS


def test_without_extra_forwards_the_file_stays_version_1() -> None:
    """Older LabTunnels read version 1 only: a file that needs nothing newer is one."""
    document = json.loads(dumps_shared(shared_example()))
    assert document["version"] == 1
    assert "forwards" not in document["profile"]


def test_a_version_1_file_written_by_an_older_labtunnel_still_imports() -> None:
    # exactly what release 0.1 wrote: no "forwards" key at all
    content = content_of(shared_example())
    assert content["version"] == 1
    assert loads_shared(with_digest(content)).forwards == ()


def test_old_readers_refuse_a_file_with_extra_forwards_as_too_new(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A release that reads version 1 only (the reader's own check, as in 0.1)."""
    data = dumps_shared(shared_example(forwards=EXTRAS)).encode()
    monkeypatch.setattr(sharing, "FORMAT_VERSION", 1)
    with pytest.raises(ShareFileTooNew) as caught:
        loads_shared(data, "lab.labtunnel")
    assert describe(caught.value).text.startswith(
        "The lab profile file lab.labtunnel was made by a newer LabTunnel (format 2; this "
        "version reads up to 1)."
    )


def test_forwards_in_a_version_1_file_are_unknown() -> None:
    content = content_of(shared_example())
    content["profile"]["forwards"] = [{"name": "TB", "host": "localhost", "port": 6006}]
    assert malformed_problems(with_digest(content)) == [
        FieldProblem("forwards", ProblemCode.UNKNOWN_FIELD)
    ]


@pytest.mark.parametrize(
    ("forwards", "expected"),
    [
        ("TB", FieldProblem("forwards", ProblemCode.WRONG_TYPE, "list of objects")),
        (
            [{"name": "TB", "host": "localhost"}],
            FieldProblem("forwards.1.port", ProblemCode.REQUIRED),
        ),
        (
            [{"name": "TB", "host": "bad host!", "port": 1}],
            FieldProblem("forwards.1.host", ProblemCode.BAD_HOST, "bad host!"),
        ),
        (
            [{"name": "", "host": "localhost", "port": 1}],
            FieldProblem("forwards.1.name", ProblemCode.EMPTY),
        ),
        (
            [{"name": "TB", "host": "h", "port": 1, "local": 5}],
            FieldProblem("forwards.1.local", ProblemCode.UNKNOWN_FIELD),
        ),
        (
            [{"name": "TB", "host": "h", "port": 1}, {"name": "tb", "host": "h", "port": 2}],
            FieldProblem("forwards", ProblemCode.DUPLICATE_FORWARD, "tb"),
        ),
        (
            [{"name": "x" * 41, "host": "h", "port": 1}],
            FieldProblem("forwards.1.name", ProblemCode.TOO_LONG, "40"),
        ),
    ],
)
def test_bad_extra_forwards_are_named(forwards: Any, expected: FieldProblem) -> None:
    content = content_of(shared_example(forwards=EXTRAS))
    content["profile"]["forwards"] = forwards
    assert expected in malformed_problems(with_digest(content))


def test_field_problems_name_every_bad_field() -> None:
    content = content_of(shared_example())
    profile = content["profile"]
    profile["server"]["port"] = 70000
    profile["server"]["host"] = "bad host!"
    profile["jump"]["host_key_fingerprints"] = ["MD5:aa:bb"]
    profile["target"]["app"] = "vscode"
    profile["colour"] = "red"
    problems = malformed_problems(with_digest(content))
    assert set(problems) == {
        FieldProblem("server.port", ProblemCode.PORT_OUT_OF_RANGE, "70000"),
        FieldProblem("server.host", ProblemCode.BAD_HOST, "bad host!"),
        FieldProblem("jump.host_key_fingerprints", ProblemCode.BAD_FINGERPRINT, "MD5:aa:bb"),
        FieldProblem("target.app", ProblemCode.BAD_CHOICE, "auto, lab, notebook"),
        FieldProblem("colour", ProblemCode.UNKNOWN_FIELD),
    }


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda p: p["server"].pop("host_key_fingerprints"),
            ("server.host_key_fingerprints", "required"),
        ),
        (
            lambda p: p["server"].update(host_key_fingerprints=[]),
            ("server.host_key_fingerprints", "empty"),
        ),
        (
            lambda p: p["server"].update(host_key_fingerprints="SHA256:x"),
            ("server.host_key_fingerprints", "wrong_type"),
        ),
        (
            lambda p: p["server"].update(host_key_fingerprints=[PIN_A] * 17),
            ("server.host_key_fingerprints", "too_many"),
        ),
        (lambda p: p["server"].update(port="22"), ("server.port", "wrong_type")),
        (lambda p: p["server"].update(port=True), ("server.port", "wrong_type")),
        (lambda p: p["server"].pop("host"), ("server.host", "required")),
        (lambda p: p["server"].update(host="  "), ("server.host", "empty")),
        (lambda p: p["server"].update(username="a b"), ("server.username", "bad_username")),
        (lambda p: p.update(name=""), ("name", "empty")),
        (lambda p: p.update(name="x" * 101), ("name", "too_long")),
        (lambda p: p.update(name="lab\nserver"), ("name", "control_chars")),
        (lambda p: p.pop("server"), ("server", "required")),
        (lambda p: p.update(jump=[]), ("jump", "wrong_type")),
        (lambda p: p["target"].update(kind="vnc"), ("target.kind", "bad_choice")),
        (lambda p: p["target"].update(env="x\x00y"), ("target.env", "control_chars")),
        (
            lambda p: p.update(target={"kind": "remote", "host": "db", "port": 0}),
            ("target.port", "port_out_of_range"),
        ),
    ],
)
def test_each_bad_field_is_named(edit: Any, expected: tuple[str, str]) -> None:
    content = content_of(shared_example())
    edit(content["profile"])
    problems = malformed_problems(with_digest(content))
    assert expected in [(p.field, p.code) for p in problems], problems


def test_gpu_setting_travels_only_when_set() -> None:
    plain = content_of(shared_example())
    assert "gpu" not in plain["profile"]["target"]  # older LabTunnels still read it
    chosen = shared_example(target=JupyterSpec(gpu=GpuSetting.parse("1")))
    content = content_of(chosen)
    assert content["profile"]["target"]["gpu"] == "1"
    assert loads_shared(with_digest(content), "lab.labtunnel").target == chosen.target
    content["profile"]["target"]["gpu"] = "seven"
    assert ("target.gpu", "bad_gpu") in [
        (p.field, p.code) for p in malformed_problems(with_digest(content))
    ]


def test_size_limit(tmp_path: Path) -> None:
    with pytest.raises(ShareFileTooLarge) as caught:
        loads_shared(b" " * (MAX_FILE_BYTES + 1))
    assert caught.value.limit == MAX_FILE_BYTES
    big = tmp_path / "big.labtunnel"
    big.write_bytes(b"{" + b" " * (3 * MAX_FILE_BYTES))
    with pytest.raises(ShareFileTooLarge) as caught:
        read_shared(big)
    assert caught.value.size == 3 * MAX_FILE_BYTES + 1 and caught.value.path == str(big)


@pytest.mark.posix
def test_write_and_read_a_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "GPU lab.labtunnel"
    write_shared(path, shared_example())
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert read_shared(path) == shared_example()
    with pytest.raises(ShareFileUnreadable):
        read_shared(tmp_path / "missing.labtunnel")
    with pytest.raises(ShareFileUnreadable):
        write_shared(path / "below-a-file", shared_example())


def test_bom_from_windows_editors_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + dumps_shared(shared_example()).encode()
    assert loads_shared(data) == shared_example()


# --- export ---------------------------------------------------------------------------


def test_export_pins_the_keys_labtunnel_trusts(hostkeys: HostKeyStore) -> None:
    server_key, jump_key = paramiko.ECDSAKey.generate(), paramiko.ECDSAKey.generate()
    add_known(hostkeys.own_file, "gpu.lab", 2222, server_key)
    add_known(hostkeys.user_files[0], "gw.lab", 22, jump_key, hashed=True)
    profile = HostProfile(
        "GPU lab",
        "gpu.lab",
        "alice",
        port=2222,
        auth=AuthMethod.KEY,
        key_path="/home/alice/.ssh/id_secret_lab",
        jump=JumpHost("gw.lab", 22, "alice"),
        target=JupyterSpec(env="ml"),
    )
    shared = share_profile(profile, hostkeys, no_lookup)
    assert shared.server == SharedHost("gpu.lab", 2222, (fingerprint(server_key),))
    assert shared.jump == SharedHost("gw.lab", 22, (fingerprint(jump_key),))
    text = dumps_shared(shared)
    assert "alice" not in text and "id_secret_lab" not in text and "key" not in json.loads(text)


def test_export_includes_the_user_name_only_when_asked(hostkeys: HostKeyStore) -> None:
    via = HostProfile("gateway", "gw.lab", "bob", pinned_fingerprints=(PIN_J,))
    profile = HostProfile(
        "GPU lab",
        "gpu.lab",
        "alice",
        jump=JumpHost(profile_id=via.id),
        pinned_fingerprints=(PIN_A,),
    )
    lookup = {via.id: via}.__getitem__
    without = share_profile(profile, hostkeys, lookup)
    assert without.server.username == "" and without.jump is not None
    assert without.jump == SharedHost("gw.lab", 22, (PIN_J,))
    with_user = share_profile(profile, hostkeys, lookup, include_user=True)
    assert with_user.server.username == "alice"
    assert with_user.jump is not None and with_user.jump.username == "bob"
    same_user = share_profile(
        profile, hostkeys, {via.id: via.with_changes(username="alice")}.__getitem__, True
    )
    assert same_user.jump is not None and same_user.jump.username == ""


def test_export_prefers_the_profiles_pins_and_keeps_one_key_per_type(
    hostkeys: HostKeyStore,
) -> None:
    own, other_same_type, rsa_type = (paramiko.ECDSAKey.generate() for _ in range(3))
    add_known(hostkeys.own_file, "gpu.lab", 22, own)
    add_known(hostkeys.user_files[0], "gpu.lab", 22, other_same_type)
    profile = HostProfile("lab", "gpu.lab", "alice")
    # LabTunnel's own file wins, as when verifying
    assert share_profile(profile, hostkeys, no_lookup).server.fingerprints == (fingerprint(own),)
    pinned = profile.with_changes(pinned_fingerprints=(PIN_B,))
    assert share_profile(pinned, hostkeys, no_lookup).server.fingerprints == (PIN_B,)
    del rsa_type


def test_export_without_a_known_key_says_to_connect_first(hostkeys: HostKeyStore) -> None:
    profile = HostProfile("lab", "gpu.lab", "alice", jump=JumpHost("gw.lab"))
    with pytest.raises(ShareHostKeyUnknown) as caught:
        share_profile(profile, hostkeys, no_lookup)
    assert (caught.value.host, caught.value.role) == ("gpu.lab", "server")
    pinned = profile.with_changes(pinned_fingerprints=(PIN_A,))
    with pytest.raises(ShareHostKeyUnknown) as caught:
        share_profile(pinned, hostkeys, no_lookup)
    assert (caught.value.host, caught.value.port, caught.value.role) == ("gw.lab", 22, "jump")
    text = describe(caught.value).text
    assert "gw.lab" in text and "Connect" in text


def test_a_chain_of_jump_hosts_cannot_be_shared(hostkeys: HostKeyStore) -> None:
    first = HostProfile("first", "a.lab", "u", pinned_fingerprints=(PIN_A,))
    second = HostProfile(
        "second", "b.lab", "u", jump=JumpHost(profile_id=first.id), pinned_fingerprints=(PIN_B,)
    )
    target = HostProfile(
        "target", "c.lab", "u", jump=JumpHost(profile_id=second.id), pinned_fingerprints=(PIN_J,)
    )
    lookup = {first.id: first, second.id: second}.__getitem__
    with pytest.raises(ShareUnsupportedProfile):
        share_profile(target, hostkeys, lookup)


# --- import ---------------------------------------------------------------------------


def test_import_gives_the_users_own_profile_with_pins() -> None:
    plan = plan_import(shared_example(jump=None), [], "carol")
    profile = plan.profile
    assert (profile.name, profile.host, profile.port, profile.username) == (
        "GPU lab",
        "gpu.lab.example.edu",
        2222,
        "carol",
    )
    assert profile.pinned_fingerprints == (PIN_A, PIN_B)
    assert profile.auth is AuthMethod.PASSWORD and profile.jump is None
    assert profile.target == JupyterSpec(JupyterApp.NOTEBOOK, "~/envs/ml", "~/work")
    assert plan.new_profiles == [profile]


def test_import_makes_a_pinned_profile_for_the_jump_host() -> None:
    plan = plan_import(shared_example(), [], "carol")
    jump = plan.jump_profile
    assert jump is not None and plan.jump_is_new
    assert (jump.name, jump.host, jump.username, jump.pinned_fingerprints) == (
        "gw.lab.example.edu",
        "gw.lab.example.edu",
        "carol",
        (PIN_J,),
    )
    assert plan.profile.jump == JumpHost(profile_id=jump.id)
    assert plan.new_profiles == [jump, plan.profile]


def test_import_reuses_a_matching_jump_profile_and_avoids_name_clashes() -> None:
    same = HostProfile("my gateway", "GW.lab.example.edu", "carol", pinned_fingerprints=(PIN_J,))
    reused = plan_import(shared_example(), [same], "carol")
    assert reused.jump_profile == same and not reused.jump_is_new
    assert reused.new_profiles == [reused.profile]
    other = HostProfile("gw.lab.example.edu", "gw.lab.example.edu", "carol")  # not pinned
    fresh = plan_import(shared_example(), [other], "carol")
    assert fresh.jump_is_new and fresh.jump_profile is not None
    assert fresh.jump_profile.name == "gw.lab.example.edu (2)"


def test_user_names_given_win_over_the_file() -> None:
    shared = shared_example(
        server=SharedHost("gpu.lab", 22, (PIN_A,), "admin-wrote-this"),
        jump=SharedHost("gw.lab", 22, (PIN_J,), "gwuser"),
    )
    from_file = plan_import(shared, [])
    assert from_file.profile.username == "admin-wrote-this"
    assert from_file.jump_profile is not None and from_file.jump_profile.username == "gwuser"
    given = plan_import(shared, [], "carol", jump_username="carol-gw", name="Mine")
    assert given.profile.username == "carol" and given.profile.name == "Mine"
    assert given.jump_profile is not None and given.jump_profile.username == "carol-gw"


def test_import_needs_a_user_name_and_a_free_name() -> None:
    with pytest.raises(ProfileInvalid) as caught:
        plan_import(shared_example(jump=None), [])
    assert FieldProblem("username", ProblemCode.EMPTY) in caught.value.problems
    taken = HostProfile("gpu LAB", "x.lab", "carol")
    with pytest.raises(ProfileInvalid) as caught:
        plan_import(shared_example(jump=None), [taken], "carol")
    assert caught.value.problems[0].code is ProblemCode.DUPLICATE


def test_import_saves_profiles_and_password(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    secrets = MemorySecretStore()
    lifecycle = ProfileLifecycle(store, secrets, RememberedServers(tmp_path / "state.json"))
    plan = import_shared(lifecycle, shared_example(), "carol", password="pw-1234")
    reloaded = ProfileStore(store.path).load()
    assert reloaded == plan.new_profiles
    assert plan.jump_profile is not None
    assert secrets.get(plan.profile.id, SecretKind.PASSWORD) == "pw-1234"
    # the file chose the jump host: no password for it unless the person agreed
    assert secrets.get(plan.jump_profile.id, SecretKind.PASSWORD) is None
    assert "pw-1234" not in store.path.read_text()
    again = import_shared(
        lifecycle, shared_example(), "dave", password="pw-1", jump_password="gw-2", name="B"
    )
    assert again.jump_profile is not None and again.jump_is_new
    assert secrets.get(again.profile.id, SecretKind.PASSWORD) == "pw-1"
    assert secrets.get(again.jump_profile.id, SecretKind.PASSWORD) == "gw-2"


class FailingSecondAdd(ProfileStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.adds = 0

    def add(self, profile: HostProfile, check_files: bool = True) -> HostProfile:
        self.adds += 1
        if self.adds == 2:
            raise OSError("disk full")
        return super().add(profile, check_files)


def test_failed_import_leaves_nothing_behind(tmp_path: Path) -> None:
    store = FailingSecondAdd(tmp_path / "profiles.json")
    secrets = MemorySecretStore()
    lifecycle = ProfileLifecycle(store, secrets, RememberedServers(tmp_path / "state.json"))
    with pytest.raises(OSError):
        import_shared(lifecycle, shared_example(), "carol", password="pw-1234")
    assert ProfileStore(store.path).load() == []
    assert secrets._items == {}


# --- messages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        ShareFileUnreadable("/x/lab.labtunnel", "No such file or directory"),
        ShareFileTooLarge("/x/lab.labtunnel", 900000, MAX_FILE_BYTES),
        ShareFileMalformed(
            "/x/lab.labtunnel",
            [FieldProblem("server.port", ProblemCode.PORT_OUT_OF_RANGE, "70000")],
        ),
        ShareFileMalformed(
            "/x/lab.labtunnel", [FieldProblem("file", ProblemCode.NOT_JSON, "line 3, column 4")]
        ),
        ShareFileDamaged("/x/lab.labtunnel", ShareDamage.TRUNCATED),
        ShareFileDamaged("/x/lab.labtunnel", ShareDamage.DIGEST_MISMATCH),
        ShareFileTooNew("/x/lab.labtunnel", 2, 1),
        ShareHostKeyUnknown("GPU lab", "gpu.lab", 22, HostRole.SERVER),
        ShareUnsupportedProfile("GPU lab", "jump_chain"),
    ],
    ids=lambda x: f"{type(x).__name__}-{getattr(x, 'reason', '')}",
)
def test_every_sharing_error_is_a_plain_sentence(error: Exception) -> None:
    text = describe(error).text
    assert text.endswith("."), text
    assert "{" not in text
    path = getattr(error, "path", None)
    if path:
        assert path in text


def test_field_level_message_names_field_and_value() -> None:
    error = ShareFileMalformed(
        "lab.labtunnel", [FieldProblem("server.port", ProblemCode.PORT_OUT_OF_RANGE, "70000")]
    )
    text = describe(error).text
    assert "SSH port" in text and "70000" in text and "65535" in text
    damaged = describe(ShareFileDamaged("lab.labtunnel", ShareDamage.DIGEST_MISMATCH)).text
    assert "changed" in damaged and "lab admin" in damaged
