"""Member accounts as JSON-ready dicts: exact round trips, restored accounts that behave the same.

The worked account earns, redeems, expires and claws back points, earns and loses growth
value, and moves tiers under ``hold_until_period_end``, at Shanghai time (+08:00), so that
every instant is converted to UTC on the way out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from mallcore.errors import ConfigError, InsufficientPointsError
from mallcore.membership import (
    GrowthEntry,
    LedgerPolicy,
    MemberAccount,
    Tier,
    TierChange,
    TierPolicy,
    account_from_dict,
    account_to_dict,
)
from mallcore.testing.strategies import corrupted_documents

SHANGHAI = timezone(timedelta(hours=8))
AT = datetime(2026, 1, 5, 20, tzinfo=SHANGHAI)
TIERS = [Tier("member"), Tier("silver", 500), Tier("gold", 2000)]


def through_json(account: MemberAccount) -> dict[str, Any]:
    return json.loads(json.dumps(account_to_dict(account)))  # type: ignore[no-any-return]


def round_trip(account: MemberAccount, tiers: Sequence[Tier] = TIERS) -> MemberAccount:
    return account_from_dict(through_json(account), tiers=tiers)


def behaviour(account: MemberAccount) -> tuple[object, ...]:
    """What a caller reads off an account, to compare a restored one with its original."""
    ledger = account.ledger
    return (
        account.member_id,
        account.version,
        account.growth,
        account.tier,
        account.tier_policy,
        account.ledger_policy,
        account.birthday,
        account.referrer,
        account.growth_entries,
        account.tier_history,
        ledger.balance,
        ledger.debt,
        ledger.entries,
        ledger.lots(),
        ledger.policy,
    )


def worked_account() -> MemberAccount:
    account = MemberAccount(
        "u-42",
        TIERS,
        tier_policy="hold_until_period_end",
        ledger_policy=LedgerPolicy(months=6),
        birthday=date(1990, 5, 1),
        referrer="u-7",
    )
    ledger = account.ledger
    ledger.earn(300, at=AT, source="order-1", key="earn:order-1")
    account.earn_growth(2100, at=AT, source="order-1", key="growth:order-1")  # member → gold
    later = AT + timedelta(days=30)
    ledger.earn(500, at=later, source="order-2", key="earn:order-2")
    ledger.redeem(350, at=later, source="order-3", key="redeem:order-3")
    ledger.return_points(
        100,
        at=later,
        source="order-3 cancelled",
        key="return:order-3",
        redemption_key="redeem:order-3",
    )
    ledger.expire_due(AT + timedelta(days=200))  # what is left of lot 1 expires
    # More than the balance: 100 points of debt, which the adjustment below pays off in part.
    ledger.clawback(600, at=AT + timedelta(days=201), source="order-2 refund", key="claw:order-2")
    account.claw_back_growth(1800, at=AT + timedelta(days=201), source="refund", key="g-claw:o-1")
    ledger.adjust(20, at=AT + timedelta(days=202), source="support", key="adj:1")
    return account


# --------------------------------------------------------------------------- examples


def test_the_worked_account_comes_back_exactly_through_json() -> None:
    account = worked_account()
    data = account_to_dict(account)
    assert json.loads(json.dumps(data)) == data  # JSON-ready
    restored = account_from_dict(json.loads(json.dumps(data)), tiers=TIERS)
    assert account_to_dict(restored) == data
    assert behaviour(restored) == behaviour(account)
    assert (restored.growth, restored.tier) == (300, "gold")  # held until the period closes
    assert restored.ledger.balance == account.ledger.balance
    assert [entry.kind.value for entry in restored.ledger.entries] == [
        "earn",
        "earn",
        "redeem",
        "return",
        "expire",
        "clawback",
        "adjust",
    ]


def test_the_dict_layout_holds_every_field_in_utc() -> None:
    data = through_json(worked_account())
    assert list(data) == [
        "format",
        "member_id",
        "tier_policy",
        "ledger_policy",
        "birthday",
        "referrer",
        "tier",
        "growth",
        "version",
        "growth_entries",
        "tier_history",
        "ledger_entries",
    ]
    assert data["format"] == 1
    assert data["tier_policy"] == "hold_until_period_end"
    assert data["ledger_policy"] == {"expiry": "months", "months": 6}
    assert (data["birthday"], data["referrer"]) == ("1990-05-01", "u-7")
    assert (data["tier"], data["growth"], data["version"]) == ("gold", 300, 10)
    assert data["growth_entries"][0] == {
        "number": 1,
        "growth": 2100,
        "at": "2026-01-05T12:00:00+00:00",  # 20:00 in Shanghai
        "source": "order-1",
        "key": "growth:order-1",
    }
    assert data["tier_history"] == [
        {
            "at": "2026-01-05T12:00:00+00:00",
            "from_tier": "member",
            "to_tier": "gold",
            "growth": 2100,
            "reason": "order-1",
        }
    ]
    assert data["ledger_entries"][0] == {
        "number": 1,
        "kind": "earn",
        "points": 300,
        "at": "2026-01-05T12:00:00+00:00",
        "source": "order-1",
        "key": "earn:order-1",
        "lots": [[1, 300]],
        "expires_at": "2026-07-05T12:00:00+00:00",
        "redemption_key": None,
    }
    assert data["ledger_entries"][3]["redemption_key"] == "redeem:order-3"


def test_instants_come_back_as_the_same_instants_in_utc() -> None:
    account = worked_account()
    restored = round_trip(account)
    assert restored.growth_entries == account.growth_entries
    assert restored.ledger.entries == account.ledger.entries
    assert restored.growth_entries[0].at == AT and restored.growth_entries[0].at.tzinfo is UTC
    assert all(entry.at.tzinfo is UTC for entry in restored.ledger.entries)
    assert all(expires.tzinfo is UTC for _, _, expires in restored.ledger.lots())


def test_a_restored_account_goes_on_exactly_as_the_original() -> None:
    account = worked_account()
    restored = round_trip(account)
    at = AT + timedelta(days=210)

    def go_on(each: MemberAccount) -> list[object]:
        ledger = each.ledger
        steps: list[object] = [ledger.earn(400, at=at, source="order-9", key="earn:order-9")]
        steps.append(ledger.redeem(100, at=at, source="order-10", key="redeem:order-10"))
        steps.append(ledger.expire_due(at + timedelta(days=400)))
        steps.append(each.close_period(at=at))  # the held gold falls to member
        steps.append(each.earn_growth(600, at=at, source="order-9", key="growth:order-9"))
        return steps

    assert go_on(restored) == go_on(account)
    assert account_to_dict(restored) == account_to_dict(account)
    assert behaviour(restored) == behaviour(account)
    assert restored.tier == "silver"


def test_used_keys_are_still_known_after_a_round_trip() -> None:
    account = worked_account()
    restored = round_trip(account)
    at = AT + timedelta(days=300)
    version = restored.version
    first = account.ledger.entry_for("earn:order-1")
    assert restored.ledger.earn(300, at=at, source="order-1", key="earn:order-1") == first
    growth = restored.earn_growth(2100, at=at, source="order-1", key="growth:order-1")
    assert growth == account.growth_entries[0]
    clawed = restored.claw_back_growth(1800, at=at, source="refund", key="g-claw:o-1")
    assert clawed == account.growth_entries[1]
    assert restored.version == version and account_to_dict(restored) == account_to_dict(account)
    with pytest.raises(ConfigError, match="key='growth:order-1' was already used"):
        restored.earn_growth(5, at=at, source="order-1", key="growth:order-1")
    with pytest.raises(ConfigError, match="key='earn:order-2' was already used"):
        restored.ledger.redeem(5, at=at, source="x", key="earn:order-2")
    # The return into redeem:order-3 is remembered: 250 more is all that is left to give back.
    with pytest.raises(ConfigError, match="more than the 250 point"):
        restored.ledger.return_points(
            251, at=at, source="x", key="return:2", redemption_key="redeem:order-3"
        )


def test_a_new_account_and_one_in_debt_round_trip() -> None:
    fresh = MemberAccount("u-1", TIERS)
    assert account_to_dict(round_trip(fresh)) == account_to_dict(fresh)
    indebted = MemberAccount("u-2", TIERS, ledger_policy=LedgerPolicy("end_of_following_year"))
    indebted.ledger.clawback(50, at=AT, source="refund", key="claw:1")
    restored = round_trip(indebted)
    assert (restored.ledger.balance, restored.ledger.debt) == (-50, 50)
    with pytest.raises(InsufficientPointsError):
        restored.ledger.redeem(1, at=AT, source="x", key="r")
    entry = restored.ledger.earn(80, at=AT, source="order", key="earn:1")  # pays the debt first
    assert entry.lots == ((2, 30),) and entry.expires_at == datetime(2028, 1, 1, tzinfo=SHANGHAI)


def test_no_tier_at_zero_growth_round_trips_as_null() -> None:
    tiers = [Tier("silver", 500)]
    account = MemberAccount("u-1", tiers)
    data = through_json(account)
    assert data["tier"] is None
    assert account_from_dict(data, tiers=tiers).tier is None


def test_the_ladder_passed_in_must_hold_the_members_tier() -> None:
    data = through_json(worked_account())
    with pytest.raises(ConfigError) as caught:
        account_from_dict(data, tiers=[Tier("member"), Tier("silver", 500)])
    assert caught.value.field == "tier"
    with pytest.raises(ConfigError) as caught:
        account_from_dict(data, tiers="gold")  # type: ignore[arg-type]
    assert caught.value.field == "tiers"


def test_restore_rebuilds_an_account_from_its_entries() -> None:
    account = worked_account()
    restored = MemberAccount.restore(
        "u-42",
        TIERS,
        tier_policy=TierPolicy.HOLD_UNTIL_PERIOD_END,
        ledger_policy=LedgerPolicy(months=6),
        birthday=date(1990, 5, 1),
        referrer="u-7",
        growth_entries=account.growth_entries,
        tier_history=account.tier_history,
        ledger_entries=account.ledger.entries,
    )
    assert behaviour(restored) == behaviour(account)
    assert MemberAccount.restore("u-1", TIERS).tier == "member"


@pytest.mark.parametrize(
    ("entries", "history", "field"),
    [
        ([GrowthEntry(2, 10, AT, "o", "k")], [], "growth_entries[0]"),
        ([GrowthEntry(1, 10, datetime(2026, 1, 1), "o", "k")], [], "growth_entries[0].at"),
        ([GrowthEntry(1, -10, AT, "o", "k")], [], "growth_entries[0].growth"),
        (
            [GrowthEntry(1, 10, AT, "o", "k"), GrowthEntry(2, 5, AT, "o", "k")],
            [],
            "growth_entries[1].key",
        ),
        ([], ["gold"], "tier_history[0]"),
        ([], [TierChange(AT, "member", "platinum", 9000, "o")], "tier"),
    ],
)
def test_restore_refuses_entries_that_do_not_add_up(
    entries: list[GrowthEntry], history: list[Any], field: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        MemberAccount.restore("u-1", TIERS, growth_entries=entries, tier_history=history)
    assert caught.value.field == field


# --------------------------------------------------------------------------- malformed input


def _set(path: Sequence[str | int], value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _remove(path: Sequence[str | int]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


MALFORMED: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("format", _set(["format"], "1")),
    ("format", _remove(["format"])),
    ("member_id", _remove(["member_id"])),
    ("member_id", _set(["member_id"], " ")),
    ("tier_policy", _set(["tier_policy"], "yearly")),
    ("ledger_policy", _set(["ledger_policy"], "months")),
    ("ledger_policy.expiry", _set(["ledger_policy", "expiry"], "never")),
    ("ledger_policy.months", _set(["ledger_policy", "months"], 0)),
    ("ledger_policy.months", _remove(["ledger_policy", "months"])),
    ("birthday", _set(["birthday"], "1 May 1990")),
    ("birthday", _set(["birthday"], 19900501)),
    ("referrer", _set(["referrer"], "u-42")),  # the member themself
    ("referrer", _remove(["referrer"])),
    ("tier", _set(["tier"], "silver")),
    ("tier", _set(["tier"], 2)),
    ("growth", _set(["growth"], 301)),
    ("growth", _set(["growth"], "300")),
    ("version", _set(["version"], 11)),
    ("growth_entries", _set(["growth_entries"], None)),
    ("growth_entries[0]", _set(["growth_entries", 0], [1, 2100])),
    ("growth_entries[1].number", _set(["growth_entries", 1, "number"], 3)),
    ("growth_entries[1].growth", _set(["growth_entries", 1, "growth"], -3000)),
    ("growth_entries[1].growth", _set(["growth_entries", 1, "growth"], 1.5)),
    ("growth_entries[0].at", _set(["growth_entries", 0, "at"], "2026-01-05")),
    ("growth_entries[1].key", _set(["growth_entries", 1, "key"], "growth:order-1")),
    ("growth_entries[0].source", _remove(["growth_entries", 0, "source"])),
    ("tier_history[0].at", _remove(["tier_history", 0, "at"])),
    ("tier_history[0].to_tier", _set(["tier_history", 0, "to_tier"], 3)),
    ("tier_history[0].growth", _set(["tier_history", 0, "growth"], None)),
    ("ledger_entries", _set(["ledger_entries"], {"1": {}})),
    ("ledger_entries[0]", _set(["ledger_entries", 0], "earn")),
    ("ledger_entries[1].number", _set(["ledger_entries", 1, "number"], 1)),
    ("ledger_entries[0].kind", _set(["ledger_entries", 0, "kind"], "gift")),
    ("ledger_entries[0].points", _set(["ledger_entries", 0, "points"], "300")),
    ("ledger_entries[1].at", _set(["ledger_entries", 1, "at"], "2025-01-01T00:00:00+00:00")),
    ("ledger_entries[1].at", _set(["ledger_entries", 1, "at"], "2026-02-04T12:00:00")),
    ("ledger_entries[1].key", _set(["ledger_entries", 1, "key"], "earn:order-1")),
    ("ledger_entries[1].source", _set(["ledger_entries", 1, "source"], "")),
    ("ledger_entries[0].lots", _set(["ledger_entries", 0, "lots"], "1:300")),
    ("ledger_entries[0].lots[0][0]", _set(["ledger_entries", 0, "lots", 0, 0], 9)),
    ("ledger_entries[0].lots[0][1]", _set(["ledger_entries", 0, "lots", 0, 1], 0)),
    ("ledger_entries[2].lots[0][1]", _set(["ledger_entries", 2, "lots", 0, 1], -301)),
    ("ledger_entries[0].lots[0][0]", _set(["ledger_entries", 0, "expires_at"], None)),
    ("ledger_entries[0].expires_at", _set(["ledger_entries", 0, "expires_at"], "soon")),
    (
        "ledger_entries[3].redemption_key",
        _set(["ledger_entries", 3, "redemption_key"], "earn:order-1"),
    ),
    ("ledger_entries[3].redemption_key", _remove(["ledger_entries", 3, "redemption_key"])),
]


@pytest.mark.parametrize(("field", "change"), MALFORMED)
def test_a_malformed_dict_raises_a_config_error_naming_the_field(
    field: str, change: Callable[[dict[str, Any]], None]
) -> None:
    data = through_json(worked_account())
    change(data)
    with pytest.raises(ConfigError) as caught:
        account_from_dict(data, tiers=TIERS)
    assert caught.value.field == field, str(caught.value)
    assert str(caught.value).startswith(f"{field}=")


@pytest.mark.parametrize("data", [None, [], "account", 1])
def test_something_that_is_not_a_dict_is_refused(data: Any) -> None:
    with pytest.raises(ConfigError, match=r"^account=.* must be a dict"):
        account_from_dict(data, tiers=TIERS)


# --------------------------------------------------------------------------- properties


TIME_ZONES = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
POINTS = st.integers(1, 2_000)
ACTIONS = st.one_of(
    st.tuples(st.just("time"), st.integers(0, 200)),
    st.tuples(st.just("earn"), POINTS),
    st.tuples(st.just("redeem"), POINTS),
    st.tuples(st.just("clawback"), POINTS),
    st.tuples(st.just("return"), st.integers(0, 5), POINTS),
    st.tuples(st.just("adjust"), st.integers(-2_000, 2_000).filter(bool)),
    st.tuples(st.just("expire")),
    st.tuples(st.just("replay"), st.integers(0, 30)),
    st.tuples(st.just("growth"), st.integers(1, 1_500)),
    st.tuples(st.just("claw_growth"), st.integers(1, 1_500)),
    st.tuples(st.just("close_period")),
)
REFUSED = (ConfigError, InsufficientPointsError)


class Runner:
    """Applies actions to one account and records what each gave back (a refusal as its class)."""

    def __init__(self, account: MemberAccount, now: datetime, serial: int = 0) -> None:
        self.account = account
        self.now = now
        self.serial = serial
        self.outcomes: list[object] = []

    def key(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}:{self.serial}"

    def attempt(self, call: Callable[[], object]) -> None:
        try:
            self.outcomes.append(call())
        except REFUSED as exc:
            self.outcomes.append(type(exc).__name__)

    def run(self, actions: Sequence[tuple[Any, ...]]) -> list[object]:
        for action in actions:
            self.step(*action)
        return self.outcomes

    def step(self, name: str, *args: Any) -> None:
        account, ledger, now = self.account, self.account.ledger, self.now
        if name == "time":
            self.now += timedelta(days=args[0])
        elif name == "earn":
            key = self.key("earn")
            self.attempt(lambda: ledger.earn(args[0], at=now, source="order", key=key))
        elif name == "redeem":
            key = self.key("redeem")
            self.attempt(lambda: ledger.redeem(args[0], at=now, source="order", key=key))
        elif name == "clawback":
            key = self.key("claw")
            self.attempt(lambda: ledger.clawback(args[0], at=now, source="refund", key=key))
        elif name == "return":
            redemptions = [e.key for e in ledger.entries if e.kind.value == "redeem"]
            of = redemptions[args[0] % len(redemptions)] if redemptions else None
            key = self.key("return")
            self.attempt(
                lambda: ledger.return_points(
                    args[1], at=now, source="cancel", key=key, redemption_key=of
                )
            )
        elif name == "adjust":
            key = self.key("adjust")
            self.attempt(lambda: ledger.adjust(args[0], at=now, source="support", key=key))
        elif name == "expire":
            self.attempt(lambda: ledger.expire_due(now))
        elif name == "replay":  # a used key again: nothing changes (or the same refusal)
            used = [*ledger.entries, *account.growth_entries]
            if used:
                entry = used[args[0] % len(used)]
                if isinstance(entry, GrowthEntry):
                    move = account.earn_growth if entry.growth > 0 else account.claw_back_growth
                    growth = max(abs(entry.growth), 1)
                    self.attempt(lambda: move(growth, at=now, source="again", key=entry.key))
                elif entry.kind.value == "earn":
                    points = entry.points
                    self.attempt(lambda: ledger.earn(points, at=now, source="x", key=entry.key))
                elif entry.kind.value == "clawback":
                    points = -entry.points
                    self.attempt(lambda: ledger.clawback(points, at=now, source="x", key=entry.key))
        elif name == "growth":
            key = self.key("growth")
            self.attempt(lambda: account.earn_growth(args[0], at=now, source="order", key=key))
        elif name == "claw_growth":
            key = self.key("claw-growth")
            self.attempt(
                lambda: account.claw_back_growth(args[0], at=now, source="refund", key=key)
            )
        elif name == "close_period":
            self.attempt(lambda: account.close_period(at=now))


#: Where the random actions start from (the deepest first: Hypothesis favours early entries).
_EARNED: list[tuple[Any, ...]] = [("earn", 800), ("growth", 600), ("time", 40), ("earn", 300)]
_SPENT = [*_EARNED, ("redeem", 900), ("return", 0, 200), ("growth", 1500), ("time", 200)]
STARTS: list[list[tuple[Any, ...]]] = [
    [
        *_SPENT,
        ("time", 200),
        ("expire",),
        ("clawback", 700),
        ("claw_growth", 1000),
        ("close_period",),
    ],
    [*_SPENT, ("claw_growth", 1800), ("clawback", 2000), ("earn", 50)],
    _SPENT,
    _EARNED,
    [],
]

LEDGER_POLICIES = st.sampled_from(
    [LedgerPolicy(), LedgerPolicy(months=3), LedgerPolicy("end_of_following_year")]
)


@given(
    st.sampled_from(TierPolicy),
    LEDGER_POLICIES,
    TIME_ZONES,
    st.sampled_from(STARTS),
    st.lists(ACTIONS, max_size=30),
    st.lists(ACTIONS, max_size=15),
)
def test_round_trips_are_exact_and_restored_accounts_behave_the_same(
    tier_policy: TierPolicy,
    ledger_policy: LedgerPolicy,
    zone: timezone,
    story: list[tuple[Any, ...]],
    before: list[tuple[Any, ...]],
    after: list[tuple[Any, ...]],
) -> None:
    account = MemberAccount("u-1", TIERS, tier_policy=tier_policy, ledger_policy=ledger_policy)
    start = datetime(2026, 1, 1, tzinfo=zone)
    first = Runner(account, start)
    first.run([*story, *before])
    ledger = account.ledger
    event(f"tier changes: {min(len(account.tier_history), 3)}")
    event(f"ledger entries: {min(len(ledger.entries) // 5 * 5, 15)}+")
    event(f"kinds: {sorted({entry.kind.value for entry in ledger.entries})}")
    event(f"in debt: {ledger.debt > 0}")

    data = account_to_dict(account)
    assert json.loads(json.dumps(data)) == data
    restored = account_from_dict(json.loads(json.dumps(data)), tiers=TIERS)
    assert account_to_dict(restored) == data
    assert behaviour(restored) == behaviour(account)

    # The same actions from here, with the same key counter, give the same results.
    again = Runner(restored, first.now, first.serial).run(after)
    assert again == Runner(account, first.now, first.serial).run(after)
    assert account_to_dict(restored) == account_to_dict(account)
    assert behaviour(restored) == behaviour(account)


@given(st.data())
def test_any_corrupted_field_gives_a_config_error_or_an_account(data: st.DataObject) -> None:
    corrupted = data.draw(corrupted_documents(through_json(worked_account()), words=("gold",)))
    try:
        restored = account_from_dict(corrupted, tiers=TIERS)
    except ConfigError as exc:
        assert exc.field, str(exc)
    else:
        assert isinstance(restored, MemberAccount)
