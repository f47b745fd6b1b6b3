"""The real processes, started as `sinergi run` starts them, on the test database: what a deployment sees.

Two stacks. One is `sinergi run` itself (health, tokens, pass-through, refusal without a token, and
SIGTERM stopping every child). The other is started here from the runner's own command and environment,
so single processes can be killed and restarted, with a stand-in service that never answers in time.

A request is held in flight by an exclusive lock on targeting.region taken by the test: reading a region
then waits in the database for as long as the test holds the lock, with no test-only code in a service.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psycopg
import pytest

from gateway.clients.keys import generate_keypair
from sinergi.runner import ProcessSpec, child_environment, uvicorn_command, wait_healthy
from tests.support import assert_problem

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SINERGI = str(Path(sys.executable).with_name("sinergi"))
UPSTREAM_TIMEOUT_SECONDS = "1"
# Variables of the developer's own shell that would steer the processes elsewhere.
FOREIGN = ("GATEWAY_", "TARGETING_", "PROGRAMS_", "REPORTING_", "JWT_")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def clean_environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
    env.update(overrides)
    return env


def stop(process: subprocess.Popen[bytes], *, grace: float = 10.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == parent:
                found.append(int(entry.name))
    return found


def eventually(condition: Callable[[], bool], *, within: float = 20.0) -> bool:
    """Whether `condition` comes true within the bound; a bound on waiting, not a timed assertion."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def refuses_connections(url: str) -> bool:
    address = urlparse(url)
    try:
        with socket.create_connection((address.hostname, address.port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


@contextmanager
def region_table_locked(database_url: str) -> Iterator[psycopg.Connection]:
    """Reading a region waits while this is held; `rollback()` on the connection lets it through."""
    with psycopg.connect(database_url) as connection:
        connection.execute("LOCK TABLE targeting.region IN ACCESS EXCLUSIVE MODE")
        try:
            yield connection
        finally:
            connection.rollback()


def waiting_for_the_lock(database_url: str, application: str) -> bool:
    with psycopg.connect(database_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s "
            "AND wait_event_type = 'Lock'", (application,)).fetchone()
    return bool(row and row[0])


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("keys")
    private, public = generate_keypair()
    (directory / "private.pem").write_text(private)
    (directory / "public.pem").write_text(public)
    return {"JWT_PRIVATE_KEY_FILE": str(directory / "private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(directory / "public.pem")}


def token_from(gateway: str, credentials: dict[str, str]) -> str:
    response = httpx.post(f"{gateway}/api/v1/auth/token", data=credentials, timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@dataclass
class Processes:
    """Processes started from the runner's command line and environment, by name."""

    env: dict[str, str]
    logs: Path
    specs: dict[str, ProcessSpec] = field(default_factory=dict)
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://{HOST}:{self.specs[name].port}"

    def start(self, spec: ProcessSpec) -> None:
        self.specs[spec.name] = spec
        with (self.logs / f"{spec.name}.log").open("ab") as log:
            self.running[spec.name] = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                uvicorn_command(spec, HOST, 1), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_healthy(self, name: str) -> None:
        if not wait_healthy(self.url(name) + "/health", timeout=60):
            log = (self.logs / f"{name}.log").read_text()[-2000:]
            pytest.fail(f"{name} did not become healthy:\n{log}")

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.kill()
        process.wait()

    def stop_all(self) -> None:
        if "slow" in self.running:
            # The stand-in still holds the request it never answered: a graceful stop would wait for it.
            self.kill("slow")
        for process in reversed(list(self.running.values())):
            stop(process, grace=10.0)
        self.running.clear()


@dataclass
class SinergiRun:
    process: subprocess.Popen[bytes]
    gateway: str
    targeting: str
    programs: str


@dataclass
class System:
    run: SinergiRun
    own: Processes
    credentials: dict[str, str]


@pytest.fixture(scope="module")
def system(database_url: str, keys: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """Everything starts at once, so the start-up work of the processes overlaps."""
    logs = tmp_path_factory.mktemp("logs")
    specs = [
        ProcessSpec("targeting", "targeting.main:create_app_from_env", free_port()),
        ProcessSpec("programs", "programs.main:create_app_from_env", free_port()),
        ProcessSpec("slow", "tests.system.slow_service:create_app", free_port()),
        ProcessSpec("gateway", "gateway.main:create_app_from_env", free_port()),
    ]
    ports = {s.name: s.port for s in specs}
    runner_env = child_environment(database_url, keys["JWT_PRIVATE_KEY_FILE"], keys["JWT_PUBLIC_KEY_FILE"], HOST)
    own = Processes(env={k: v for k, v in runner_env.items() if not k.startswith(FOREIGN)} | keys | {
        # The gateway's reporting upstream is the stand-in that never answers in time.
        "GATEWAY_TARGETING_URL": f"http://{HOST}:{ports['targeting']}",
        "GATEWAY_PROGRAMS_URL": f"http://{HOST}:{ports['programs']}",
        "GATEWAY_REPORTING_URL": f"http://{HOST}:{ports['slow']}",
        "GATEWAY_UPSTREAM_TIMEOUT_SECONDS": UPSTREAM_TIMEOUT_SECONDS,
    }, logs=logs)
    run_ports = {name: free_port() for name in ("GATEWAY_PORT", "TARGETING_PORT", "PROGRAMS_PORT", "REPORTING_PORT")}
    # No demo seed: other tests count what is in this database.
    run_env = clean_environment(DATABASE_URL=database_url, PYTHONUNBUFFERED="1", SINERGI_SEED_HOUSEHOLDS="0", **keys,
                                **{k: str(v) for k, v in run_ports.items()})
    run_log = logs / "sinergi-run.log"
    # A client registered the way an operator does it: `sinergi client create` on the database.
    client_create = subprocess.Popen(  # noqa: S603 - our own console script
        [SINERGI, "client", "create", f"system-{os.getpid()}", "--region", "18", "--scope",
         "registry:read reports:read"],
        env=clean_environment(DATABASE_URL=database_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    run_process: subprocess.Popen[bytes] | None = None
    children: list[int] = []
    try:
        with run_log.open("ab") as sink:
            run_process = subprocess.Popen(  # noqa: S603 - our own console script
                [SINERGI, "run"], cwd=ROOT, env=run_env, stdout=sink, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for spec in specs:
            own.start(spec)
        out, err = client_create.communicate(timeout=120)
        assert client_create.returncode == 0, err
        created = json.loads(out)
        run = SinergiRun(run_process, *(f"http://{HOST}:{run_ports[k]}" for k in
                                        ("GATEWAY_PORT", "TARGETING_PORT", "PROGRAMS_PORT")))
        for url in (run.targeting, run.programs, run.gateway):
            if not wait_healthy(url + "/health", timeout=90):
                pytest.fail(f"sinergi run did not come up:\n{run_log.read_text()[-2000:]}")
        children = children_of(run_process.pid)
        for spec in specs:
            own.wait_healthy(spec.name)
        yield System(run=run, own=own, credentials={
            "grant_type": "client_credentials", "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        })
    finally:
        if client_create.poll() is None:
            client_create.kill()
            client_create.communicate()
        own.stop_all()
        if run_process is not None:
            stop(run_process, grace=30.0)
        for pid in children:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def sinergi_run(system: System) -> SinergiRun:
    return system.run


@pytest.fixture(scope="module")
def own(system: System) -> Processes:
    return system.own


@pytest.fixture(scope="module")
def credentials(system: System) -> dict[str, str]:
    return system.credentials


class TestSinergiRun:
    def test_health_is_green_for_every_service(self, sinergi_run):
        response = httpx.get(f"{sinergi_run.gateway}/health", timeout=10)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert {name: s["status"] for name, s in body["services"].items()} == {
            "targeting": "ok", "programs": "ok", "reporting": "ok"}

    def test_a_client_created_with_the_cli_reads_through_the_gateway(self, sinergi_run, credentials):
        token = token_from(sinergi_run.gateway, credentials)
        response = httpx.get(f"{sinergi_run.gateway}/api/v1/regions/18", timeout=10,
                             headers={"Authorization": f"Bearer {token}", "X-Request-ID": "system-1"})
        assert response.status_code == 200, response.text
        assert response.json()["code"] == "18"
        assert response.headers["x-request-id"] == "system-1"

    @pytest.mark.parametrize("via", ["gateway", "targeting"])
    def test_without_a_token_is_401_at_the_gateway_and_at_the_service(self, sinergi_run, via):
        response = httpx.get(f"{getattr(sinergi_run, via)}/api/v1/regions/18", timeout=10)
        assert_problem(response, 401, "unauthorized")

    def test_the_reporting_service_follows_both_feeds_as_its_own_client(self, sinergi_run, credentials):
        """`sinergi run` provisions the consumer's client; its read models reach the feeds' heads."""
        headers = {"Authorization": f"Bearer {token_from(sinergi_run.gateway, credentials)}"}
        deadline, feeds = time.monotonic() + 60, {}
        while time.monotonic() < deadline:
            response = httpx.get(f"{sinergi_run.gateway}/api/v1/reports/freshness", headers=headers, timeout=10)
            assert response.status_code == 200, response.text
            feeds = {f["feed"]: f for f in response.json()["feeds"]}
            if all(f["state"] == "current" for f in feeds.values()):
                break
            time.sleep(0.5)
        assert {name: f["state"] for name, f in feeds.items()} == {"registry": "current", "programs": "current"}, feeds
        head = httpx.get(f"{sinergi_run.gateway}/api/v1/feeds/registry", params={"limit": 1}, headers=headers,
                         timeout=10).json()["head"]
        assert feeds["registry"]["position"] <= head and feeds["registry"]["source_head"] <= head

    def test_sigterm_lets_requests_in_flight_finish_refuses_new_ones_and_stops_every_child(
            self, sinergi_run, credentials, database_url):
        """Last in this class: it ends the stack the others used."""
        children = children_of(sinergi_run.process.pid)
        assert len(children) == 4
        bearer = {"Authorization": f"Bearer {token_from(sinergi_run.gateway, credentials)}"}
        with ThreadPoolExecutor(1) as pool, region_table_locked(database_url) as lock:
            in_flight = pool.submit(httpx.get, f"{sinergi_run.gateway}/api/v1/regions/18", headers=bearer, timeout=60)
            assert eventually(lambda: waiting_for_the_lock(database_url, "targeting"))

            sinergi_run.process.send_signal(signal.SIGTERM)
            assert eventually(lambda: refuses_connections(sinergi_run.gateway))
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"{sinergi_run.gateway}/api/v1/regions/18", headers=bearer, timeout=10)
            # Still waiting for its request: nothing has cut it off.
            assert not in_flight.done() and sinergi_run.process.poll() is None

            lock.rollback()
            response = in_flight.result(timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["code"] == "18"
        assert sinergi_run.process.wait(timeout=60) == 0
        assert eventually(lambda: not any(alive(pid) for pid in children), within=10)


class TestFailures:
    def test_a_killed_service_is_502_while_tokens_and_other_services_still_work(self, own, credentials):
        token = token_from(own.url("gateway"), credentials)
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{own.url('gateway')}/api/v1/regions/18", headers=bearer, timeout=10).status_code == 200

        own.kill("targeting")
        try:
            down = httpx.get(f"{own.url('gateway')}/api/v1/regions/18", headers=bearer, timeout=10)
            body = assert_problem(down, 502, "upstream-unavailable")
            assert "targeting" in body["detail"]
            assert token_from(own.url("gateway"), credentials)
            assert httpx.get(f"{own.url('programs')}/health", timeout=10).status_code == 200
            health = httpx.get(f"{own.url('gateway')}/health", timeout=10).json()
            assert health["services"]["targeting"]["status"] == "unavailable"
            assert health["services"]["programs"]["status"] == "ok"
        finally:
            own.start(own.specs["targeting"])
            own.wait_healthy("targeting")

        recovered = httpx.get(f"{own.url('gateway')}/api/v1/regions/18", headers=bearer, timeout=10)
        assert recovered.status_code == 200, recovered.text

    def test_a_service_slower_than_the_upstream_timeout_is_504(self, own, credentials):
        token = token_from(own.url("gateway"), credentials)
        # The stand-in answers after a minute and the gateway's default timeout is 30 s: only the
        # configured timeout can produce a 504 before this client gives up.
        response = httpx.get(f"{own.url('gateway')}/api/v1/reports/coverage", timeout=20,
                             headers={"Authorization": f"Bearer {token}"})
        body = assert_problem(response, 504, "upstream-timeout")
        assert "reporting" in body["detail"]

    def test_a_service_stopped_with_sigterm_finishes_its_request_in_flight_and_refuses_new_ones(
            self, own, credentials, database_url):
        bearer = {"Authorization": f"Bearer {token_from(own.url('gateway'), credentials)}"}
        region = f"{own.url('gateway')}/api/v1/regions/18"
        targeting = own.running.pop("targeting")
        try:
            with ThreadPoolExecutor(1) as pool, region_table_locked(database_url) as lock:
                # Straight to the service: this gateway gives up on an upstream after UPSTREAM_TIMEOUT_SECONDS.
                in_flight = pool.submit(httpx.get, f"{own.url('targeting')}/api/v1/regions/18", headers=bearer,
                                        timeout=60)
                assert eventually(lambda: waiting_for_the_lock(database_url, "targeting"))

                targeting.send_signal(signal.SIGTERM)
                assert eventually(lambda: refuses_connections(own.url("targeting")))
                refused = httpx.get(region, headers=bearer, timeout=10)
                assert_problem(refused, 502, "upstream-unavailable")
                assert not in_flight.done() and targeting.poll() is None

                lock.rollback()
                response = in_flight.result(timeout=30)
            assert response.status_code == 200, response.text
            assert response.json()["code"] == "18"
            # uvicorn ends a graceful stop by raising again the signal it caught: "stopped by SIGTERM".
            assert targeting.wait(timeout=30) == -signal.SIGTERM
            assert "Application shutdown complete" in (own.logs / "targeting.log").read_text()
        finally:
            if targeting.poll() is None:
                targeting.kill()
                targeting.wait()
            own.start(own.specs["targeting"])
            own.wait_healthy("targeting")

        assert httpx.get(region, headers=bearer, timeout=10).status_code == 200
