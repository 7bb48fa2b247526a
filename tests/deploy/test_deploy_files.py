"""The deployment files in deploy/ are the ones docs/deploy.md shows, and they hold together."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from relaybot.cli import main as cli
from relaybot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.DOTALL)


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("compose.yaml", "yaml"),
        ("nginx.conf", "nginx"),
        ("systemd/relaybot-gateway@.service", "ini"),
        ("systemd/relaybot-worker@.service", "ini"),
    ],
)
def test_the_deploy_doc_shows_each_file_exactly_as_shipped(path: str, language: str):
    assert (DEPLOY / path).read_text() in blocks(language), f"docs/deploy.md is out of date: {path}"


def test_every_relaybot_service_runs_a_real_command_with_real_settings():
    services = compose()["services"]
    commands = set(cli.list_commands(None))  # type: ignore[arg-type]
    known = {f"RELAYBOT_{name.upper()}" for name in Settings.model_fields}
    roles = set()
    for name, service in services.items():
        command = service.get("command") or []
        if command[:1] != ["relaybot"]:
            continue
        roles.add(command[1])
        assert command[1] in commands, f"{name}: relaybot has no command {command[1]!r}"
        unknown = {k for k in service["environment"] if k.startswith("RELAYBOT_")} - known
        assert unknown == set(), f"{name}: settings relaybot does not read: {unknown}"
    assert {"migrate", "gateway", "worker", "sender", "scheduler"} <= roles
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert services["sender"]["deploy"]["replicas"] in (1, 2)


def test_nginx_balances_over_every_gateway_service_and_redis_is_durable():
    services = compose()["services"]
    gateways = {name for name, s in services.items() if s.get("command", [""])[1:2] == ["gateway"]}
    upstreams = set(re.findall(r"server (\S+):8080", (DEPLOY / "nginx.conf").read_text()))
    assert len(gateways) == 2 and upstreams == gateways
    redis = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis and "--appendfsync always" in redis
    assert "--maxmemory-policy noeviction" in redis


def test_the_compose_file_is_accepted_by_docker_compose_config(tmp_path: Path):
    """`docker compose config` (v2) or, where only v1 is installed, `docker-compose config`."""
    tools = []
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            tools.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        tools.append(["docker-compose"])
    if not tools:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    env = {**os.environ, "POSTGRES_PASSWORD": "example"}
    for tool in tools:
        result = subprocess.run(
            [*tool, "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert result.returncode == 0, f"{' '.join(tool)} config: {result.stderr}"
