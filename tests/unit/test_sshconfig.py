from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from labtunnel.core.errors import SshConfigUnreadable
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import AuthMethod, HostProfile, JumpHost, JupyterSpec
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore
from labtunnel.core.profiles.sshconfig import (
    ConfigNote,
    ImportNote,
    SkippedHost,
    SshImportPlan,
    apply_ssh_import,
    plan_ssh_import,
    read_ssh_config,
)
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.messages import describe, describe_import_note, describe_skipped_host


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    return home


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def key(home: Path, name: str) -> Path:
    return write(home / ".ssh" / name, "-----BEGIN OPENSSH PRIVATE KEY-----\n")


def plan(
    home: Path,
    text: str,
    existing: list[HostProfile] | None = None,
    only: tuple[str, ...] = (),
) -> SshImportPlan:
    write(home / ".ssh" / "config", text)
    config = read_ssh_config(home=home)
    return plan_ssh_import(config, existing or [], default_user="localme", only=only)


def by_name(result: SshImportPlan) -> dict[str, HostProfile]:
    return {p.name: p for p in result.profiles}


def test_hosts_become_profiles(home: Path) -> None:
    lab_key = key(home, "id_lab")
    result = plan(
        home,
        """
        # the lab
        Host gpu
            HostName gpu.lab.example.edu
            User alice
            Port 2222
            IdentityFile ~/.ssh/id_lab
        Host plain
            HostName 10.0.0.5
        """,
    )
    profiles = by_name(result)
    gpu = profiles["gpu"]
    assert (gpu.host, gpu.port, gpu.username) == ("gpu.lab.example.edu", 2222, "alice")
    assert gpu.auth is AuthMethod.KEY and gpu.key_path == str(lab_key)
    assert gpu.jump is None and gpu.target == JupyterSpec()
    plain = profiles["plain"]
    assert (plain.host, plain.port, plain.username) == ("10.0.0.5", 22, "localme")
    assert plain.auth is AuthMethod.PASSWORD and plain.key_path == ""
    assert result.skipped == () and result.notes == ()


def test_defaults_from_later_blocks_apply_and_default_keys_are_found(home: Path) -> None:
    default_key = key(home, "id_ed25519")
    result = plan(
        home,
        """
        Host alpha
            HostName alpha.lab
        Host *.lab alpha
            User labuser
            Port 2200
        Host *
            User ignored-because-first-wins
        """,
    )
    alpha = by_name(result)["alpha"]
    assert (alpha.username, alpha.port) == ("labuser", 2200)
    assert alpha.auth is AuthMethod.KEY and alpha.key_path == str(default_key)
    assert result.skipped == (SkippedHost("*.lab", "wildcard"),)


def test_patterns_and_negations_are_not_servers(home: Path) -> None:
    result = plan(
        home,
        """
        Host * !bastion
            User x
        Host web? db-*
            User y
        Host real
            HostName real.lab
        """,
    )
    assert [p.name for p in result.profiles] == ["real"]
    assert result.skipped == (SkippedHost("web?", "wildcard"), SkippedHost("db-*", "wildcard"))


def test_missing_identity_file_is_noted_and_the_next_one_used(home: Path) -> None:
    second = key(home, "id_second")
    result = plan(
        home,
        """
        Host gpu
            HostName gpu.lab
            IdentityFile ~/.ssh/id_gone
            IdentityFile id_second
        """,
    )
    assert by_name(result)["gpu"].key_path == str(second)
    assert result.notes == (
        ImportNote("gpu", "identity_file_missing", str(home / ".ssh" / "id_gone")),
    )


def test_named_keys_that_are_all_missing_mean_password_not_default_keys(home: Path) -> None:
    key(home, "id_ed25519")
    result = plan(home, "Host gpu\n  HostName gpu.lab\n  IdentityFile ~/.ssh/id_gone\n")
    gpu = by_name(result)["gpu"]
    assert gpu.auth is AuthMethod.PASSWORD and gpu.key_path == ""
    assert [n.code for n in result.notes] == ["identity_file_missing"]


