"""The docs and the code keep each other honest.

* Every diagnostic code the source can emit is documented in docs/diagnostics.md,
  and every code documented there still exists (so neither can drift).
* The import layers described in docs/architecture.md hold, read from the
  source with ``ast`` (imports inside functions and under TYPE_CHECKING count).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "mdnet"
DOCS = ROOT / "docs"

# --- diagnostic codes ---------------------------------------------------------------------

_CODE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


def _str_arg(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[index] if len(call.args) > index else None


def source_codes() -> dict[str, list[str]]:
    """code -> ["path:line", ...] for every literal code passed to Diagnostic(...)
    (4th argument) or to a parser context's add (3rd), warn or error (2nd)."""
    found: dict[str, list[str]] = {}
    for path in sorted(PKG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            arg = None
            if isinstance(f, ast.Name) and f.id == "Diagnostic":
                arg = _str_arg(node, 3, "code")
            elif isinstance(f, ast.Attribute) and (
                    (isinstance(f.value, ast.Name) and f.value.id == "ctx")
                    or (isinstance(f.value, ast.Attribute) and f.value.attr == "ctx")):  # ctx.warn, self.ctx.warn
                if f.attr == "add":
                    arg = _str_arg(node, 2, "code")
                elif f.attr in ("warn", "error"):
                    arg = _str_arg(node, 1, "code")
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.setdefault(arg.value, []).append(where)
    return found


def documented_codes() -> set[str]:
    """The codes docs/diagnostics.md gives a section: a heading `### `code``."""
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    return set(re.findall(r"^###\s+`([a-z0-9-]+)`", text, re.M))


def test_the_code_collector_sees_codes_from_every_emitting_module() -> None:
    codes = source_codes()
    # One code from each place diagnostics are made, so a collector that finds nothing cannot pass.
    for code in ("bad-yaml", "invalid-date", "unknown-kind", "duplicate-name", "config-bad-value", "config-bad-toml"):
        assert code in codes, f"the collector missed {code!r}: the test is broken, not the docs"
    for code in codes:
        assert _CODE.match(code), f"{code!r} ({codes[code][0]}) does not look like a diagnostic code"


def test_every_diagnostic_code_is_documented() -> None:
    missing = {c: w for c, w in source_codes().items() if c not in documented_codes()}
    assert not missing, "codes without a `### `code`` section in docs/diagnostics.md: " + ", ".join(
        f"{c} ({w[0]})" for c, w in sorted(missing.items()))


def test_every_documented_code_exists() -> None:
    stale = documented_codes() - set(source_codes())
    assert not stale, f"docs/diagnostics.md documents codes mdnet no longer emits: {sorted(stale)}"


# --- import layers ------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel / "__init__.py").is_file()


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file, as absolute dotted names."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            for a in node.names:  # `from . import notes` imports the module mdnet.cli.notes
                if _is_module(f"{mod}.{a.name}"):
                    out.add(f"{mod}.{a.name}")
    return out


MODULES = {_module_name(p): imports_of(p) for p in sorted(PKG.rglob("*.py"))}


def _top(name: str) -> str:
    return name.split(".")[0]


def _mdnet(imports: set[str]) -> set[str]:
    return {i for i in imports if _top(i) == "mdnet"}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_import_reader_sees_the_package() -> None:
    assert "mdnet.cli" in MODULES and "mdnet.index.store" in MODULES and "mdnet.model" in MODULES
    assert "sqlite3" in MODULES["mdnet.index.store"]
    assert "click" in MODULES["mdnet.cli.common"]
    assert "mdnet.cli.notes" in MODULES["mdnet.cli"]  # `from . import ... notes`
    assert "mdnet.config" in MODULES["mdnet.vault.parse"]  # `from ..config import ...`


@pytest.mark.parametrize("module", sorted(MODULES))
def test_click_only_inside_cli(module: str) -> None:
    if _within(module, "mdnet.cli"):
        return
    assert "click" not in {_top(i) for i in MODULES[module]}, f"{module} imports click; keep click inside mdnet/cli/"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_sqlite3_only_inside_index(module: str) -> None:
    if _within(module, "mdnet.index"):
        return
    assert "sqlite3" not in {_top(i) for i in MODULES[module]}, f"{module} imports sqlite3; only mdnet/index/ may"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_nothing_imports_cli(module: str) -> None:
    if _within(module, "mdnet.cli") or module == "mdnet.__main__":
        return  # `python -m mdnet` is the one other way into the CLI
    bad = {i for i in MODULES[module] if _within(i, "mdnet.cli")}
    assert not bad, f"{module} imports {sorted(bad)}; nothing outside mdnet/cli/ may import it"


def test_model_imports_nothing_of_mdnet() -> None:
    assert _mdnet(MODULES["mdnet.model"]) == set()


def test_config_imports_only_model() -> None:
    assert _mdnet(MODULES["mdnet.config"]) <= {"mdnet.model"}


# The pure core: no file system, database, network, clock or process, and nothing of mdnet
# that does I/O.  (mdnet.index.codec is pure too: it turns a note into its JSON record.)
PURE = ("mdnet.vault.parse", "mdnet.vault.simpleyaml", "mdnet.vault.logline", "mdnet.vault.edit", "mdnet.graph", "mdnet.rules", "mdnet.dates", "mdnet.feed", "mdnet.lookup", "mdnet.profile",
        "mdnet.index.codec", "mdnet.engine", "mdnet.query", "mdnet.query.contacts", "mdnet.query.problems",
        "mdnet.reports", "mdnet.reports.common", "mdnet.reports.activity", "mdnet.reports.sources",
        "mdnet.reports.pipeline", "mdnet.reports.people_list", "mdnet.reports.favors", "mdnet.reports.pitch",
        "mdnet.reports.update", "mdnet.reports.stamp", "mdnet.reports.text", "mdnet.reports.markdown",
        "mdnet.timeofday", "mdnet.prep",
        "mdnet.interop", "mdnet.interop.record", "mdnet.interop.table", "mdnet.interop.linkedin", "mdnet.interop.google",
        "mdnet.interop.vcard", "mdnet.interop.names", "mdnet.interop.plan", "mdnet.interop.export",
        "mdnet.dashboard", "mdnet.dashboard.pages", "mdnet.dashboard.svg")
PURE_MDNET = {"mdnet.model", "mdnet.config", *PURE}
IO_STDLIB = {"os", "pathlib", "io", "sqlite3", "socket", "subprocess", "shutil", "tempfile", "time", "http",
             "urllib.request", "multiprocessing", "threading", "signal", "watchdog", "click", "glob", "fcntl"}


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_do_no_io(module: str) -> None:
    imports = MODULES[module]
    io = {i for i in imports if i in IO_STDLIB or _top(i) in IO_STDLIB}
    assert not io, f"{module} is pure but imports {sorted(io)}"
    impure = _mdnet(imports) - PURE_MDNET
    assert not impure, f"{module} is pure but imports {sorted(impure)}"


# Below the workspace nothing knows the workspace, the watcher, the server or the live updater.
TOP = {"mdnet.workspace", "mdnet.live", "mdnet.watch", "mdnet.server"}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not _within(m, "mdnet.cli")))
def test_lower_layers_do_not_import_upper(module: str) -> None:
    allowed = {
        "mdnet.workspace": set(),
        "mdnet.live": {"mdnet.workspace"},
        "mdnet.watch": set(),
        "mdnet.server": set(),
        "mdnet.actions": {"mdnet.workspace"},
        "mdnet.dashboard.app": {"mdnet.workspace", "mdnet.server"},
    }.get(module, set())
    bad = (_mdnet(MODULES[module]) & TOP) - allowed - {module}
    assert not bad, f"{module} imports {sorted(bad)}, which sit above it"
