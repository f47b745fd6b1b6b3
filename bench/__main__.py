"""`python -m bench` runs every benchmark; `python -m bench NAME [options]` runs one.

A benchmark is a module bench/<name>.py listed in BENCHMARKS, with NAME, SUMMARY, add_arguments(parser)
and run(args) -> str, the Markdown body of its section in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from bench.load import LoadToolMissingError, require_wrk
from bench.results import RESULTS, write_section

BENCHMARKS = ("gateway", "registry_read", "enrol", "load_mix")


def _modules() -> dict[str, ModuleType]:
    return {name: importlib.import_module(f"bench.{name}") for name in BENCHMARKS}


def main(argv: list[str] | None = None) -> int:
    modules = _modules()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK")
    for name, module in modules.items():
        module.add_arguments(commands.add_parser(name, help=module.SUMMARY))
    args = parser.parse_args(argv)
    try:
        require_wrk()
    except LoadToolMissingError as missing:
        print(missing, file=sys.stderr)
        return 2
    selected = [args.benchmark] if args.benchmark else list(modules)
    for name in selected:
        module_args = args if args.benchmark else parser.parse_args([name])
        print(f"== bench {name}: {modules[name].SUMMARY}", flush=True)
        body = modules[name].run(module_args)
        write_section(modules[name].NAME, body)
        print(f"\n{body}\n\n(section '{name}' written to {RESULTS})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
