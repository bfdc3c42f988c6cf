"""The API reference shows the real defaults of attrs classes, never ``attr_dict[...]``.

docs/conf.py sets ``autodoc_preserve_defaults = True``, which reads defaults from the source of
each ``__init__``. For an attrs class that source is the ``__init__`` attrs generates, whose
defaults all read ``attr_dict['name'].default``; conf.py's ``setup`` connects a handler that
puts the class body's defaults there instead. These tests fail if that pairing comes apart.
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sphinx.ext.autodoc.preserve_defaults import update_defvalue
from sphinx.util.inspect import signature, stringify_signature

from mallcore.pricing import CatalogItem, PricingContext
from mallcore.promotions import Promotion

DOCS = Path(__file__).resolve().parents[1] / "docs"
EVENT = "autodoc-before-process-signature"


@pytest.fixture(scope="module")
def conf() -> dict[str, Any]:
    return runpy.run_path(str(DOCS / "conf.py"))


class FakeApp:
    """Just enough of ``sphinx.application.Sphinx`` for conf.py's ``setup``."""

    def __init__(self, conf: dict[str, Any]) -> None:
        self.config = SimpleNamespace(autodoc_preserve_defaults=conf["autodoc_preserve_defaults"])
        self.handlers: list[tuple[int, Callable[..., None]]] = []

    def connect(self, event: str, handler: Callable[..., None], priority: int = 500) -> int:
        if event == EVENT:
            self.handlers.append((priority, handler))
        return len(self.handlers)


@pytest.fixture
def rendered(conf: dict[str, Any]) -> Iterator[Callable[[type], str]]:
    """Render a class signature the way autodoc does: preserve defaults, then the event."""
    app = FakeApp(conf)
    if "setup" in conf:
        conf["setup"](app)
    handlers = [(500, lambda app, obj, bound: update_defvalue(app, obj, bound)), *app.handlers]
    touched: list[Any] = []

    def render(cls: type) -> str:
        init = cls.__init__
        touched.append(init)
        for _, handler in sorted(handlers, key=lambda pair: pair[0]):
            handler(app, init, True)
        return stringify_signature(signature(init, bound_method=True), show_annotation=False)

    yield render
    for init in touched:  # leave the classes as they were for the other tests
        init.__dict__.pop("__signature__", None)


def test_catalog_item_shows_its_real_defaults(rendered: Callable[[type], str]) -> None:
    text = rendered(CatalogItem)
    assert "attr_dict" not in text, text
    assert "category=None" in text
    assert "member_discount=True" in text
    assert "quantity_tiers=()" in text
    assert re.search(r"weight_kg=Decimal\('?0'?\)", text), text


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (Promotion, ["priority=0", "exclusive=False", "scope=Scope(", "window=Window("]),
        (PricingContext, ["points=None", "max_coupons_per_class=1", "customer=Customer("]),
    ],
)
def test_attrs_classes_show_no_attr_dict(
    rendered: Callable[[type], str], cls: type, expected: list[str]
) -> None:
    text = rendered(cls)
    assert "attr_dict" not in text, text
    for part in expected:
        assert part in text, text


@pytest.mark.slow
def test_a_real_autodoc_build_shows_real_defaults(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "index.rst").write_text(
        "Signatures\n==========\n\n"
        ".. autoclass:: mallcore.pricing.CatalogItem\n   :no-index:\n\n"
        ".. autoclass:: mallcore.promotions.Promotion\n   :no-index:\n",
        encoding="utf-8",
    )
    folders = [str(source), str(tmp_path / "out")]
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "text", "-c", str(DOCS), *folders],
        capture_output=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "index.txt").read_text(encoding="utf-8")
    assert "attr_dict" not in text, text
    assert "category=None" in text
    assert "scope=Scope(" in text
