"""The exception tree: one root, the built-in bases it promises, messages that name the inputs."""

from __future__ import annotations

import builtins
import inspect
import pickle
import re

import pytest

from mallcore import errors
from mallcore.errors import (
    ConfigError,
    CurrencyMismatchError,
    InsufficientStockError,
    InvalidAmountError,
    InvalidTransitionError,
    MallcoreError,
    UndeliverableError,
    UnknownCurrencyError,
)

# One line of the tree in the module docstring, e.g. "    │   ├── InvalidAmountError (ValueError)".
TREE_LINE = re.compile(r"^(?P<indent>[ │├└─]*)(?P<name>[A-Z]\w*)(?: \((?P<base>\w+)\))?")


def drawn_tree() -> list[tuple[str, str | None, str | None]]:
    """``(class, parent in the drawing, built-in base)`` for every class in the docstring tree."""
    doc = errors.__doc__ or ""
    block = doc.split("::", 1)[1]
    rows: list[tuple[str, str | None, str | None]] = []
    path: list[str] = []
    for line in block.splitlines():
        match = TREE_LINE.match(line)
        if not line.strip() or not match:
            continue
        # The root sits at a 4-space indent; every level below it adds 4 columns.
        depth = (len(match["indent"]) - 4) // 4
        del path[depth:]
        rows.append((match["name"], path[-1] if path else None, match["base"]))
        path.append(match["name"])
    return rows


def test_the_docstring_draws_the_tree() -> None:
    rows = drawn_tree()
    assert rows[0] == ("MallcoreError", None, None)
    assert ("UnknownCurrencyError", "ConfigError", None) in rows
    assert ("CurrencyMismatchError", "PricingError", "TypeError") in rows


def test_the_drawing_lists_exactly_the_exported_classes() -> None:
    assert sorted(name for name, _, _ in drawn_tree()) == sorted(errors.__all__)


@pytest.mark.parametrize(("name", "parent", "base"), drawn_tree(), ids=lambda v: str(v))
def test_each_class_derives_from_what_the_drawing_says(
    name: str, parent: str | None, base: str | None
) -> None:
    cls = getattr(errors, name)
    if parent is not None:
        assert [b for b in cls.__bases__ if issubclass(b, MallcoreError)] == [
            getattr(errors, parent)
        ]
    if base is not None:
        assert issubclass(cls, getattr(builtins, base))


@pytest.mark.parametrize("name", errors.__all__)
def test_every_exported_error_derives_from_mallcore_error(name: str) -> None:
    cls = getattr(errors, name)
    assert isinstance(cls, type)
    assert issubclass(cls, MallcoreError)
    assert issubclass(cls, Exception)
    # Every error class has a docstring that says why the error exists.
    assert (cls.__doc__ or "").strip()


def test_errors_all_is_sorted() -> None:
    assert errors.__all__ == sorted(errors.__all__)


@pytest.mark.parametrize(
    ("cls", "base"),
    [
        (ConfigError, ValueError),
        (UnknownCurrencyError, ConfigError),
        (UnknownCurrencyError, ValueError),
        (CurrencyMismatchError, TypeError),
        (InvalidAmountError, ValueError),
    ],
)
def test_built_in_bases_keep_plain_except_clauses_working(
    cls: type[Exception], base: type[Exception]
) -> None:
    assert issubclass(cls, base)


def test_plain_except_value_error_catches_an_invalid_amount() -> None:
    with pytest.raises(ValueError, match="price"):
        raise InvalidAmountError("price='9.999' has more decimals than CNY allows (2)")


# --------------------------------------------------------------------------- messages


def test_unknown_currency_names_the_code() -> None:
    error = UnknownCurrencyError("RMB")
    assert error.code == "RMB"
    assert "'RMB'" in str(error)
    assert "'CNY'" in str(error)  # the usual fix


def test_currency_mismatch_names_both_currencies() -> None:
    error = CurrencyMismatchError("CNY", "USD")
    assert (error.left, error.right) == ("CNY", "USD")
    assert str(error) == "Cannot combine amounts in CNY and USD."


def test_currency_mismatch_can_say_where() -> None:
    error = CurrencyMismatchError("CNY", "USD", context="cart line 'MUG-WHITE'")
    assert str(error) == "Cannot combine amounts in CNY and USD (cart line 'MUG-WHITE')."


def test_insufficient_stock_names_the_sku_and_both_counts() -> None:
    error = InsufficientStockError("TEE-RED-M", requested=5, available=2)
    assert (error.sku, error.requested, error.available) == ("TEE-RED-M", 5, 2)
    message = str(error)
    assert "'TEE-RED-M'" in message
    assert "asked for 5" in message
    assert "2 available" in message


def test_undeliverable_names_the_sku_region_and_template() -> None:
    error = UndeliverableError("MUG-WHITE", "XZ", template="standard")
    assert (error.sku, error.region, error.template) == ("MUG-WHITE", "XZ", "standard")
    message = str(error)
    assert "'MUG-WHITE'" in message
    assert "'XZ'" in message
    assert "'standard'" in message


def test_undeliverable_without_a_template_does_not_mention_one() -> None:
    error = UndeliverableError("MUG-WHITE", "XZ")
    assert error.template == ""
    assert "template" not in str(error)


def test_invalid_transition_names_subject_state_and_action() -> None:
    error = InvalidTransitionError("o-1", "draft", "pay")
    assert (error.subject, error.state, error.action) == ("o-1", "draft", "pay")
    assert str(error) == "Can't pay 'o-1' while it is draft."


def _an_instance(cls: type[MallcoreError]) -> MallcoreError:
    """An instance built through the class's own constructor, whatever its parameters."""
    params = [
        p
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind is not p.VAR_POSITIONAL and p.kind is not p.VAR_KEYWORD
    ]
    if not params:
        return cls(f"a {cls.__name__} happened")
    values: dict[str, object] = {}
    for p in params:
        values[p.name] = ["a", "b"] if p.name == "problems" else 3 if p.annotation == "int" else "x"
    positional = [values[p.name] for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    keywords = {p.name: values[p.name] for p in params if p.kind is p.KEYWORD_ONLY}
    return cls(*positional, **keywords)


@pytest.mark.parametrize("name", errors.__all__)
def test_every_error_pickles_with_its_message_and_attributes(name: str) -> None:
    error = _an_instance(getattr(errors, name))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert vars(copy) == vars(error)
