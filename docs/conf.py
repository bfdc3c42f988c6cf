"""Sphinx configuration for the mallcore documentation.

Build with ``make docs`` (``sphinx-build -W -q -b html docs docs/_build/html``):
warnings are errors, so a broken reference or a malformed docstring fails the
build instead of shipping quietly.
"""

from __future__ import annotations

import sys
from pathlib import Path

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
