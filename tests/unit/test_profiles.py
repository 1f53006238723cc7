from __future__ import annotations

from pathlib import Path

import pytest

from labtunnel.core.errors import ProfileInvalid
from labtunnel.core.profiles.model import (
    MAX_FORWARDS,
    AuthMethod,
    GpuMode,
    GpuSetting,
    HostProfile,
    JumpHost,
    JupyterApp,
    JupyterSpec,
    NamedForward,
    RemoteForward,
    parse_forward_spec,
    parse_host_port,
    parse_jump_spec,
    profile_from_dict,
    profile_problems,
    profile_to_dict,
    validate_profile,
)


def codes(profile: HostProfile, others: list[HostProfile] | None = None) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in profile_problems(profile, others or [])}


def test_a_complete_profile_has_no_problems() -> None:
    assert codes(HostProfile("lab", "gpu.example.org", "alice")) == set()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": " "}, ("name", "empty")),
        ({"host": ""}, ("host", "empty")),
        ({"host": "bad host!"}, ("host", "bad_host")),
        ({"port": 0}, ("port", "port_out_of_range")),
        ({"port": 70000}, ("port", "port_out_of_range")),
        ({"username": ""}, ("username", "empty")),
        ({"username": "a b"}, ("username", "bad_username")),
        ({"local_port": -1}, ("local_port", "port_out_of_range")),
        ({"local_port": 65536}, ("local_port", "port_out_of_range")),
        ({"auth": AuthMethod.KEY}, ("key_path", "empty")),
        ({"auth": AuthMethod.KEY, "key_path": "/nonexistent/id_ed25519"}, ("key_path", "missing")),
        ({"target": RemoteForward("127.0.0.1", 0)}, ("remote", "port_out_of_range")),
        ({"jump": JumpHost(host="", port=22)}, ("jump", "empty")),
        ({"pinned_fingerprints": ("MD5:aa",)}, ("pinned_fingerprints", "bad_fingerprint")),
        ({"keepalive_interval": 0}, ("keepalive_interval", "out_of_range")),
        ({"max_connections": 0}, ("max_connections", "out_of_range")),
        ({"max_channel_opens": 0}, ("max_channel_opens", "out_of_range")),
        ({"max_channel_opens": 5000}, ("max_channel_opens", "out_of_range")),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, object], expected: tuple[str, str]) -> None:
    profile = HostProfile("lab", "gpu.example.org", "alice").with_changes(**changes)
    assert expected in codes(profile)
    with pytest.raises(ProfileInvalid) as caught:
        validate_profile(profile)
    assert expected in {(p.field, p.code) for p in caught.value.problems}


def test_duplicate_names_are_caught_case_insensitively() -> None:
    first = HostProfile("GPU lab", "a.example.org", "alice")
    second = HostProfile("gpu LAB", "b.example.org", "alice")
    assert ("name", "duplicate") in codes(second, [first])
    # the same profile being edited is not a duplicate of itself
    assert codes(first.with_changes(host="c.example.org"), [first]) == set()


def test_jump_must_name_an_existing_other_profile() -> None:
    lab = HostProfile("lab", "gpu", "alice")
    assert ("jump", "self_reference") in codes(lab.with_changes(jump=JumpHost(profile_id=lab.id)))
    assert ("jump", "unknown_profile") in codes(lab.with_changes(jump=JumpHost(profile_id="nope")))
    gateway = HostProfile("gw", "gw.example.org", "alice")
    assert codes(lab.with_changes(jump=JumpHost(profile_id=gateway.id)), [gateway]) == set()


