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
    money = sorted((SRC / "money").glob("*.py"))
    return [
        *money,
        SRC / "clock.py",
        SRC / "errors.py",
        SRC / "checks.py",
        SRC / "documents.py",
        SRC / "lifecycle.py",
    ]


@pytest.mark.parametrize("path", inner_ring_files(), ids=lambda p: module_name(p))
def test_the_money_core_imports_nothing_further_out(path: Path) -> None:
    # money, errors, clock, checks and the lifecycle engine are the innermost ring: they
    # use each other, nothing else.
    inner = (*INNER_RING, "mallcore._version")
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


# --------------------------------------------------------------------------- the layers


#: The innermost ring: money, errors, clock, the shared field checks, the readers of stored
#: documents and the one lifecycle engine (orders, after-sales, payments, shipments,
#: reservations); everything may use it.
INNER_RING = (
    "mallcore.money",
    "mallcore.errors",
    "mallcore.clock",
    "mallcore.checks",
    "mallcore.documents",
    "mallcore.lifecycle",
)

#: What each domain package may import besides itself and the inner ring. Pricing is the one
#: place that applies rules, so it sits above the others; promotions may read region codes
#: (满包邮 by region); sku, shipping and membership stand on the inner ring alone.
DOMAIN_MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "mallcore.sku": (),
    "mallcore.shipping": (),
    "mallcore.membership": (),
    "mallcore.promotions": ("mallcore.shipping.regions",),
    "mallcore.pricing": (
        "mallcore.sku",
        "mallcore.shipping",
        "mallcore.promotions",
        "mallcore.membership",
    ),
    "mallcore.orders": (
        "mallcore.sku",
        "mallcore.shipping",
        "mallcore.promotions",
        "mallcore.membership",
        "mallcore.pricing",
    ),
    # Ports sit between the adapters and the domain: they may name any domain type.
    "mallcore.ports": (
        "mallcore.sku",
        "mallcore.shipping",
        "mallcore.promotions",
        "mallcore.membership",
        "mallcore.pricing",
        "mallcore.orders",
    ),
}
#: The rule-file edge: a package's rules.py may also use the shared pydantic blocks and the
#: rules.py of the packages it may import.
RULES_EDGE = ("mallcore.rules",)


def mallcore_imports(path: Path) -> set[str]:
    return {name for name in imports_of(path) if name.split(".")[0] == "mallcore"}


def test_the_layer_table_covers_every_domain_package() -> None:
    assert {f"mallcore.{name}" for name in DOMAIN_PACKAGES} == set(DOMAIN_MAY_IMPORT)


@pytest.mark.parametrize("package", existing_domain_packages())
def test_a_domain_package_imports_only_the_layers_below_it(package: str) -> None:
    root = SRC / package.split(".")[1]
    allowed = (package, *INNER_RING, "mallcore._version", *DOMAIN_MAY_IMPORT[package])
    offenders = {}
    for path in sorted(root.rglob("*.py")):
        edge = RULES_EDGE if path.name == "rules.py" else ()
        bad = sorted(name for name in mallcore_imports(path) if not within(name, (*allowed, *edge)))
        if bad:
            offenders[module_name(path)] = bad
    assert not offenders


def test_promotions_never_import_pricing() -> None:
    # The rule that #10 restored: promotions say what they give, pricing applies them.
    root = SRC / "promotions"
    offenders = {
        module_name(path): sorted(n for n in imports_of(path) if within(n, ("mallcore.pricing",)))
        for path in root.rglob("*.py")
    }
    assert not {name: found for name, found in offenders.items() if found}


@pytest.mark.parametrize("path", inner_ring_files(), ids=lambda p: module_name(p))
def test_the_inner_ring_imports_only_itself(path: Path) -> None:
    bad = sorted(
        name
        for name in mallcore_imports(path)
        if not within(name, (*INNER_RING, "mallcore._version"))
    )
    assert not bad, f"{module_name(path)} imports {bad}"


def test_the_shared_rule_blocks_import_no_domain_package() -> None:
    bad = sorted(
        name
        for name in mallcore_imports(SRC / "rules.py")
        if not within(name, (*INNER_RING, "mallcore.rules"))
    )
    assert not bad


def test_no_domain_package_imports_the_ports() -> None:
    domain = [name for name in DOMAIN_MAY_IMPORT if name != "mallcore.ports"]
    offenders = {
        module_name(path): sorted(n for n in imports_of(path) if within(n, ("mallcore.ports",)))
        for path in source_files()
        if within(module_name(path), tuple(domain))
    }
    assert not {name: found for name, found in offenders.items() if found}


def test_no_private_name_is_imported_across_packages() -> None:
    # ``from mallcore.money import _largest_remainder`` in pricing is how a private helper
    # becomes an API nobody promised; a package's own private modules are fine.
    def package_of(module: str) -> str:
        # Top-level modules (mallcore.cli, mallcore._version) belong to mallcore itself.
        parts = module.split(".")
        return ".".join(parts[:2]) if len(parts) > 1 and (SRC / parts[1]).is_dir() else "mallcore"

    offenders: dict[str, list[str]] = {}
    for path in source_files():
        importer = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                if not node.module.startswith("mallcore"):
                    continue
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                for name in names:
                    parts = name.split(".")
                    private = any(p.startswith("_") and not p.startswith("__") for p in parts[1:])
                    if private and package_of(name) != package_of(importer):
                        offenders.setdefault(importer, []).append(name)
    assert not offenders


def test_the_top_level_package_loads_nothing_eagerly() -> None:
    code = (
        "import sys, mallcore.membership\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('mallcore.pricing'))\n"
        "assert not loaded, loaded\n"
        "import mallcore\n"
        "assert mallcore.quote.__module__ == 'mallcore.pricing.pipeline'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_use_cases_take_ports_and_never_import_an_adapter() -> None:
    # mallcore.usecases wires the domain to the ports; which adapter stands behind a port
    # is the caller's choice, passed in as a keyword argument.
    path = SRC / "usecases.py"
    bad = sorted(
        name
        for name in imports_of(path)
        if within(name, OUTER_LAYERS) or name.split(".")[0] in FORBIDDEN_IN_DOMAIN
    )
    assert not bad, f"mallcore.usecases imports {bad}"
