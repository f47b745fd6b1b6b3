"""bench/RESULTS.md: one section per benchmark, each rewritten by its own run, the others left intact."""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = """\
# Benchmark results

Written by `python -m bench` (`make bench`): each benchmark rewrites its own section and leaves the
others as they are. Figures come from one machine at one moment; each section says which, and how busy
the machine was with other work while it ran. Compare ratios measured in the same run, not figures
from different sections or machines.
"""
QUIET_OTHERS_SHARE = 0.10


def machine() -> str:
    memory_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor() or "unknown CPU",
    )
    return (f"{os.cpu_count()} CPUs ({model}), {memory_kib / 1024**2:.1f} GiB memory, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def load_average() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def quietness(others_shares: list[float]) -> str:
    worst = max(others_shares, default=0.0)
    if worst <= QUIET_OTHERS_SHARE:
        return f"quiet: other processes used at most {worst:.0%} of the CPU during any run"
    return (f"NOT quiet: other processes used up to {worst:.0%} of the CPU during a run (per-run figures "
            f"below), so absolute figures are low; ratios within a round are the more telling")


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Replace (or append) the section of benchmark `name`, keeping every other section as it was."""
    start, end = _markers(name)
    section = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text if text.endswith("\n") else text + "\n")
