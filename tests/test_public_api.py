"""``__all__`` stays honest everywhere, and the version and typing marker are published.

Modules are discovered with :func:`pkgutil.walk_packages`, so modules added later are checked
without editing this file. Private modules (a segment with a leading underscore) are skipped.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import mallcore


def hypothesis_imports() -> bool:
    try:
        importlib.import_module("hypothesis")
    except ImportError:
        return False
    return True


HAS_HYPOTHESIS = hypothesis_imports()


def isort_style_key(name: str) -> tuple[int, list[int | str]]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then the rest, each in natural order."""
    if len(name) > 1 and name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    return group, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def is_public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


def public_module_names() -> list[str]:
    failed: list[str] = []
    found = [
        info.name
        for info in pkgutil.walk_packages(mallcore.__path__, "mallcore.", onerror=failed.append)
    ]
    names = ["mallcore", *found]
    skip_testing = not HAS_HYPOTHESIS
    # A package that failed to import while walking is kept, so its test shows the error.
    return sorted(
        name
        for name in {*names, *failed}
        if is_public(name) and not (skip_testing and name.startswith("mallcore.testing"))
    )


def load(name: str) -> ModuleType:
    return importlib.import_module(name)


MODULES = public_module_names()


def defines_all(name: str) -> bool:
    try:
        return hasattr(load(name), "__all__")
    except Exception:  # test_every_public_module_imports shows the error
        return False


MODULES_WITH_ALL = [name for name in MODULES if defines_all(name)]


def test_discovery_finds_the_foundation() -> None:
    assert {"mallcore", "mallcore.money", "mallcore.errors", "mallcore.clock"} <= set(MODULES)
    assert "mallcore._version" not in MODULES
    assert "mallcore.__main__" not in MODULES
    assert set(MODULES_WITH_ALL) >= {"mallcore", "mallcore.money", "mallcore.errors"}


@pytest.mark.parametrize("name", MODULES)
def test_every_public_module_imports(name: str) -> None:
    assert load(name).__name__ == name


@pytest.mark.parametrize("name", MODULES_WITH_ALL)
def test_all_is_sorted_unique_and_resolvable(name: str) -> None:
    exported = load(name).__all__
    assert isinstance(exported, list | tuple)
    assert all(isinstance(item, str) for item in exported)
    assert len(set(exported)) == len(exported), f"{name}.__all__ has duplicates"
    # Plain sorted() or the order `ruff check --fix` writes (RUF022): both sort.
    assert list(exported) in (sorted(exported), sorted(exported, key=isort_style_key)), (
        f"{name}.__all__ is not sorted"
    )
    missing = [item for item in exported if not hasattr(load(name), item)]
    assert not missing, f"{name}.__all__ lists names it lacks: {missing}"


def test_the_sort_check_accepts_both_orders_and_nothing_else() -> None:
    names = ["ITEM_KINDS", "Promotion", "QUANTITY_KINDS", "__version__", "apply", "apply2"]
    assert sorted(names) == names
    assert sorted(names, key=isort_style_key) == [
        "ITEM_KINDS",
        "QUANTITY_KINDS",
        "Promotion",
        "__version__",
        "apply",
        "apply2",
    ]
    assert sorted(["x10", "x9"], key=isort_style_key) == ["x9", "x10"]


def test_the_top_level_exports_the_version() -> None:
    assert "__version__" in mallcore.__all__


def test_the_version_matches_the_installed_metadata() -> None:
    assert mallcore.__version__ == importlib.metadata.version("mallcore")


def test_the_package_is_marked_as_typed() -> None:
    assert (Path(mallcore.__file__).parent / "py.typed").is_file()
