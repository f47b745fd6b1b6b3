"""Load generation with wrk (a C load generator, so the load tool does not compete with the Python under
test the way a Python client would), and how much of the CPU the run left to everything else."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# wrk calls done() once at the end; printing JSON avoids parsing its human-readable units.
_REPORT_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d,'
    .. ' "non_2xx_3xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""

MISSING_WRK = """\
The benchmarks measure with wrk, which is not installed here.
  Debian/Ubuntu: apt-get install wrk      macOS: brew install wrk
wrk is a load generator written in C: it keeps the load tool from competing for the CPU with the Python
processes under test, which a Python load generator on the same machine would do."""


class LoadToolMissingError(RuntimeError):
    pass


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise LoadToolMissingError(MISSING_WRK)
    return path


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    failed: int
    others_cpu_share: float
    cpu_ms: dict[str, float]

    def cpu_us_per_request(self, name: str) -> float:
        """CPU time one process spent per request: unlike requests/s, barely moved by other load."""
        return self.cpu_ms[name] * 1000 / self.requests if self.requests else 0.0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class CpuMeter:
    """Share of the machine's CPU time that went to processes other than ours while a run lasted.

    Ours: the processes `pids()` names when the run starts and ends (the stack and its database), and
    wrk, a child of this process.
    """

    def __init__(self, pids: Callable[[], list[int]], watch: Mapping[str, int] | None = None) -> None:
        self.pids = pids
        self.watch = dict(watch or {})
        self.others_share = 0.0
        self.cpu_ms: dict[str, float] = {}

    def _ours(self, pids: list[int]) -> int:
        children = os.times()
        own = int((children.children_user + children.children_system) * os.sysconf("SC_CLK_TCK"))
        return own + sum(_process_ticks(pid) for pid in pids)

    def __enter__(self) -> CpuMeter:
        self._pids = self.pids()
        self._watched = {name: _process_ticks(pid) for name, pid in self.watch.items()}
        self._busy, self._ours_start = _busy_ticks(), self._ours(self._pids)
        return self

    def __exit__(self, *_exc: object) -> None:
        # Processes born during the run (database backends) count from zero.
        born = [pid for pid in self.pids() if pid not in self._pids]
        busy_now, ours_now = _busy_ticks(), self._ours(self._pids + born)
        capacity = (busy_now[1] - self._busy[1]) or 1
        others = (busy_now[0] - self._busy[0]) - (ours_now - self._ours_start)
        self.others_share = max(0.0, others / capacity)
        tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
        self.cpu_ms = {name: (_process_ticks(pid) - self._watched[name]) * tick_ms for name, pid in self.watch.items()}


def _busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs together, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    return total - idle, total


def cpu_seconds(pids: list[int]) -> float:
    """CPU time the processes and their reaped children used so far. A difference of two readings over the
    same server's processes holds the work of backends that exited in between (their postmaster reaped them)."""
    return sum(_process_ticks(pid) for pid in pids) / os.sysconf("SC_CLK_TCK")


def _process_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    # utime, stime, cutime, cstime: fields 14-17 of proc(5), counted after the ")" that ends the name.
    return sum(int(v) for v in fields[11:15])


def paths_script(paths: Sequence[str], *, seed: int = 2022) -> str:
    """Lua for wrk that sends each request to one of `paths` drawn at random (each thread its own seed), so a
    run reads many records rather than one hot one."""
    if not paths:
        raise ValueError("at least one path is needed")
    for path in paths:
        if not path.startswith("/") or any(c in path for c in "\\\"\r\n"):
            raise ValueError(f"not a plain absolute path: {path!r}")
    listed = ",\n".join(f'"{path}"' for path in paths)
    return f"""
local paths = {{
{listed}
}}
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_seed", {seed} + threads)
end
init = function(args)
  math.randomseed(thread_seed or {seed})
end
request = function()
  return wrk.format(nil, paths[math.random(#paths)])
end
"""


def run_wrk(
    url: str, *, token: str | None, duration: int, connections: int = 64, threads: int = 2,
    our_pids: Callable[[], list[int]] = list, watch: Mapping[str, int] | None = None, script: str = "",
) -> LoadResult:
    """`script`: Lua run before the reporting part, e.g. paths_script() to spread requests over many paths
    (then `url` gives only the scheme, host and port)."""
    wrk = require_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script + _REPORT_SCRIPT)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", file.name]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    command.append(url)
    try:
        with CpuMeter(our_pids, watch) as meter:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True)
    finally:
        os.unlink(file.name)
    line = next(x for x in completed.stdout.splitlines() if x.startswith("WRK-JSON "))
    raw = json.loads(line.removeprefix("WRK-JSON "))
    failed = raw["non_2xx_3xx"] + raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return LoadResult(
        requests=raw["requests"], seconds=raw["duration_us"] / 1e6, p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000, max_ms=raw["max_us"] / 1000, failed=failed,
        others_cpu_share=meter.others_share, cpu_ms=meter.cpu_ms,
    )
