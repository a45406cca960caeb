"""A real SFTP server on 127.0.0.1 for tests and benchmarks: Debian's OpenSSH ``sshd`` in the
foreground, on a port of its own, with a fresh host key and one client key, serving the
``internal-sftp`` subsystem. Installs ``openssh-server`` where it is missing (root, Debian)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")


@dataclass
class SftpServer:
    host: str
    port: int
    user: str
    key_file: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def connection_uri(self) -> str:
        """An Airflow connection (``AIRFLOW_CONN_<ID>``) for the SFTP provider."""
        import json

        extra = json.dumps({"key_file": str(self.key_file), "no_host_key_check": "true"})
        from urllib.parse import quote

        return (f"sftp://{self.user}@{self.host}:{self.port}/?__extra__={quote(extra)}")


def ensure_sshd() -> None:
    if SSHD.exists():
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise RuntimeError("OpenSSH's sshd is missing: apt-get install openssh-server")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-q", "openssh-server"], check=True, env=env,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(work: Path) -> SftpServer:
    """sshd with its own keys and config under ``work``; the current user logs in by key."""
    ensure_sshd()
    work.mkdir(parents=True, exist_ok=True)
    host_key, client_key = work / "host_ed25519", work / "client_ed25519"
    for key in (host_key, client_key):
        if not key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                           check=True)  # fmt: skip
    (work / "authorized_keys").write_text((work / "client_ed25519.pub").read_text())
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    port = _free_port()
    config = work / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
        f"AuthorizedKeysFile {work / 'authorized_keys'}\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\n"
        f"PidFile {work / 'sshd.pid'}\nSubsystem sftp internal-sftp\nMaxSessions 64\n"
        "MaxStartups 64\nLogLevel ERROR\n"
    )
    process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None:
            raise RuntimeError(f"sshd stopped at start (exit {process.returncode})")
        time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("sshd did not listen within 15 s")
    import getpass

    return SftpServer("127.0.0.1", port, getpass.getuser(), client_key, process)
