"""`sinergi run`: database, keys, migrations, then the three services and the gateway as child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

SCHEMAS = ["gateway", "targeting", "programs", "reporting"]
# uvicorn ends a graceful stop by raising again the signal that asked for it.
GRACEFUL_EXITS = (0, -signal.SIGTERM)


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    factory: str
    port: int


def process_specs() -> list[ProcessSpec]:
    env = os.environ
    return [
        ProcessSpec("targeting", "targeting.main:create_app_from_env", int(env.get("TARGETING_PORT", "8001"))),
        ProcessSpec("programs", "programs.main:create_app_from_env", int(env.get("PROGRAMS_PORT", "8002"))),
        ProcessSpec("reporting", "reporting.main:create_app_from_env", int(env.get("REPORTING_PORT", "8003"))),
        ProcessSpec("gateway", "gateway.main:create_app_from_env", int(env.get("GATEWAY_PORT", "8000"))),
    ]


def uvicorn_command(spec: ProcessSpec, host: str, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", spec.factory, "--factory", "--host", host, "--port", str(spec.port),
        "--workers", str(workers), "--no-server-header", "--no-access-log", "--timeout-graceful-shutdown", "20",
        "--loop", "uvloop", "--http", "httptools",
    ]


def child_environment(database_url: str, private_key: str, public_key: str, host: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "JWT_PRIVATE_KEY_FILE": private_key,
        "JWT_PUBLIC_KEY_FILE": public_key,
    })
    for spec in process_specs():
        if spec.name != "gateway":
            env.setdefault(f"GATEWAY_{spec.name.upper()}_URL", f"http://{host}:{spec.port}")
            env.setdefault(f"{spec.name.upper()}_URL", f"http://{host}:{spec.port}")
        else:
            env.setdefault("REPORTING_TOKEN_URL", f"http://{host}:{spec.port}/api/v1/auth/token")
    return env


def wait_healthy(url: str, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def supervise(env: dict[str, str], host: str, workers: int, *, private: dict[str, dict[str, str]] | None = None) -> int:
    """Run the four processes, each with `env` plus `private[name]` for it alone (a client secret), until a
    signal or until one of them exits. 0 only when every process was stopped by us and stopped gracefully
    (requests in flight finished), so a service manager sees failures."""
    children: list[tuple[ProcessSpec, subprocess.Popen[bytes]]] = []
    stopping = False
    failed = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for spec in process_specs():
            # Own process groups: a terminal's Ctrl-C reaches only us, and we stop children in order.
            child = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                uvicorn_command(spec, host, workers), env=env | (private or {}).get(spec.name, {}),
                start_new_session=True
            )
            children.append((spec, child))
        gateway = next(s for s in process_specs() if s.name == "gateway")
        base = f"http://{host}:{gateway.port}"
        if wait_healthy(f"{base}/health"):
            print(f"\nSinergi is up: API {base}/api/v1, docs {base}/docs, health {base}/health", flush=True)
            print("Create a client: .venv/bin/sinergi client create <id> --region 18 --scope \"registry:read\"",
                  flush=True)
        else:
            print("The gateway did not become healthy; see the logs above.", file=sys.stderr, flush=True)
            stopping = failed = True
        while not stopping:
            for spec, child in children:
                if child.poll() is not None:
                    print(f"{spec.name} exited with {child.returncode}; stopping.", file=sys.stderr, flush=True)
                    stopping = failed = True
            time.sleep(0.3)
    finally:
        # The gateway first, so no new request reaches a service that is going away.
        for spec, child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
                if child.returncode not in GRACEFUL_EXITS:
                    print(f"{spec.name} did not stop gracefully ({child.returncode}).", file=sys.stderr, flush=True)
                    failed = True
    return 1 if failed else 0
