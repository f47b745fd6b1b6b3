"""docker-compose.yml agrees with the code: commands, ports and environment names (Docker cannot run here)."""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from gateway.settings import GatewaySettings
from programs.settings import ProgramsSettings
from reporting.settings import ReportingSettings
from sinergi.runner import ProcessSpec, process_specs, uvicorn_command
from targeting.settings import TargetingSettings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS: dict[str, type[BaseSettings]] = {
    "gateway": GatewaySettings, "targeting": TargetingSettings, "programs": ProgramsSettings,
    "reporting": ReportingSettings,
}
APP_PROCESSES = ("targeting", "programs", "reporting", "gateway")
CONTAINER_HOST = "0.0.0.0"  # noqa: S104 - inside a container: the compose network must reach it


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_names(settings: type[BaseSettings]) -> set[str]:
    """Every environment variable a settings class reads (pydantic-settings ignores the prefix for aliases)."""
    prefix = settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {choice.upper() for choice in alias.choices if isinstance(choice, str)}
        elif isinstance(alias, str):
            names.add(alias.upper())
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def interpolated(value: str) -> str:
    """What compose makes of `${VARIABLE:?message}` once the operator sets it."""
    return re.sub(r"\$\{[^}]*\}", "value", value)


def spec_of(name: str) -> ProcessSpec:
    return next(s for s in process_specs() if s.name == name)


def option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def listening_port(compose: dict, service: str) -> int:
    return int(option(compose["services"][service]["command"], "--port"))


