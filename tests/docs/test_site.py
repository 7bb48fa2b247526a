"""The documentation builds as a site, and the public SDK documents itself."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import relaybot

ROOT = Path(__file__).resolve().parents[2]


def _public_members(owner: type) -> list[tuple[str, object]]:
    members = []
    for name, value in vars(owner).items():
        if name.startswith("_"):
            continue
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if inspect.isfunction(value) or isinstance(value, property):
            members.append((name, value))
    return members


def test_every_name_an_app_imports_is_documented() -> None:
    """A name in `relaybot.__all__` without a docstring would be a blank entry in the reference."""
    undocumented = []
    for name in relaybot.__all__:
        value = getattr(relaybot, name)
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        if not inspect.getdoc(value):
            undocumented.append(name)
        if inspect.isclass(value) and value.__module__.startswith("relaybot."):
            for member, attribute in _public_members(value):
                if not inspect.getdoc(attribute):
                    undocumented.append(f"{name}.{member}")
    assert undocumented == []


def test_every_entry_of_the_reference_has_a_docstring_to_show() -> None:
    """What mkdocstrings renders, read the way it reads it (griffe, from the source): aliases,
    decorated functions and dataclasses included, whose docstrings `inspect` may invent."""
    griffe = pytest.importorskip("griffe")
    package = griffe.load("relaybot", search_paths=[str(ROOT / "src")], resolve_aliases=True)
    public = [name for name in relaybot.__all__ if not name.startswith("__")]
    assert [name for name in public if not package[name].docstring] == []


def test_the_public_sdk_names_exist_and_are_exported_once() -> None:
    assert len(relaybot.__all__) == len(set(relaybot.__all__))
    for name in relaybot.__all__:
        assert hasattr(relaybot, name), name


def _referenced() -> list[str]:
    """The names docs/reference.md renders, as `::: relaybot.Name` entries, in order."""
    page = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    return re.findall(r"^::: relaybot\.(\w+)\s*$", page, flags=re.MULTILINE)


def test_the_api_reference_shows_every_public_name_once() -> None:
    """A name added to `relaybot.__all__` must get its place in a group of the reference."""
    listed = _referenced()
    public = [name for name in relaybot.__all__ if not name.startswith("__")]
    assert sorted(set(public) - set(listed)) == []
    assert sorted(set(listed) - set(public)) == []
    assert len(listed) == len(set(listed))


def test_every_included_snippet_names_a_section_its_file_has() -> None:
    """`--8<-- "file:section"` on a page needs `# --8<-- [start:section]` and its end."""
    bases = [ROOT / "docs", ROOT]
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for include in re.findall(r'^--8<-- "([^"]+)"$', page.read_text(encoding="utf-8"), re.M):
            path, _, section = include.partition(":")
            found = next((base / path for base in bases if (base / path).is_file()), None)
            assert found is not None, f"{page.name}: no file {path}"
            if section:
                text = found.read_text(encoding="utf-8")
                for marker in (f"[start:{section}]", f"[end:{section}]"):
                    assert text.count(f"# --8<-- {marker}") == 1, f"{page.name}: {include}"


@pytest.mark.slow
def test_the_documentation_builds_without_a_warning(tmp_path: Path) -> None:
    """`mkdocs build --strict` fails on a broken link, a missing page or a bad reference."""
    mkdocs = Path(sys.executable).parent / "mkdocs"
    command = [str(mkdocs)] if mkdocs.exists() else [shutil.which("mkdocs") or "mkdocs"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [*command, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    reference = (tmp_path / "site" / "reference" / "index.html").read_text(encoding="utf-8")
    rendered = set(re.findall(r'id="relaybot\.(\w+)"', reference))
    assert sorted(set(_referenced()) - rendered) == []
    guide = (tmp_path / "site" / "writing-a-bot" / "index.html").read_text(encoding="utf-8")
    assert "class Product" in re.sub(r"<[^>]+>", "", guide)  # the snippets were included
