"""One profile lifecycle: secrets and remembered state go and come with their profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from labtunnel.core.errors import ProfileInvalid, SecretStoreLocked, SecretStoreUnavailable
from labtunnel.core.profiles.lifecycle import NewProfile, ProfileLifecycle
from labtunnel.core.profiles.model import HostProfile
from labtunnel.core.profiles.remembered import RememberedServer, RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.store import ProfileStore

PASSWORD = SecretKind.PASSWORD


class FailingStore(ProfileStore):
    """Fails the n-th write (add/update/remove), like a full disk."""

    def __init__(self, path: Path, fail_on: int) -> None:
        super().__init__(path)
        self.writes = 0
        self.fail_on = fail_on

    def _count(self) -> None:
        self.writes += 1
        if self.writes == self.fail_on:
            raise OSError("disk full")

    def add(self, profile: HostProfile, check_files: bool = True) -> HostProfile:
        self._count()
        return super().add(profile, check_files)

    def update(self, profile: HostProfile, check_files: bool = True) -> HostProfile:
        self._count()
        return super().update(profile, check_files)

    def remove(self, profile_id: str) -> HostProfile:
        self._count()
        return super().remove(profile_id)


class BrokenKeyring(MemorySecretStore):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get(self, profile_id: str, kind: SecretKind) -> str | None:
        raise self.error

    def delete(self, profile_id: str, kind: SecretKind) -> None:
        raise self.error


def profile(name: str = "gpu") -> HostProfile:
    return HostProfile(name=name, host=f"{name}.lab.example", username="ada")


def lifecycle_with(
    tmp_path: Path, store: ProfileStore | None = None, secrets: MemorySecretStore | None = None
) -> tuple[ProfileLifecycle, ProfileStore, MemorySecretStore, RememberedServers]:
    store = store or ProfileStore(tmp_path / "profiles.json")
    secrets = secrets if secrets is not None else MemorySecretStore()
    remembered = RememberedServers(tmp_path / "state.json")
    return ProfileLifecycle(store, secrets, remembered), store, secrets, remembered


def test_add_saves_profile_and_secret(tmp_path: Path) -> None:
    lifecycle, store, secrets, _ = lifecycle_with(tmp_path)
    saved = lifecycle.add(profile(), {PASSWORD: "pw-1"})
    assert ProfileStore(store.path).load() == [saved]
    assert secrets.get(saved.id, PASSWORD) == "pw-1"
    assert lifecycle.has_secret(saved.id, PASSWORD)


def test_an_add_that_fails_leaves_no_secret(tmp_path: Path) -> None:
    store = FailingStore(tmp_path / "profiles.json", fail_on=1)
    lifecycle, _, secrets, _ = lifecycle_with(tmp_path, store)
    with pytest.raises(OSError):
        lifecycle.add(profile(), {PASSWORD: "pw-1"})
    assert ProfileStore(store.path).load() == []
    assert secrets._items == {}


def test_an_invalid_profile_writes_no_secret(tmp_path: Path) -> None:
    lifecycle, _, secrets, _ = lifecycle_with(tmp_path)
    with pytest.raises(ProfileInvalid):
        lifecycle.add(HostProfile(name="", host="", username=""), {PASSWORD: "pw-1"})
    assert secrets._items == {}


def test_adding_several_is_all_or_nothing(tmp_path: Path) -> None:
    store = FailingStore(tmp_path / "profiles.json", fail_on=2)
    lifecycle, _, secrets, _ = lifecycle_with(tmp_path, store)
    new = [NewProfile(profile("gpu"), {PASSWORD: "a"}), NewProfile(profile("gw"), {PASSWORD: "b"})]
    with pytest.raises(OSError):
        lifecycle.add_all(new)
    assert ProfileStore(store.path).load() == []
    assert secrets._items == {}


def test_an_update_that_fails_puts_the_old_secret_back(tmp_path: Path) -> None:
    store = FailingStore(tmp_path / "profiles.json", fail_on=2)
    lifecycle, _, secrets, _ = lifecycle_with(tmp_path, store)
    saved = lifecycle.add(profile(), {PASSWORD: "old"})
    with pytest.raises(OSError):
        lifecycle.update(saved.with_changes(port=2222), {PASSWORD: "new"})
    assert secrets.get(saved.id, PASSWORD) == "old"
    assert ProfileStore(store.path).load() == [saved]


def test_an_update_that_fails_removes_a_secret_that_was_not_there(tmp_path: Path) -> None:
    store = FailingStore(tmp_path / "profiles.json", fail_on=2)
    lifecycle, _, secrets, _ = lifecycle_with(tmp_path, store)
    saved = lifecycle.add(profile())
    with pytest.raises(OSError):
        lifecycle.update(saved, {SecretKind.PASSPHRASE: "new"})
    assert secrets.get(saved.id, SecretKind.PASSPHRASE) is None


def test_rename_keeps_secrets_and_remembered_state(tmp_path: Path) -> None:
    lifecycle, store, secrets, remembered = lifecycle_with(tmp_path)
    saved = lifecycle.add(profile(), {PASSWORD: "pw-1"})
    remembered.remember_local_port(saved.id, 8123)
    renamed = lifecycle.rename(saved.id, "  GPU server  ")
    assert renamed.name == "GPU server" and renamed.id == saved.id
    assert ProfileStore(store.path).load() == [renamed]
    assert secrets.get(saved.id, PASSWORD) == "pw-1"
    assert RememberedServers(remembered.path).local_port(saved.id) == 8123


def test_remove_takes_secrets_and_remembered_state_with_it(tmp_path: Path) -> None:
    lifecycle, store, secrets, remembered = lifecycle_with(tmp_path)
    gone = lifecycle.add(profile("gpu"), {PASSWORD: "pw-1", SecretKind.PASSPHRASE: "pp"})
    kept = lifecycle.add(profile("cpu"), {PASSWORD: "pw-2"})
    for each in (gone, kept):
        remembered.remember(each.id, RememberedServer(pid=42, port=8888, started_at=1.0))
        remembered.remember_local_port(each.id, 8123)
    assert lifecycle.remove(gone.id) == gone
    assert ProfileStore(store.path).load() == [kept]
    assert secrets._items == {(kept.id, PASSWORD): "pw-2"}
    reread = RememberedServers(remembered.path)
    assert reread.get(gone.id) is None and reread.local_port(gone.id) is None
    assert reread.get(kept.id) is not None and reread.local_port(kept.id) == 8123


def test_a_locked_keyring_leaves_the_profile_as_it_is(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    saved = store.add(profile())
    lifecycle, _, _, _ = lifecycle_with(tmp_path, store, BrokenKeyring(SecretStoreLocked("x")))
    with pytest.raises(SecretStoreLocked):
        lifecycle.remove(saved.id)
    assert ProfileStore(store.path).load() == [saved]


def test_without_any_keyring_a_profile_can_still_be_removed(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    saved = store.add(profile())
    keyring = BrokenKeyring(SecretStoreUnavailable("none", "no keyring backend"))
    lifecycle, _, _, _ = lifecycle_with(tmp_path, store, keyring)
    lifecycle.remove(saved.id)
    assert ProfileStore(store.path).load() == []


def test_a_remove_that_fails_puts_the_secrets_back(tmp_path: Path) -> None:
    store = FailingStore(tmp_path / "profiles.json", fail_on=2)
    lifecycle, _, secrets, _ = lifecycle_with(tmp_path, store)
    saved = lifecycle.add(profile(), {PASSWORD: "pw-1"})
    with pytest.raises(OSError):
        lifecycle.remove(saved.id)
    assert secrets.get(saved.id, PASSWORD) == "pw-1"
    assert ProfileStore(store.path).load() == [saved]
