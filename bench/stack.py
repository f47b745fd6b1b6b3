"""What a benchmark runs against, all on 127.0.0.1: a throw-away database, a key pair, processes started
the way `sinergi run` starts them (same uvicorn options), API clients and their tokens."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from gateway.clients.keys import generate_keypair
from kit.migrations import upgrade
from sinergi.embedded import DATA_DIR, drop_database, ensure_database, start_embedded
from sinergi.runner import SCHEMAS, ProcessSpec, child_environment, uvicorn_command, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Database:
    url: str
    name: str
    where: str
    pgdata: Path | None

    def server_pids(self) -> list[int]:
        """Processes doing this database's work: the whole embedded server (its postmaster also carries the
        CPU time of backends that have exited), or on a shared server the backends connected to it."""
        if self.pgdata is not None:
            postmaster = _find_process(lambda argv: argv[:1] != [] and argv[0].endswith("/postgres")
                                       and str(self.pgdata) in argv)
            return [postmaster, *_children_of(postmaster)] if postmaster else []
        return [pid for pid, argv in _processes() if argv[:1] and argv[0].startswith("postgres: ")
                and f" {self.name} " in argv[0]]


def _bench_server() -> tuple[str, str, Path | None]:
    """(server URL, where it is, embedded data folder): DATABASE_URL's server, or an embedded one in .data/bench-pg."""
    server_url = os.environ.get("DATABASE_URL")
    if server_url:
        return server_url, "the PostgreSQL server at DATABASE_URL", None
    pgdata = DATA_DIR / "bench-pg"
    _server, server_url = start_embedded(pgdata)
    return server_url, "embedded PostgreSQL (.data/bench-pg)", pgdata


@contextmanager
def throwaway_database() -> Iterator[Database]:
    """A fresh, migrated database on the bench server; dropped afterwards."""
    server_url, where, pgdata = _bench_server()
    name = f"sinergi_bench_{uuid.uuid4().hex[:8]}"
    url = ensure_database(server_url, name, fresh=True)
    try:
        upgrade(SCHEMAS, url)
        yield Database(url=url, name=name, where=f"{where}, {_server_version(url)}", pgdata=pgdata)
    finally:
        drop_database(server_url, name)


@contextmanager
def kept_database(name: str) -> Iterator[Database]:
    """Database `name` on the bench server, created when missing and migrated to head, and kept afterwards: for
    data too dear to make on every run (a filled registry)."""
    server_url, where, pgdata = _bench_server()
    url = ensure_database(server_url, name)
    upgrade(SCHEMAS, url)
    yield Database(url=url, name=name, where=f"{where}, {_server_version(url)}", pgdata=pgdata)


def _server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0].split()[0]}" if row else "PostgreSQL"


def _processes() -> Iterator[tuple[int, list[str]]]:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            yield int(entry.name), [a for a in argv if a]


def _find_process(matches) -> int | None:  # type: ignore[no-untyped-def]
    return next((pid for pid, argv in _processes() if matches(argv)), None)


def _children_of(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                children.append(int(entry.name))
    return children


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Process:
    name: str
    url: str
    popen: subprocess.Popen[bytes]
    log: Path


class Stack:
    """Child processes of one benchmark; every one is stopped when the `with` block ends, however it ends."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.workdir = Path(tempfile.mkdtemp(prefix="sinergi-bench-"))
        private, public = generate_keypair()
        self.private_key, self.public_key = self.workdir / "jwt-private.pem", self.workdir / "jwt-public.pem"
        self.private_key.touch(mode=0o600)
        self.private_key.write_text(private)
        self.public_key.write_text(public)
        self.processes: dict[str, Process] = {}

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def environment(self, **overrides: str) -> dict[str, str]:
        env = child_environment(self.database_url, str(self.private_key), str(self.public_key), HOST)
        env.update(overrides)
        return env

    def start(self, name: str, factory: str, *, health: str = "/health", **env: str) -> str:
        """Start `factory` under uvicorn as `sinergi run` would; return its base URL once it answers."""
        port = free_port()
        url = f"http://{HOST}:{port}"
        log = self.workdir / f"{name}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                uvicorn_command(ProcessSpec(name, factory, port), HOST, 1),
                cwd=ROOT, env=self.environment(**env), stdout=sink, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = Process(name, url, popen, log)
        if not wait_healthy(url + health, timeout=60):
            self.close()
            raise RuntimeError(f"{name} did not start; its log: {log}")
        return url

    def pid(self, name: str) -> int:
        return self.processes[name].popen.pid

    def pids(self) -> list[int]:
        return [p.popen.pid for p in self.processes.values() if p.popen.poll() is None]

    def close(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()
        self.processes.clear()

    def token(self, gateway_url: str, *, client_id: str, region: str = "18", scopes: str = "registry:read") -> str:
        """Register a client in the database and obtain its token from the gateway, as an integrator would."""
        return self.issue_token(gateway_url, client_id, self.create_client(client_id, region=region, scopes=scopes))

    def create_client(self, client_id: str, *, region: str = "18", scopes: str = "registry:read") -> str:
        """Register a client as `sinergi client create` does; returns its secret."""
        return asyncio.run(_create_client(self.database_url, client_id, region, scopes))

    def issue_token(self, gateway_url: str, client_id: str, secret: str) -> str:
        response = httpx.post(f"{gateway_url}/api/v1/auth/token", timeout=10, data={
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        })
        response.raise_for_status()
        return str(response.json()["access_token"])


async def _create_client(database_url: str, client_id: str, region: str, scopes: str) -> str:
    from gateway.clients.repository import ClientRepository
    from gateway.clients.service import ClientService
    from kit.database import create_engine, create_sessionmaker

    engine = create_engine(database_url, application_name="bench")
    try:
        async with create_sessionmaker(engine)() as session:
            created = await ClientService(ClientRepository(session)).create(client_id, region=region, scopes=scopes)
            await session.commit()
            return created.client_secret
    finally:
        await engine.dispose()
