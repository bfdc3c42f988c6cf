"""Imports point inward: adapters, the CLI and testing -> ports -> domain packages -> money core.

Domain packages and the money core load no pydantic, database, HTTP or test library, and
nothing from the adapters, the CLI or ``mallcore.testing``; only ``rules.py`` modules import
pydantic, and no ``__init__.py`` imports them. Packages are discovered on disk, so packages
added later are covered without editing this file.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import mallcore

SRC = Path(mallcore.__file__).resolve().parent
# ports/ sits between the adapters and the domain, so it obeys the same rules.
DOMAIN_PACKAGES = ("sku", "pricing", "promotions", "shipping", "orders", "membership", "ports")
CORE_MODULES = ("mallcore", "mallcore.money", "mallcore.clock")

# Libraries that may never be loaded by importing the core or a domain package.
HEAVY_LIBRARIES = ("pydantic", "sqlalchemy", "redis", "psycopg", "openpyxl", "hypothesis")
# Top-level packages a domain module may not import at all, not even lazily in a function.
FORBIDDEN_IN_DOMAIN = (
    "sqlalchemy",
    "redis",
    "psycopg",
    "psycopg2",
    "httpx",
    "requests",
    "django",
    "flask",
    "fastapi",
    "aiohttp",
)
OUTER_LAYERS = ("mallcore.adapters", "mallcore.testing", "mallcore.cli")
PYDANTIC = ("pydantic", "pydantic_core", "pydantic_settings")


def existing_domain_packages() -> list[str]:
    # A package directory counts even before its __init__.py is written.
    return [f"mallcore.{name}" for name in DOMAIN_PACKAGES if (SRC / name).is_dir()]


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def imported_modules(source: str, name: str, *, is_package: bool) -> Iterator[str]:
    """Every module an import statement anywhere in *source* names, made absolute.

    ``from a.b import c`` yields both ``a.b`` and ``a.b.c``, because ``c`` may be a module.
    """
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def imports_of(path: Path) -> set[str]:
    return set(
        imported_modules(
            path.read_text(encoding="utf-8"),
            module_name(path),
            is_package=path.name == "__init__.py",
        )
    )


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(f"{prefix}.") for prefix in prefixes)


# --------------------------------------------------------------------------- the scanner itself


def test_the_scanner_sees_every_kind_of_import() -> None:
    source = (
        "import pydantic.fields\n"
        "from sqlalchemy import select\n"
        "from . import rules\n"
        "from .rules import PromotionRule\n"
        "from ..adapters.memory import Store\n"
        "def lazy():\n"
        "    import redis\n"
    )
    found = set(imported_modules(source, "mallcore.promotions.engine", is_package=False))
    assert {
        "pydantic.fields",
        "sqlalchemy",
        "mallcore.promotions.rules",
        "mallcore.promotions.rules.PromotionRule",
        "mallcore.adapters.memory",
        "redis",
    } <= found
    init = set(imported_modules("from .rules import X\n", "mallcore.promotions", is_package=True))
    assert "mallcore.promotions.rules" in init


def test_the_scan_covers_the_package() -> None:
    names = {module_name(path) for path in source_files()}
    assert {"mallcore", "mallcore.money", "mallcore.clock", "mallcore.errors"} <= names


# --------------------------------------------------------------------------- runtime imports


def imports_rules(path: Path) -> bool:
    return any("rules" in name.split(".") for name in imports_of(path))


def modules_of(package: str) -> list[str]:
    """The package and each of its modules, importable one after another.

    ``rules.py`` and the modules that import it form the pydantic edge and are left out.
    """
    if package in CORE_MODULES:
        return [package]
    root = SRC / package.split(".")[1]
    return [
        module_name(path)
        for path in sorted(root.rglob("*.py"))
        if path.name not in ("rules.py", "__main__.py") and not imports_rules(path)
    ] or [package]


@pytest.mark.parametrize("package", [*CORE_MODULES, *existing_domain_packages()])
def test_importing_the_core_loads_no_heavy_or_outer_module(package: str) -> None:
    # One fresh interpreter per package; after each import, report what it newly loaded.
    code = (
        "import importlib, sys\n"
        f"heavy = {HEAVY_LIBRARIES!r}\n"
        f"outer = {OUTER_LAYERS!r}\n"
        "def bad():\n"
        "    return ({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}\n"
        "            | {m for m in sys.modules if any(m == o or m.startswith(o + '.')\n"
        "                                             for o in outer)})\n"
        "seen = bad()\n"
        "assert not seen, seen\n"
        f"for module in {modules_of(package)!r}:\n"
        "    importlib.import_module(module)\n"
        "    new = bad() - seen\n"
        "    if new:\n"
        "        print(module, 'loads', sorted(new))\n"
        "    seen |= new\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", done.stdout


# --------------------------------------------------------------------------- static rules


def test_only_rules_modules_import_pydantic() -> None:
    offenders = {
        module_name(path): sorted(name for name in imports_of(path) if within(name, PYDANTIC))
        for path in source_files()
        if path.name != "rules.py"
    }
    assert not {name: found for name, found in offenders.items() if found}


def test_domain_modules_import_no_outer_layer_or_infrastructure() -> None:
    domain = tuple(f"mallcore.{package}" for package in DOMAIN_PACKAGES)
    offenders = {
        module_name(path): sorted(
            name
            for name in imports_of(path)
            if within(name, OUTER_LAYERS) or name.split(".")[0] in FORBIDDEN_IN_DOMAIN
        )
        for path in source_files()
        if within(module_name(path), domain)
    }
    assert not {name: found for name, found in offenders.items() if found}


def test_no_init_imports_a_rules_module() -> None:
    offenders = {
        module_name(path): sorted(name for name in imports_of(path) if "rules" in name.split("."))
        for path in SRC.rglob("__init__.py")
    }
    assert not {name: found for name, found in offenders.items() if found}


def inner_ring_files() -> list[Path]:
    return [*sorted((SRC / "money").glob("*.py")), SRC / "clock.py", SRC / "errors.py"]


@pytest.mark.parametrize("path", inner_ring_files(), ids=lambda p: module_name(p))
def test_the_money_core_imports_nothing_further_out(path: Path) -> None:
    # money, errors and clock are the innermost ring: they may use each other, nothing else.
    inner = ("mallcore.money", "mallcore.errors", "mallcore.clock", "mallcore._version")
    offenders = sorted(
        name
        for name in imports_of(path)
        if name.split(".")[0] == "mallcore" and not within(name, inner)
    )
    assert not offenders, f"{module_name(path)} imports {offenders}"


@pytest.mark.parametrize("path", sorted((SRC / "money").glob("*.py")), ids=lambda p: p.name)
def test_money_never_calls_float(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "float"
    ]
    assert not calls, f"{path.name} calls float() on lines {calls}"
