"""A member account as a JSON-ready dict and back, exactly, for storage that keeps documents.

:func:`account_to_dict` writes every field of a
:class:`~mallcore.membership.account.MemberAccount` (its policies, birthday and
referrer, growth entries, tier history and points ledger entries, and the
growth value, tier and version they add up to) using only dicts, lists,
strings, integers, booleans and None:

- points and growth value are integers (points are not money: they have no
  currency and no minor units);
- instants are ISO-8601 strings in UTC (``2026-11-11T04:00:00+00:00``);
  :func:`account_from_dict` gives them back as timezone-aware UTC datetimes,
  equal to the instants written; the birthday is an ISO date (``1990-05-01``);
- ``"format": 1`` names the layout, so that a later layout can still read it.

The tier ladder is the programme's configuration, not the member's: it is not
written, and :func:`account_from_dict` takes it as ``tiers=``.
:func:`account_from_dict` checks what it reads and raises
:exc:`~mallcore.errors.ConfigError` naming the field
(``ledger_entries[3].lots[0]``, ``tier``, ...) for anything missing, of the
wrong type or inconsistent.

>>> from datetime import UTC, datetime
>>> from mallcore.membership import MemberAccount, Tier
>>> tiers = [Tier("member"), Tier("gold", 1000)]
>>> account = MemberAccount("u-42", tiers)
>>> at = datetime(2026, 11, 11, tzinfo=UTC)
>>> _ = account.earn_growth(1200, at=at, source="order-1", key="growth:order-1")
>>> _ = account.ledger.earn(300, at=at, source="order-1", key="earn:order-1")
>>> data = account_to_dict(account)
>>> data["tier"], data["growth"], data["version"], data["ledger_entries"][0]["expires_at"]
('gold', 1200, 3, '2027-11-11T00:00:00+00:00')
>>> again = account_from_dict(data, tiers=tiers)
>>> again.ledger.balance, account_to_dict(again) == data
(300, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from mallcore.checks import check_choice, invalid, nested
from mallcore.documents import field as _get
from mallcore.documents import instant as _utc_text
from mallcore.documents import items as _items
from mallcore.documents import mapping as _dict
from mallcore.documents import moment as _moment
from mallcore.documents import optional_moment as _optional_moment
from mallcore.documents import optional_text as _optional_text
from mallcore.documents import path as _path
from mallcore.documents import text as _text
from mallcore.documents import whole as _whole
from mallcore.errors import ConfigError
from mallcore.membership.account import GrowthEntry, MemberAccount, TierChange, as_tier_policy
from mallcore.membership.ledger import EntryKind, LedgerEntry, LedgerPolicy
from mallcore.membership.tiers import Tier

__all__ = ["account_from_dict", "account_to_dict", "ledger_entry_to_dict"]

#: The layout :func:`account_to_dict` writes and :func:`account_from_dict` reads.
_FORMAT = 1


# --------------------------------------------------------------------------- writing


def ledger_entry_to_dict(entry: LedgerEntry) -> dict[str, Any]:
    """One points ledger entry as :func:`account_to_dict` writes it (instants in UTC)."""
    return {
        "number": entry.number,
        "kind": entry.kind.value,
        "points": entry.points,
        "at": _instant(entry.at),
        "source": entry.source,
        "key": entry.key,
        "lots": [[lot, points] for lot, points in entry.lots],
        "expires_at": _instant(entry.expires_at),
        "redemption_key": entry.redemption_key,
    }


def account_to_dict(account: MemberAccount) -> dict[str, Any]:
    """Every field of *account* as a JSON-ready dict (``json.dumps`` takes it as it is).

    Points and growth value are integers; instants are ISO-8601 strings in
    UTC; the birthday is an ISO date. The tier ladder is not written (it is
    the programme's; :func:`account_from_dict` takes it as ``tiers=``).

    Args:
        account: The account to write.

    Returns:
        A dict with the keys ``format`` (1), ``member_id``, ``tier_policy``,
        ``ledger_policy`` (``expiry`` and ``months``), ``birthday``,
        ``referrer``, ``tier``, ``growth``, ``version``, ``growth_entries``,
        ``tier_history`` and ``ledger_entries``; :func:`account_from_dict`
        reads it back.
    """
    policy = account.ledger_policy
    return {
        "format": _FORMAT,
        "member_id": account.member_id,
        "tier_policy": account.tier_policy.value,
        "ledger_policy": {"expiry": policy.expiry.value, "months": policy.months},
        "birthday": None if account.birthday is None else account.birthday.isoformat(),
        "referrer": account.referrer,
        "tier": account.tier,
        "growth": account.growth,
        "version": account.version,
        "growth_entries": [
            {
                "number": entry.number,
                "growth": entry.growth,
                "at": _instant(entry.at),
                "source": entry.source,
                "key": entry.key,
            }
            for entry in account.growth_entries
        ],
        "tier_history": [
            {
                "at": _instant(change.at),
                "from_tier": change.from_tier,
                "to_tier": change.to_tier,
                "growth": change.growth,
                "reason": change.reason,
            }
            for change in account.tier_history
        ],
        "ledger_entries": [ledger_entry_to_dict(entry) for entry in account.ledger.entries],
    }


# --------------------------------------------------------------------------- reading


def _birthday(data: Mapping[str, Any]) -> date | None:
    value = _get(data, "", "birthday")
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise invalid("birthday", value, "must be an ISO date (YYYY-MM-DD) or null")


def _ledger_policy(data: Mapping[str, Any]) -> LedgerPolicy:
    raw = _mapping("ledger_policy", _get(data, "", "ledger_policy"))
    expiry = _get(raw, "ledger_policy", "expiry")
    months = _get(raw, "ledger_policy", "months")
    try:
        return LedgerPolicy(expiry, months)
    except ConfigError as exc:
        raise nested("ledger_policy", exc) from None


def _growth_entries(data: Mapping[str, Any]) -> list[GrowthEntry]:
    entries: list[GrowthEntry] = []
    for index, item in enumerate(_items(data, "", "growth_entries")):
        at = _path("growth_entries", index)
        raw = _mapping(at, item)
        number = _whole(raw, at, "number", minimum=1)
        if number != index + 1:
            raise invalid(_path(at, "number"), number, f"must be {index + 1}")
        entry = GrowthEntry(
            number,
            _whole(raw, at, "growth", minimum=None),
            _moment(raw, at, "at"),
            _text(raw, at, "source"),
            _text(raw, at, "key"),
        )
        entries.append(entry)
    return entries


def _tier_history(data: Mapping[str, Any]) -> list[TierChange]:
    history: list[TierChange] = []
    for index, item in enumerate(_items(data, "", "tier_history")):
        at = _path("tier_history", index)
        raw = _mapping(at, item)
        change = TierChange(
            _moment(raw, at, "at"),
            _optional_text(raw, at, "from_tier"),
            _optional_text(raw, at, "to_tier"),
            _whole(raw, at, "growth"),
            _text(raw, at, "reason", empty=True),
        )
        history.append(change)
    return history


def _lots(
    raw: Mapping[str, Any], at: str, opened: set[int], left: dict[int, int]
) -> tuple[tuple[int, int], ...]:
    """The entry's ``[lot, points]`` pairs: lots opened before (or by it), never overdrawn."""
    field = _path(at, "lots")
    lots: list[tuple[int, int]] = []
    for index, pair in enumerate(_items(raw, at, "lots")):
        where = _path(field, index)
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise invalid(where, pair, "must be a [lot, points] pair")
        lot, points = pair
        if isinstance(lot, bool) or not isinstance(lot, int) or lot not in opened:
            raise invalid(f"{where}[0]", lot, "is not a lot opened by this or an earlier entry")
        if isinstance(points, bool) or not isinstance(points, int) or not points:
            raise invalid(f"{where}[1]", points, "must be a whole number of points, not 0")
        left[lot] = left.get(lot, 0) + points
        if left[lot] < 0:
            raise invalid(f"{where}[1]", points, f"takes more than lot {lot} holds")
        lots.append((lot, points))
    return tuple(lots)


def _ledger_entries(data: Mapping[str, Any]) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    keys: set[str] = set()
    redemptions: set[str] = set()
    opened: set[int] = set()
    left: dict[int, int] = {}
    for index, item in enumerate(_items(data, "", "ledger_entries")):
        at = _path("ledger_entries", index)
        raw = _mapping(at, item)
        number = _whole(raw, at, "number", minimum=1)
        if number != index + 1:
            raise invalid(_path(at, "number"), number, f"must be {index + 1}")
        kind = check_choice(_path(at, "kind"), _get(raw, at, "kind"), EntryKind)
        points = _whole(raw, at, "points", minimum=None)
        moment = _moment(raw, at, "at")
        if entries and moment < entries[-1].at:
            reason = f"is before the previous entry ({entries[-1].at.isoformat()})"
            raise invalid(_path(at, "at"), raw["at"], reason)
        source = _text(raw, at, "source")
        key = _text(raw, at, "key")
        if key in keys:
            raise invalid(_path(at, "key"), key, "is the key of an earlier entry")
        expires_at = _optional_moment(raw, at, "expires_at")
        if expires_at is not None:
            opened.add(number)
        lots = _lots(raw, at, opened, left)
        redemption_key = _optional_text(raw, at, "redemption_key")
        if redemption_key is not None and redemption_key not in redemptions:
            reason = "is not the key of an earlier redemption"
            raise invalid(_path(at, "redemption_key"), redemption_key, reason)
        keys.add(key)
        if kind is EntryKind.REDEEM:
            redemptions.add(key)
        entry = LedgerEntry(
            number, kind, points, moment, source, key, lots, expires_at, redemption_key
        )
        entries.append(entry)
    return entries


def account_from_dict(data: Mapping[str, Any], *, tiers: Sequence[Tier]) -> MemberAccount:
    """The account :func:`account_to_dict` wrote (also after a JSON round trip).

    Instants are read as ISO-8601 strings with an offset and returned as
    timezone-aware datetimes in UTC. The account is rebuilt with
    :meth:`MemberAccount.restore <mallcore.membership.account.MemberAccount.restore>`:
    the idempotency keys of its growth moves and ledger entries are known
    again, so a move under a used key changes nothing, as before.

    Args:
        data: The dict :func:`account_to_dict` wrote.
        tiers: The programme's tier ladder, lowest first (it must hold the
            member's tier).

    Returns:
        An account whose :func:`account_to_dict` is *data* again, and which
        behaves as the account written did.

    Raises:
        ConfigError: A key missing, a value of the wrong type, an unknown
            format, policy or entry kind, entries out of order or numbered
            wrongly, a lot overdrawn, or a ``tier``, ``growth`` or ``version``
            that is not what the entries add up to; the error's ``field``
            names where (``ledger_entries[2].at``).
    """
    data = _mapping("", data)
    layout = _get(data, "", "format")
    if isinstance(layout, bool) or layout != _FORMAT:
        raise invalid("format", layout, f"must be {_FORMAT}, the layout this version reads")
    member_id = _text(data, "", "member_id")
    tier_policy = as_tier_policy(_get(data, "", "tier_policy"))
    ledger_policy = _ledger_policy(data)
    birthday = _birthday(data)
    referrer = _optional_text(data, "", "referrer")
    tier = _optional_text(data, "", "tier")
    growth = _whole(data, "", "growth")
    version = _whole(data, "", "version")
    account = MemberAccount.restore(
        member_id,
        tiers,
        tier_policy=tier_policy,
        ledger_policy=ledger_policy,
        birthday=birthday,
        referrer=referrer,
        growth_entries=_growth_entries(data),
        tier_history=_tier_history(data),
        ledger_entries=_ledger_entries(data),
    )
    if tier != account.tier:
        reason = f"is not where the tier history leads ({account.tier!r})"
        raise invalid("tier", tier, reason)
    if growth != account.growth:
        reason = f"is not the sum of the growth entries ({account.growth})"
        raise invalid("growth", growth, reason)
    if version != account.version:
        reason = f"is not the number of entries and tier changes ({account.version})"
        raise invalid("version", version, reason)
    return account


def _mapping(name: str, value: object) -> Mapping[str, Any]:
    return _dict(name or "account", value)


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else _utc_text(moment)
