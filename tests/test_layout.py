"""Keeps the layout honest (README, "Where does my change go"): one direction of dependency,

    bot → commands → features → {connectors, state, config, core}

checked over the imports of every module (function-level and TYPE_CHECKING imports included), and
only bot/ imports Slack."""

from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SLACK_IMPORT = re.compile(r"^\s*(from|import)\s+slack_(bolt|sdk)\b", re.M)

# Which top-level packages each may import. Anything not listed is refused.
ALLOWED: dict[str, set[str]] = {
    "bot": {"commands", "features", "jobs", "state", "config", "core"},
    "commands": {"features", "state", "config", "core"},
    "features": {"connectors", "state", "config", "core"},
    "jobs": set(),  # the scheduler: it calls job functions by reference, it imports none
    "connectors": {"core"},  # outside systems only; core for a pure helper (core/names.py)
    "state": {"core"},
    "config": {"core"},
    "core": set(),
}


def package_imports(root: pathlib.Path) -> dict[str, dict[str, str]]:
    """{package: {imported package: "file:line" of the first such import}} over `root`."""
    found: dict[str, dict[str, str]] = {p: {} for p in ALLOWED}
    for pkg in ALLOWED:
        for path in sorted((root / pkg).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in ALLOWED and top != pkg:
                        found[pkg].setdefault(top, f"{path.relative_to(root)}:{node.lineno}")
    return found


def violations(root: pathlib.Path) -> list[str]:
    found = package_imports(root)
    bad = [f"{pkg} imports {other} ({where})" for pkg, imports in found.items()
           for other, where in imports.items() if other not in ALLOWED[pkg]]
    bad += [f"{a} and {b} import each other" for a in found for b in found[a] if a < b and a in found.get(b, {})]
    return bad


def test_every_import_goes_one_way():
    assert violations(ROOT) == []


def test_the_matrix_itself_has_no_cycle():
    seen: dict[str, int] = {}

    def depth(pkg: str, path: tuple[str, ...] = ()) -> int:
        assert pkg not in path, f"cycle: {' → '.join((*path, pkg))}"
        if pkg not in seen:
            seen[pkg] = 1 + max((depth(d, (*path, pkg)) for d in ALLOWED[pkg]), default=0)
        return seen[pkg]

    for pkg in ALLOWED:
        depth(pkg)


def test_an_upward_import_is_caught(tmp_path):
    for pkg in ALLOWED:
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
    (tmp_path / "state" / "sneaky.py").write_text("def f():\n    from features.transfers import api\n")
    (tmp_path / "core" / "loop.py").write_text("import config\n")
    (tmp_path / "config" / "loop.py").write_text("import core\n")
    assert violations(tmp_path) == ["state imports features (state/sneaky.py:2)", "core imports config (core/loop.py:1)",
                                    "config and core import each other"]


def test_only_bot_imports_slack():
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ALLOWED if folder != "bot"
        for p in (ROOT / folder).rglob("*.py")
        if SLACK_IMPORT.search(p.read_text())
    ]
    assert offenders == []


def test_required_layout_exists():
    for name in ("bot", "commands", "core", "features", "connectors", "jobs", "state", "sandbox", "bench", "tests"):
        assert (ROOT / name).is_dir(), name
    for name in ("app.yaml", "requirements.txt", "requirements-dev.txt", "Makefile", "manifest.yaml", "README.md"):
        assert (ROOT / name).is_file(), name
