"""Sphinx configuration for the mallcore documentation.

Build with ``make docs`` (``sphinx-build -W -q -b html docs docs/_build/html``):
warnings are errors, so a broken reference or a malformed docstring fails the
build instead of shipping quietly.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from pathlib import Path
from typing import Any

import attrs

# Import the package from the working tree even when it is not installed, so a
# fresh checkout documents the code it holds, not an older installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mallcore import __version__

# -- Project -------------------------------------------------------------------

project = "mallcore"
author = "mallcore maintainers"
copyright = "2026, mallcore maintainers"
version = ".".join(__version__.split(".")[:2])
release = __version__

# -- General -------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "myst_parser",
]
# sphinx.ext.intersphinx is deliberately off: it downloads objects.inv from
# docs.python.org, attrs, pydantic, babel, ... at build time, and the build
# machines are offline. A failed download is a warning, and -W makes it fatal.
# Until the inventories are vendored, names of other projects render as plain
# code instead of links.

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
language = "en"

# Unresolved references to other projects' names (Decimal, moneyed.Money, ...)
# are expected without intersphinx; nitpicky mode would turn each into an error.
nitpicky = False
# Subpackages may each define a class of the same short name (a pricing
# ``Line`` and an orders ``Line``), and types in Args/Raises fields are looked
# up by short name, so one name can match two documented objects. Sphinx then
# links the first match and warns; under -W that would fail the build for a
# docstring that is fine. That one category stays quiet: write the dotted path
# (``:class:`mallcore.orders.Line```) where the exact target matters.
suppress_warnings = ["ref.python"]

add_module_names = False
python_use_unqualified_type_names = True

# -- autodoc and napoleon --------------------------------------------------------

# Document each public object once, where users import it from: one reference
# page per subpackage (``.. automodule:: mallcore.pricing``, whose members come
# from its ``__all__``). autodoc registers a re-exported class under its
# defining module too (``:canonical:``), so showing the same class through two
# re-exporting modules (say ``mallcore`` and ``mallcore.pricing``) is a
# "duplicate object description" error; the second page must say ``:no-index:``.
autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
    "show-inheritance": True,
}
autodoc_typehints = "description"
autodoc_typehints_format = "short"
# Show defaults as the source writes them (``step=timedelta(hours=12)``, not
# ``datetime.timedelta(seconds=43200)``). For an attrs class, though, the
# "source" is the __init__ that attrs generates, whose defaults all read
# ``attr_dict['name'].default``; ``_attrs_defaults_as_written`` (connected in
# ``setup`` below) puts the field's default from the class body there instead.
autodoc_preserve_defaults = True
autodoc_class_signature = "mixed"
# No autodoc_mock_imports: `make docs` installs every extra (sql, redis, xlsx,
# ...), and a mocked SQLAlchemy would document fake base classes. Adapters
# import their back-end lazily anyway, so importing them is cheap.

napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_include_init_with_doc = False
napoleon_use_rtype = False
# "Attributes:" sections become :ivar: fields rather than attribute entries, so
# an attrs field that also has a ``#:`` comment is not described twice.
napoleon_use_ivar = True
napoleon_attr_annotations = True

# -- doctest -------------------------------------------------------------------

# pytest is the doctest runner (``--doctest-modules --doctest-glob='*.rst'``):
# it runs every ``>>>`` block of these pages and of the docstrings, the latter
# with their module's globals. Sphinx's doctest builder would run docstrings
# pulled in by autodoc without those globals and fail on correct examples, so
# it only runs explicit ``.. doctest::`` directives. pytest knows no
# ``testsetup`` blocks either: every page imports what it uses itself.
doctest_test_doctest_blocks = ""

# -- myst ----------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- HTML ----------------------------------------------------------------------

html_theme = "furo"
html_title = f"mallcore {release}"
html_static_path: list[str] = []
html_show_sourcelink = False


# -- attrs defaults ------------------------------------------------------------

_ATTRS_SOURCE = "<attrs generated"


class _Written:
    """A default value shown as source text (what ``autodoc_preserve_defaults`` does)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _attrs_class_of(function: Any) -> type | None:
    """The attrs class whose generated ``__init__`` *function* is, else None."""
    function = getattr(function, "__func__", function)
    code = getattr(function, "__code__", None)
    if code is None or not code.co_filename.startswith(_ATTRS_SOURCE):
        return None
    owner: Any = sys.modules.get(function.__module__)
    for name in function.__qualname__.split(".")[:-1]:
        owner = getattr(owner, name, None)
    return owner if isinstance(owner, type) and attrs.has(owner) else None


def _segment(source: str, node: ast.expr) -> str | None:
    """*node* as written (one line), or None when it names a private constant (``_ZERO``)."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    if name.startswith("_"):
        return None
    text = ast.get_source_segment(source, node)
    return text if text is not None and "\n" not in text else ast.unparse(node)


def _written_default(value: ast.expr, source: str) -> str | None:
    """A field's default as its class body writes it; None: show the value's repr instead."""
    call = value if isinstance(value, ast.Call) else None
    func = call.func if call is not None else None
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if call is None or name not in {"field", "ib", "attrib"}:
        return _segment(source, value)
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    if "default" in keywords:
        return _segment(source, keywords["default"])
    factory = keywords.get("factory")
    written = _segment(source, factory) if isinstance(factory, ast.Name | ast.Attribute) else None
    return None if written is None else f"{written}()"


def _defaults_as_written(cls: type) -> dict[str, str]:
    """Field name -> default as the class body (or a base's) writes it, where it can be shown."""
    written: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not attrs.has(klass):
            continue
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        source = textwrap.dedent(source)
        body = ast.parse(source).body[0]
        if not isinstance(body, ast.ClassDef):
            continue
        for node in body.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                text = node.value and _written_default(node.value, source)
                if text is not None:
                    written[node.target.id] = text
                else:
                    written.pop(node.target.id, None)
    return written


def _attrs_defaults_as_written(app: Any, obj: Any, bound_method: bool) -> None:
    """Give an attrs ``__init__`` the defaults of its class body, not ``attr_dict[...]``."""
    cls = _attrs_class_of(obj)
    if cls is None:
        return
    function = getattr(obj, "__func__", obj)
    function.__dict__.pop("__signature__", None)  # what preserve_defaults wrote
    signature = inspect.signature(function)
    written = _defaults_as_written(cls)
    by_alias = {
        getattr(field, "alias", None) or field.name: field.name for field in attrs.fields(cls)
    }
    parameters = [
        parameter.replace(default=_Written(written[by_alias[parameter.name]]))
        if parameter.default is not parameter.empty and by_alias.get(parameter.name) in written
        else parameter
        for parameter in signature.parameters.values()
    ]
    function.__signature__ = signature.replace(parameters=parameters)


def setup(app: Any) -> dict[str, Any]:
    # After autodoc's own preserve_defaults step (priority 500 where it is a
    # handler of this event; Sphinx 9 runs it before emitting the event).
    app.connect("autodoc-before-process-signature", _attrs_defaults_as_written, priority=600)
    return {"parallel_read_safe": True}
