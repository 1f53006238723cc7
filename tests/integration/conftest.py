from __future__ import annotations

from pathlib import Path

import pytest
from tests.harness import LabServer

from labtunnel.core.profiles.model import AuthMethod
from labtunnel.core.ssh.hostkeys import HostKeyStore, host_entry_name
from labtunnel.core.ssh.session import SshEndpoint


def known_hosts_text(lab: LabServer) -> str:
    lines = [
        f"{host_entry_name(lab.host, lab.port)} {line}" for line in lab.host_public_keys.values()
    ]
    lines += [
        f"{host_entry_name(lab.jump_target_host, lab.jump_target_port)} {line}"
        for line in lab.jump_target_public_keys.values()
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def trusted_hostkeys(tmp_path: Path, lab_server: LabServer) -> HostKeyStore:
    """A host key store that already trusts the lab server and its jump target."""
    path = tmp_path / "known_hosts"
    path.write_text(known_hosts_text(lab_server))
    return HostKeyStore(path)


@pytest.fixture
def endpoint(lab_server: LabServer) -> SshEndpoint:
    return SshEndpoint(
        host=lab_server.host,
        port=lab_server.port,
        username=lab_server.user.name,
        auth=AuthMethod.PASSWORD,
        connect_timeout=10,
    )