def test_includes_relative_glob_absolute_and_tilde(home: Path, tmp_path: Path) -> None:
    write(home / ".ssh" / "conf.d" / "20-b.conf", "Host bee\n  HostName b.lab\n")
    write(home / ".ssh" / "conf.d" / "10-a.conf", "Host ay\n  HostName a.lab\n")
    write(home / ".ssh" / "conf.d" / "skip.txt", "Host nope\n  HostName n.lab\n")
    elsewhere = write(tmp_path / "shared" / "lab.conf", "Host sea\n  HostName c.lab\n")
    write(home / "extra.conf", "Host dee\n  HostName d.lab\n")
    result = plan(
        home,
        f"""
        Include conf.d/*.conf
        Include "{elsewhere}" ~/extra.conf
        Include does/not/exist.conf
        Host last
            HostName last.lab
        """,
    )
    assert [p.name for p in result.profiles] == ["ay", "bee", "sea", "dee", "last"]
    config = read_ssh_config(home=home)
    assert config.files[0] == home / ".ssh" / "config" and len(config.files) == 5


def test_an_include_inside_a_host_block_keeps_that_block(home: Path) -> None:
    write(
        home / ".ssh" / "common.conf",
        """
        User from-include
        Host other
            HostName other.lab
            Port 2022
        """,
    )
    result = plan(
        home,
        """
        Host gpu
            HostName gpu.lab
            Include common.conf
            Port 2200
        IdentitiesOnly yes
        """,
    )
    profiles = by_name(result)
    gpu = profiles["gpu"]
    # the included file's own "Host other" block ended at the file's end
    assert (gpu.username, gpu.port) == ("from-include", 2200)
    assert profiles["other"].port == 2022 and profiles["other"].username == "localme"


def test_top_level_lines_after_an_include_are_global_again(home: Path) -> None:
    write(home / ".ssh" / "hosts.conf", "Host inner\n  HostName inner.lab\n")
    result = plan(
        home,
        """
        Include hosts.conf
        User everyone
        """,
    )
    assert by_name(result)["inner"].username == "everyone"


def test_include_cycles_and_depth_are_noted(home: Path) -> None:
    write(home / ".ssh" / "a.conf", "Include b.conf\nHost a\n  HostName a.lab\n")
    write(home / ".ssh" / "b.conf", "Include a.conf\nHost b\n  HostName b.lab\n")
    result = plan(home, "Include a.conf\n")
    assert sorted(p.name for p in result.profiles) == ["a", "b"]
    assert result.config_notes == (ConfigNote("include_cycle", str(home / ".ssh" / "a.conf")),)
    write(home / ".ssh" / "self.conf", "Include self.conf\n")
    deep = plan(home, "Include self.conf\n")
    assert [n.code for n in deep.config_notes] == ["include_cycle"]