class TestServices:
    def test_the_database_is_postgresql_15_with_a_healthcheck(self, compose):
        db = compose["services"]["db"]
        assert db["image"].startswith("postgres:15")
        assert "pg_isready" in " ".join(db["healthcheck"]["test"])

    def test_migrate_runs_once_after_the_database_is_healthy(self, compose):
        migrate = compose["services"]["migrate"]
        assert migrate["command"] == ["sinergi", "migrate"]
        assert migrate["restart"] == "no"
        assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
        assert set(migrate["environment"]) == {"DATABASE_URL"}

    @pytest.mark.parametrize("name", APP_PROCESSES)
    def test_each_process_starts_only_after_the_migration(self, compose, name):
        service = compose["services"][name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"

    def test_the_gateway_waits_for_healthy_services(self, compose):
        depends = compose["services"]["gateway"]["depends_on"]
        for name in ("targeting", "programs", "reporting"):
            assert depends[name]["condition"] == "service_healthy"
            assert compose["services"][name]["healthcheck"]["test"]


class TestCommands:
    @pytest.mark.parametrize("name", APP_PROCESSES)
    def test_runs_the_factory_the_runner_runs(self, compose, name):
        command = compose["services"][name]["command"]
        assert command[:3] == ["python", "-m", "uvicorn"]
        assert command[3] == spec_of(name).factory
        assert "--factory" in command
        assert option(command, "--host") == CONTAINER_HOST

    @pytest.mark.parametrize("name", APP_PROCESSES)
    def test_factory_is_importable_and_callable(self, compose, name):
        module_name, attribute = compose["services"][name]["command"][3].split(":")
        assert callable(getattr(importlib.import_module(module_name), attribute))

    @pytest.mark.parametrize("name", APP_PROCESSES)
    def test_uses_the_runners_server_options(self, compose, name):
        command = compose["services"][name]["command"]
        runner = uvicorn_command(spec_of(name), CONTAINER_HOST, 1)
        flags = [a for a in runner if a.startswith("--") and a not in ("--host", "--port")]
        for flag in flags:
            assert flag in command, flag
            value_index = runner.index(flag) + 1
            if value_index < len(runner) and not runner[value_index].startswith("--"):
                assert option(command, flag) == runner[value_index], flag

    @pytest.mark.parametrize("name", APP_PROCESSES)
    def test_listens_on_the_default_port_of_the_runner(self, compose, name):
        assert listening_port(compose, name) == spec_of(name).port

    @pytest.mark.parametrize("name", ("targeting", "programs", "reporting"))
    def test_healthcheck_probes_the_port_it_listens_on(self, compose, name):
        probe = " ".join(compose["services"][name]["healthcheck"]["test"])
        assert f"127.0.0.1:{listening_port(compose, name)}/health" in probe


class TestPorts:
    def test_only_the_gateway_publishes_a_port(self, compose):
        published = {name: s["ports"] for name, s in compose["services"].items() if s.get("ports")}
        assert list(published) == ["gateway"]
        container_ports = {int(str(p).rsplit(":", 1)[1]) for p in published["gateway"]}
        assert container_ports == {listening_port(compose, "gateway")}


class TestEnvironment:
    @pytest.mark.parametrize("name", APP_PROCESSES)
    def test_every_variable_is_a_setting_of_that_process(self, compose, name):
        unknown = set(compose["services"][name]["environment"]) - env_names(SETTINGS[name])
        assert not unknown, f"{name} sets {unknown}, which {SETTINGS[name].__name__} never reads"

    @pytest.mark.parametrize("name", APP_PROCESSES)
    def test_database_and_public_key_are_configured(self, compose, name):
        environment = compose["services"][name]["environment"]
        url = urlsplit(interpolated(environment["DATABASE_URL"]))
        assert (url.scheme, url.hostname, url.port) == ("postgresql", "db", 5432)
        assert environment["JWT_PUBLIC_KEY_FILE"] == "/run/secrets/jwt_public_key"
        assert "jwt_public_key" in compose["services"][name]["secrets"]

    def test_only_the_gateway_holds_the_private_key(self, compose):
        holders = [n for n, s in compose["services"].items() if "jwt_private_key" in s.get("secrets", [])]
        assert holders == ["gateway"]
        assert compose["services"]["gateway"]["environment"]["JWT_PRIVATE_KEY_FILE"] == \
            "/run/secrets/jwt_private_key"

    def test_key_files_come_from_the_ignored_secrets_folder(self, compose):
        ignored = (ROOT / ".gitignore").read_text().split()
        assert "secrets/" in ignored
        for secret in compose["secrets"].values():
            assert secret["file"].startswith("./secrets/")

    @pytest.mark.parametrize("name", ("targeting", "programs", "reporting"))
    def test_the_gateway_points_each_service_url_at_that_services_port(self, compose, name):
        url = urlsplit(compose["services"]["gateway"]["environment"][f"GATEWAY_{name.upper()}_URL"])
        assert url.hostname == name
        assert url.port == listening_port(compose, name)

    def test_the_gateway_reads_compose_environment_as_intended(self, compose, monkeypatch, tmp_path):
        """Build GatewaySettings from the compose environment, key files swapped for local ones."""
        from gateway.clients.keys import generate_keypair

        private, public = generate_keypair()
        (tmp_path / "private.pem").write_text(private)
        (tmp_path / "public.pem").write_text(public)
        for variable in list(os.environ):
            if re.match(r"^(GATEWAY_|JWT_|DATABASE_URL$)", variable):
                monkeypatch.delenv(variable)
        environment = dict(compose["services"]["gateway"]["environment"])
        environment["JWT_PRIVATE_KEY_FILE"] = str(tmp_path / "private.pem")
        environment["JWT_PUBLIC_KEY_FILE"] = str(tmp_path / "public.pem")
        for variable, value in environment.items():
            monkeypatch.setenv(variable, interpolated(str(value)))
        settings = GatewaySettings()
        assert settings.service_urls() == {
            "targeting": "http://targeting:8001", "programs": "http://programs:8002",
            "reporting": "http://reporting:8003",
        }
        assert settings.upstream_timeout_seconds == float(environment["GATEWAY_UPSTREAM_TIMEOUT_SECONDS"])
        assert settings.jwt_private_key == private and settings.jwt_public_key == public


class TestDockerfile:
    def test_installs_the_checkout_editable_so_migrations_are_found(self):
        dockerfile = (ROOT / "Dockerfile").read_text()
        assert re.search(r"^COPY \. \.$", dockerfile, re.MULTILINE)
        assert "pip install --no-deps -e ." in dockerfile

    def test_build_context_leaves_out_local_state_and_keys(self):
        ignored = (ROOT / ".dockerignore").read_text().split()
        assert {".venv", ".data", "secrets", ".git"} <= set(ignored)
