from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtunnel.core.errors import (
    ProfileFileUnwritable,
    ProfileInvalid,
    ProfileNotFound,
    ProfileStoreCorrupt,
    ProfileStoreLocked,
    ProfileStoreTooNew,
)
from labtunnel.core.profiles.model import HostProfile
from labtunnel.core.profiles.store import SCHEMA_VERSION, ProfileStore


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    store = ProfileStore(tmp_path / "cfg" / "profiles.json")
    store.load()
    return store


def test_missing_file_is_an_empty_store(store: ProfileStore) -> None:
    assert store.profiles() == []
    assert not store.path.exists()


def test_add_get_update_remove_persist(store: ProfileStore) -> None:
    lab = store.add(HostProfile("lab", "gpu.example.org", "alice"))
    again = ProfileStore(store.path)
    assert again.load() == [lab]
    assert again.get("LAB") == lab
    assert again.get(lab.id) == lab
    renamed = again.update(lab.with_changes(name="GPU lab"))
    assert ProfileStore(store.path).get(lab.id).name == "GPU lab"
    again.remove(renamed.id)
    assert ProfileStore(store.path).load() == []
    with pytest.raises(ProfileNotFound):
        again.get("lab")


@pytest.mark.posix
def test_file_is_private_and_versioned(store: ProfileStore) -> None:
    store.add(HostProfile("lab", "gpu", "alice"))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    data = json.loads(store.path.read_text())
    assert data["schema"] == SCHEMA_VERSION
    assert data["profiles"][0]["name"] == "lab"


def test_invalid_profile_is_refused_and_nothing_written(store: ProfileStore) -> None:
    store.add(HostProfile("lab", "gpu", "alice"))
    before = store.path.read_bytes()
    with pytest.raises(ProfileInvalid):
        store.add(HostProfile("Lab", "gpu2", "bob"))
    assert store.path.read_bytes() == before


def test_corrupt_file_is_kept_copied_and_saving_refused(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    path.write_text('{"schema": 1, "profiles": [ {"id": "x"')
    store = ProfileStore(path)
    with pytest.raises(ProfileStoreCorrupt) as caught:
        store.load()
    assert caught.value.backup_path is not None
    assert Path(caught.value.backup_path).read_bytes() == path.read_bytes()
    with pytest.raises(ProfileStoreLocked):
        store.add(HostProfile("lab", "gpu", "alice"))
    assert path.read_text() == '{"schema": 1, "profiles": [ {"id": "x"'


def test_a_bad_profile_inside_valid_json_is_reported_by_index(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps({"schema": 1, "profiles": [{"id": "1", "name": "x"}]}))
    with pytest.raises(ProfileStoreCorrupt, match="profile 1"):
        ProfileStore(path).load()


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    text = json.dumps({"schema": SCHEMA_VERSION + 1, "profiles": [], "new_thing": True})
    path.write_text(text)
    store = ProfileStore(path)
    with pytest.raises(ProfileStoreTooNew) as caught:
        store.load()
    assert caught.value.found_version == SCHEMA_VERSION + 1
    with pytest.raises(ProfileStoreLocked):
        store.update_settings({"language": "zh_CN"})
    assert path.read_text() == text


def test_failed_write_leaves_the_old_file_and_no_temp(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add(HostProfile("lab", "gpu", "alice"))
    before = store.path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)  # the one atomic writes call
    with pytest.raises(ProfileFileUnwritable):
        store.add(HostProfile("lab2", "gpu", "alice"))
    assert store.path.read_bytes() == before
    assert sorted(os.listdir(store.path.parent)) == ["profiles.json"]
    assert [p.name for p in store.profiles()] == ["lab"]


def test_settings_survive_profile_changes(store: ProfileStore) -> None:
    store.update_settings({"language": "zh_CN"})
    store.add(HostProfile("lab", "gpu", "alice"))
    assert ProfileStore(store.path).settings() == {"language": "zh_CN"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
profile_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.just("abc"),
        "name": json_values | st.just("lab"),
        "host": json_values | st.just("gpu"),
        "username": json_values | st.just("alice"),
        "port": json_values | st.integers(-5, 70000),
        "auth": json_values | st.sampled_from(["password", "key", "agent"]),
        "target": json_values | st.just({"kind": "remote", "host": "h", "port": 1}),
        "jump": json_values,
        "pinned_fingerprints": json_values,
    },
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    document=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"schema": st.just(1), "profiles": st.lists(profile_like, max_size=3)}
        ),
        st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
    )
)
def test_loader_fuzz_only_ever_loads_or_reports(tmp_path: Path, document: object) -> None:
    path = tmp_path / "fuzz.json"
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    store = ProfileStore(path)
    try:
        profiles = store.load()
    except (ProfileStoreCorrupt, ProfileStoreTooNew):
        assert path.read_bytes() == text.encode("utf-8", "surrogatepass")
    else:
        assert all(isinstance(p, HostProfile) for p in profiles)
    for leftover in tmp_path.glob("fuzz.json.unreadable-*"):
        leftover.unlink()