def test_existing_key_file_is_accepted(tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    key.write_text("x")
    profile = HostProfile("lab", "gpu", "alice", auth=AuthMethod.KEY, key_path=str(key))
    assert codes(profile) == set()
    assert ("key_path", "not_a_file") in codes(profile.with_changes(key_path=str(tmp_path)))


def test_round_trip_through_dict_keeps_every_field() -> None:
    profile = HostProfile(
        "lab",
        "10.0.0.5",
        "bob",
        port=2222,
        auth=AuthMethod.KEY,
        key_path="~/.ssh/id_ed25519",
        jump=JumpHost("gw.example.org", 2200, "bob"),
        target=JupyterSpec(JupyterApp.NOTEBOOK, "torch", "~/work", GpuSetting.parse("0,2")),
        local_port=8000,
        keepalive_interval=7,
        keepalive_count_max=4,
        connect_timeout=9,
        max_connections=200,
        max_channel_opens=8,
        pinned_fingerprints=("SHA256:" + "A" * 43,),
        forwards=(NamedForward("TensorBoard", "localhost", 6006),),
    )
    assert profile_from_dict(profile_to_dict(profile)) == profile
    remote = profile.with_changes(target=RemoteForward("127.0.0.1", 8888), jump=None)
    assert profile_from_dict(profile_to_dict(remote)) == remote


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "must be an object"),
        ({"name": "x", "host": "h", "username": "u"}, "'id'"),
        ({"id": "1", "name": "x", "host": "h", "username": "u", "port": "22"}, "'port'"),
        ({"id": "1", "name": "x", "host": "h", "username": "u", "port": True}, "'port'"),
        ({"id": "1", "name": "x", "host": "h", "username": "u", "auth": "telnet"}, "'auth'"),
        ({"id": "1", "name": "x", "host": "h", "username": "u", "target": {"kind": "x"}}, "kind"),
    ],
)
def test_bad_stored_data_names_the_field(data: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        profile_from_dict(data)


@pytest.mark.parametrize(
    ("text", "mode", "indices", "written"),
    [
        ("any", GpuMode.ANY, (), "any"),
        ("", GpuMode.ANY, (), "any"),
        ("  Free ", GpuMode.ANY, (), "any"),
        ("ALL", GpuMode.ALL, (), "all"),
        ("none", GpuMode.NONE, (), "none"),
        ("1", GpuMode.FIXED, (1,), "1"),
        ("GPU 3", GpuMode.FIXED, (3,), "3"),
        ("0, 2,2", GpuMode.FIXED, (0, 2), "0,2"),
    ],
)
def test_gpu_setting_text(text: str, mode: GpuMode, indices: tuple[int, ...], written: str) -> None:
    setting = GpuSetting.parse(text)
    assert (setting.mode, setting.indices, str(setting)) == (mode, indices, written)
    assert GpuSetting.parse(str(setting)) == setting


@pytest.mark.parametrize("text", ["-1", "1,", "one", "0;1", "1.5", "12345"])
def test_bad_gpu_settings_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        GpuSetting.parse(text)


def test_stored_gpu_setting_defaults_and_is_checked() -> None:
    base = {"id": "1", "name": "x", "host": "h", "username": "u"}
    old = profile_from_dict({**base, "target": {"kind": "jupyter", "app": "lab"}})
    assert isinstance(old.target, JupyterSpec) and old.target.gpu == GpuSetting()
    with pytest.raises(ValueError, match="'gpu'"):
        profile_from_dict({**base, "target": {"kind": "jupyter", "gpu": "seven"}})
    empty = HostProfile("x", "h", "u", target=JupyterSpec(gpu=GpuSetting(GpuMode.FIXED, ())))
    assert ("gpu", "bad_gpu") in [(p.field, p.code) for p in profile_problems(empty)]


def test_parsing_host_port_and_jump_specs() -> None:
    assert parse_host_port("127.0.0.1:8888", 0) == ("127.0.0.1", 8888)
    assert parse_host_port("[::1]:8888", 0) == ("::1", 8888)
    assert parse_host_port("gpu", 22) == ("gpu", 22)
    assert parse_jump_spec("bob@gw.example.org:2200") == JumpHost("gw.example.org", 2200, "bob")
    assert parse_jump_spec("gw") == JumpHost("gw", 22, "")
    with pytest.raises(ValueError):
        parse_host_port("gpu:notaport", 22)


TB = NamedForward("TensorBoard", "localhost", 6006)


@pytest.mark.parametrize(
    ("forwards", "expected"),
    [
        ((NamedForward(" ", "localhost", 6006),), ("forward_name", "empty")),
        ((NamedForward("x" * 41, "localhost", 1),), ("forward_name", "bad_forward_name")),
        ((NamedForward("a\tb", "localhost", 1),), ("forward_name", "bad_forward_name")),
        ((TB, NamedForward("tensorboard", "h", 1)), ("forward_name", "duplicate_forward")),
        ((NamedForward("TB", "bad host!", 1),), ("forward_remote", "bad_host")),
        ((NamedForward("TB", "", 1),), ("forward_remote", "empty")),
        ((NamedForward("TB", "localhost", 0),), ("forward_remote", "port_out_of_range")),
        ((NamedForward("TB", "localhost", 70000),), ("forward_remote", "port_out_of_range")),
        (
            tuple(NamedForward(f"f{i}", "h", 1000 + i) for i in range(MAX_FORWARDS + 1)),
            ("forwards", "too_many"),
        ),
    ],
)
def test_each_bad_extra_forward_is_named(
    forwards: tuple[NamedForward, ...], expected: tuple[str, str]
) -> None:
    profile = HostProfile("lab", "gpu", "alice", forwards=forwards)
    assert expected in codes(profile)


def test_good_extra_forwards_pass() -> None:
    forwards = (TB, NamedForward("MLflow UI", "10.0.0.7", 5000), NamedForward("x", "::1", 80))
    assert codes(HostProfile("lab", "gpu", "alice", forwards=forwards)) == set()
    remote = HostProfile("lab", "gpu", "alice", target=RemoteForward("h", 1), forwards=(TB,))
    assert codes(remote) == set()


def test_parsing_forward_specs() -> None:
    assert parse_forward_spec("TensorBoard=localhost:6006") == TB
    assert parse_forward_spec(" MLflow UI = 10.0.0.7:5000") == NamedForward(
        "MLflow UI", "10.0.0.7", 5000
    )
    assert parse_forward_spec("v6=[::1]:8080") == NamedForward("v6", "::1", 8080)
    for bad in ("TensorBoard", "TB=localhost:port"):
        with pytest.raises(ValueError):
            parse_forward_spec(bad)


def test_profiles_stored_before_extra_forwards_still_load() -> None:
    data = profile_to_dict(HostProfile("lab", "gpu", "alice"))
    del data["forwards"]
    assert profile_from_dict(data).forwards == ()
    data["forwards"] = ["TensorBoard"]
    with pytest.raises(ValueError, match="forwards"):
        profile_from_dict(data)
