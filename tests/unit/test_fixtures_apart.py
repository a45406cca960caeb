"""The plugin never ships or imports the demo's and the tests' fixtures (fixtures/)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
FIXTURES = "bo_oscommerce_fixtures"
MOVED = ("demo_data.py", "reference.py", "checkout.py", "seed.py")


def _plugin_sources() -> list[Path]:
    return sorted(p for p in PLUGINS.rglob("*.py") if "__pycache__" not in p.parts)


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append((node.lineno, node.module))
    return names


def test_no_plugin_module_imports_the_fixtures() -> None:
    sources = _plugin_sources()
    assert len(sources) > 10, f"no plugin sources found under {PLUGINS}"
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sources
        for line, name in _imported(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if name == FIXTURES or name.startswith(FIXTURES + ".")
    ]
    assert offenders == []


def test_the_moved_modules_are_gone_from_the_plugin() -> None:
    left = [
        str(path.relative_to(ROOT))
        for path in _plugin_sources()
        if path.name in MOVED and "bo_oscommerce" in path.relative_to(PLUGINS).parts
    ]
    assert left == []


def test_every_plugin_module_imports_without_the_fixtures() -> None:
    # PYTHONPATH=plugins only: the fixtures are not importable here, so a plugin module that
    # needs them fails to import instead of loading them quietly
    code = (
        "import importlib, importlib.util, pkgutil, sys\n"
        f"assert importlib.util.find_spec({FIXTURES!r}) is None, 'fixtures importable'\n"
        "import bo_oscommerce\n"
        "def fail(name):\n"
        "    raise ImportError(f'cannot import {name}')\n"
        "names = ['bo_oscommerce_reports'] + [m.name for m in pkgutil.walk_packages(\n"
        "    bo_oscommerce.__path__, 'bo_oscommerce.', onerror=fail)]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        f"assert {FIXTURES!r} not in sys.modules\n"
        f"assert not any(m.startswith({FIXTURES + '.'!r}) for m in sys.modules)\n"
        "print(len(names))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(PLUGINS)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert int(proc.stdout.strip().splitlines()[-1]) > 10