def test_match_exec_is_never_run(home: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = plan(
        home,
        f"""
        Match exec "touch {marker}"
            User from-exec
        Match host gpu.lab
            Port 2201
        Match tagged x
            Port 9
        CanonicalizeHostname yes
        Host gpu
            HostName gpu.lab
        """,
    )
    assert not marker.exists()
    gpu = by_name(result)["gpu"]
    assert (gpu.username, gpu.port) == ("localme", 2201)
    assert [n.code for n in result.config_notes] == [
        "match_ignored",
        "match_ignored",
        "canonicalize_ignored",
    ]


def test_proxyjump_to_an_imported_host_refers_to_its_profile(home: Path) -> None:
    result = plan(
        home,
        """
        Host gpu
            HostName gpu.internal
            ProxyJump bastion
        Host bastion
            HostName bastion.lab.example.edu
            User gate
        Host direct
            HostName d.internal
            ProxyJump other@gw.example.edu:2022
        Host none
            HostName n.lab
            ProxyJump none
        """,
    )
    names = [p.name for p in result.profiles]
    assert names.index("bastion") < names.index("gpu")
    profiles = by_name(result)
    assert profiles["gpu"].jump == JumpHost(profile_id=profiles["bastion"].id)
    assert profiles["direct"].jump == JumpHost("gw.example.edu", 2022, "other")
    assert profiles["none"].jump is None


def test_proxyjump_to_a_host_not_imported_is_resolved_inline(home: Path) -> None:
    result = plan(
        home,
        """
        Host gpu
            HostName gpu.internal
            User alice
            ProxyJump bastion
        Host bastion
            HostName bastion.lab.example.edu
            Port 2200
        """,
        only=("gpu",),
    )
    assert [p.name for p in result.profiles] == ["gpu"]
    assert result.profiles[0].jump == JumpHost("bastion.lab.example.edu", 2200, "")


def test_proxyjump_to_an_existing_profile_reuses_it(home: Path) -> None:
    bastion = HostProfile("bastion", "bastion.lab", "alice")
    result = plan(
        home,
        """
        Host gpu
            HostName gpu.internal
            User alice
            ProxyJump bastion
        Host bastion
            HostName bastion.lab
            User alice
        """,
        existing=[bastion],
    )
    assert [p.name for p in result.profiles] == ["gpu"]
    assert result.profiles[0].jump == JumpHost(profile_id=bastion.id)
    assert SkippedHost("bastion", "exists") in result.skipped


def test_hosts_labtunnel_cannot_use_are_skipped_with_a_reason(home: Path) -> None:
    result = plan(
        home,
        """
        Host cmd
            ProxyCommand ssh -W %h:%p gw
        Host multi
            ProxyJump a,b
        Host badport
            Port http
        Host badjump
            ProxyJump user@:22
        Host loop1
            ProxyJump loop2
        Host loop2
            ProxyJump loop1
        Host weird
            HostName bad_host!name
        """,
        only=("cmd", "multi", "badport", "badjump", "loop1", "loop2", "weird", "missing"),
    )
    assert result.profiles == ()
    reasons = {s.alias: s.reason for s in result.skipped}
    assert reasons == {
        "missing": "not_found",
        "cmd": "proxy_command",
        "multi": "multi_hop_jump",
        "badport": "bad_port",
        "badjump": "bad_jump",
        "loop1": "jump_loop",
        "loop2": "jump_loop",
        "weird": "invalid",
    }
    for skipped in result.skipped:
        text = describe_skipped_host(skipped.alias, skipped.reason, skipped.detail).text
        assert skipped.alias in text and text.endswith(".") and "{" not in text


def test_unreadable_or_unparsable_config_is_a_typed_error(home: Path) -> None:
    with pytest.raises(SshConfigUnreadable) as caught:
        read_ssh_config(home=home)
    assert caught.value.path == str(home / ".ssh" / "config")
    write(home / ".ssh" / "config", "Host\n")
    with pytest.raises(SshConfigUnreadable):
        read_ssh_config(home=home)
    assert "config" in describe(caught.value).text


def test_apply_saves_jump_hosts_first(home: Path, tmp_path: Path) -> None:
    result = plan(
        home,
        """
        Host gpu
            HostName gpu.internal
            ProxyJump bastion
        Host bastion
            HostName bastion.lab
        """,
    )
    store = ProfileStore(tmp_path / "profiles.json")
    added = apply_ssh_import(
        ProfileLifecycle(store, MemorySecretStore(), RememberedServers(tmp_path / "state.json")),
        result,
    )
    assert ProfileStore(store.path).load() == added == list(result.profiles)
    again = plan_ssh_import(read_ssh_config(home=home), store.profiles(), default_user="me")
    assert again.profiles == ()
    assert {s.reason for s in again.skipped} == {"exists"}


def test_notes_have_sentences() -> None:
    for code in ("include_cycle", "include_too_deep", "include_unreadable", "match_ignored"):
        text = describe_import_note(code, "/x/y.conf").text
        assert "/x/y.conf" in text and text.endswith(".")
    text = describe_import_note("identity_file_missing", "/k/id", "gpu").text
    assert "gpu" in text and "/k/id" in text


def test_includes_deeper_than_openssh_allows_are_cut(home: Path) -> None:
    for level in range(20):
        write(
            home / ".ssh" / f"level{level}.conf",
            f"Include level{level + 1}.conf\nHost h{level}\n  HostName h{level}.lab\n",
        )
    result = plan(home, "Include level0.conf\n")
    assert [n.code for n in result.config_notes] == ["include_too_deep"]
    # like OpenSSH: the config is depth 0, includes go down to depth 16
    assert len(result.profiles) == 16
