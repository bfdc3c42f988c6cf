"""Localized text (product names) with babel's locale fallback chain.

A lookup for ``zh_Hant_TW`` tries ``zh_Hant_TW``, then ``zh_Hant``, then ``zh``,
then the default locale. Locale tags are normalized by babel, so ``zh_TW``,
``zh-Hant-TW`` and ``zh_Hant_TW`` name the same entry (babel adds the likely
script: ``zh_TW`` is traditional Chinese, ``zh_CN`` simplified).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import attrs

from mallcore.errors import ConfigError
from mallcore.money import get_locale

__all__ = ["LocalizedText", "fallback_chain", "normalize_locale"]


@lru_cache(maxsize=512)
def normalize_locale(tag: str) -> str:
    """Return babel's canonical spelling of a locale tag.

    Raises:
        ConfigError: If babel does not know the locale.

    >>> normalize_locale("zh-TW"), normalize_locale("en")
    ('zh_Hant_TW', 'en')
    """
    if not isinstance(tag, str) or not tag.strip():
        msg = f"locale={tag!r} must be a locale tag such as 'zh_CN' or 'en'"
        raise ConfigError(msg)
    return str(get_locale(tag.strip().replace("-", "_")))


@lru_cache(maxsize=512)
def fallback_chain(tag: str) -> tuple[str, ...]:
    """The locales tried for *tag*, most specific first (the default is not included).

    >>> fallback_chain("zh_TW")
    ('zh_Hant_TW', 'zh_Hant', 'zh')
    >>> fallback_chain("en_US")
    ('en_US', 'en')
    """
    locale = get_locale(normalize_locale(tag))
    chain = [str(locale)]
    if locale.script:
        chain.append(f"{locale.language}_{locale.script}")
    chain.append(locale.language)
    return tuple(dict.fromkeys(chain))


def _normalized(texts: Mapping[str, object]) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for tag, text in dict(texts).items():
        if not isinstance(text, str):
            msg = f"name for locale {tag!r} must be a string, got {text!r}"
            raise ConfigError(msg)
        key = normalize_locale(tag)
        if key in out:
            msg = f"locales {tag!r} and another tag both mean {key!r}; give one name per locale"
            raise ConfigError(msg)
        out[key] = text
    return out


def _normalized_default(tag: str) -> str:
    return normalize_locale(tag)


@attrs.frozen
class LocalizedText:
    """Text in several locales, one of which is the default.

    Args:
        texts: Locale tag → text. Tags are normalized with :func:`normalize_locale`.
        default: The locale used when no locale of the fallback chain has a text;
            it must be one of *texts*.

    >>> name = LocalizedText({"en": "T-shirt", "zh": "T恤衫", "zh_Hant": "T恤"}, default="en")
    >>> name.get("zh_TW"), name.get("zh_CN"), name.get("fr"), name.get()
    ('T恤', 'T恤衫', 'T-shirt', 'T-shirt')
    """

    texts: Mapping[str, str] = attrs.field(converter=_normalized)
    default: str = attrs.field(converter=_normalized_default)

    @default.validator
    def _default_has_text(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in self.texts:
            msg = f"default locale {value!r} has no text (locales: {sorted(self.texts)!r})"
            raise ConfigError(msg)

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.texts.items())), self.default))

    def get(self, locale: str | None = None) -> str:
        """The text for *locale*, following the fallback chain, else the default text.

        ``zh_SG`` tries ``zh_Hans_SG``, ``zh_Hans`` and ``zh``; a text stored
        for ``zh_CN`` (``zh_Hans_CN``) is a sibling, not an ancestor, so it is
        not used for ``zh_SG``.
        """
        if locale:
            texts = self.texts
            for tag in fallback_chain(locale):
                text = texts.get(tag)
                if text is not None:
                    return text
        return self.texts[self.default]
