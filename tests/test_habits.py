"""Habits the suite enforces (issue 16): types checked, formatting kept, every dependency locked, migrations frozen,
the pre-commit hooks valid, and the clone standing alone."""

import ast
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
PROJECT_PACKAGES = {p.parent.name for p in BASE.glob("*/apps.py")} | {"config", "core"}


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=BASE, capture_output=True, text=True, timeout=900)


def test_mypy_is_clean_on_services_selectors_and_pure_modules():
    result = _run(str(BIN / "mypy"))
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "Success: no issues found" in result.stdout


def test_ruff_format_is_kept():
    result = _run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_pre_commit_hooks_are_valid_and_use_the_pinned_tools():
    result = _run(str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    config = (BASE / ".pre-commit-config.yaml").read_text()
    for hook in ("ruff check", "ruff format", "mypy", "lint-imports", "msgfmt -c"):
        assert hook in config, hook


def _pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line (comments, -r lines and markers aside), names normalised."""
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;#]+)", line)
        if match:
            pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


def test_every_direct_pin_is_in_its_lock_at_the_same_version():
    """requirements*.txt name what we chose; requirements*.lock (make lock) every package installed with them."""
    for source, lock in (("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")):
        locked = _pins(BASE / lock)
        stale = {name: (version, locked.get(name)) for name, version in _pins(BASE / source).items()}
        stale = {name: pair for name, pair in stale.items() if pair[0] != pair[1]}
        assert not stale, f"{lock} is stale (run `make lock`): {stale}"
    runtime, dev = _pins(BASE / "requirements.lock"), _pins(BASE / "requirements-dev.lock")
    assert runtime.keys() <= dev.keys()
    assert {name: (version, dev[name]) for name, version in runtime.items() if dev[name] != version} == {}


def _project_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            names = [arg.value for arg in node.args[:1] if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        found += [f"{path.relative_to(BASE)}:{node.lineno} {name}" for name in names if _is_live_code(name)]
    return found


def _is_live_code(module: str) -> bool:
    parts = module.split(".")
    if parts[0] not in PROJECT_PACKAGES:
        return False
    # Field validators Django stores by import path (an app's models or validators module), and earlier migrations
    # (frozen by definition), are what a migration may reference.
    return not (len(parts) == 2 and parts[1] in {"models", "validators"}) and "migrations" not in parts


def test_migrations_import_no_live_project_code():
    """A migration runs against the project as it was: a service it imports may since have changed or moved."""
    migrations = sorted(p for p in BASE.glob("*/migrations/[0-9]*.py"))
    assert migrations
    assert [line for path in migrations for line in _project_imports(path)] == []


def test_the_shipped_data_is_documented_with_source_and_licence():
    folder = Path(settings.SNAPSHOT_DATA_DIR)
    readme = (folder / "README.md").read_text()
    shipped = sorted(
        p.name for p in folder.iterdir() if p.name not in {"README.md"} and not p.name.startswith("LICENSE")
    )
    assert shipped
    for name in shipped:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}`")), "")
        assert row.count("|") >= 5 and ("public domain" in row or "MIT" in row), f"{name}: no source/licence row"
