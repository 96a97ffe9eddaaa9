"""Hypothesis strategies for relationship layers, health, early warning and hygiene.

Importing this module registers a strategy for each value type it draws, so
``st.from_type(HealthComponents)`` works. `periods` is the one of
[`accountcare.testing.strategies`][accountcare.testing.strategies], which registers it
for ``st.from_type(Period)``.

>>> from hypothesis import given
>>> @given(periods())
... def test(period):
...     assert period.days >= 1
>>> test()
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Interaction, InteractionKind, Order, Outcome
from accountcare.domain.contacts import Contact, ContactRole, RelationshipLayer
from accountcare.domain.health import HealthComponents, HealthWeights
from accountcare.domain.pdca import PdcaCycle, PdcaStage, PdcaStep
from accountcare.domain.periods import Period
from accountcare.domain.relationships import LayerRequirement, TeamAssignment, TeamRole
from accountcare.domain.visibility import NOTE_KIND, VisibilityPolicy, record_paths
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.testing._strategies.book import periods

__all__ = [
    "contacts_of",
    "health_components",
    "health_weights",
    "interactions_with",
    "layer_requirements",
    "lost_account_reviews",
    "orders_of",
    "pdca_cycles",
    "periods",
    "team_assignments",
    "visibility_policies",
]

_IDS = st.text(alphabet="abcdef0123456789", min_size=1, max_size=5)
_FIRST = date(2020, 1, 1)
_LAST = date(2030, 12, 31)
_UNIT = st.floats(min_value=0, max_value=1, allow_nan=False)


def health_components() -> st.SearchStrategy[HealthComponents]:
    return st.builds(HealthComponents, _UNIT, _UNIT, _UNIT, _UNIT, _UNIT, _UNIT)


@st.composite
def health_weights(draw: st.DrawFn) -> HealthWeights:
    """Weights in [0, 1], never all zero."""
    values = draw(st.lists(st.floats(0, 1, allow_nan=False), min_size=6, max_size=6))
    if not any(values):
        values[draw(st.integers(0, 5))] = 1.0
    return HealthWeights(*values)


def team_assignments(
    accounts: tuple[str, ...] = ("a", "b", "c", "d"),
) -> st.SearchStrategy[TeamAssignment]:
    return st.builds(
        TeamAssignment,
        st.sampled_from(accounts),
        st.sampled_from(TeamRole),
        st.sampled_from(("li", "kim", "sato", "wang", "park")),
    )


def lost_account_reviews() -> st.SearchStrategy[LostAccountReview]:
    return st.builds(
        LostAccountReview,
        _IDS,
        st.sampled_from(RootCause),
        st.just("lost the tender on price"),
        _IDS,
        st.dates(_FIRST, _LAST),
    )


@st.composite
def layer_requirements(draw: st.DrawFn, tier: str = "A") -> LayerRequirement:
    layers = draw(st.lists(st.sampled_from(RelationshipLayer), unique=True, max_size=3))
    return LayerRequirement(
        tier,
        {layer: draw(st.integers(0, 4)) for layer in layers},
        decision_maker=draw(st.booleans()),
        executive_sponsor=draw(st.booleans()),
        touch_within_days=draw(st.integers(1, 365)),
    )


@st.composite
def pdca_cycles(draw: st.DrawFn) -> PdcaCycle:
    """A cycle in its first round at any stage before closing."""
    stages = [PdcaStage.PLAN, PdcaStage.DO, PdcaStage.CHECK, PdcaStage.ACT]
    depth = draw(st.integers(1, 4))
    day = draw(st.dates(_FIRST, _LAST))
    steps = []
    for n, stage in enumerate(stages[:depth]):
        due = day + timedelta(days=7 * n)
        done = due if n < depth - 1 else None
        steps.append(PdcaStep(stage, 1, "rep", due, done, "noted" if done else ""))
    return PdcaCycle(draw(_IDS), draw(_IDS), "deepen the relationship", tuple(steps))


@st.composite
def visibility_policies(draw: st.DrawFn) -> VisibilityPolicy:
    """Departments (the usual ones and invented ones) granted some of the field paths of
    accounts and contacts and some kinds of note, the rest hidden or not ruled on."""
    notes = (NOTE_KIND + kind for kind in ("behaviour", "finance", "people", "personal", "visit"))
    paths = sorted(record_paths(Account) | record_paths(Contact) | set(notes))
    names = st.sampled_from(["sales", "product", "technical support", "service", "finance"])
    departments = draw(
        st.dictionaries(
            names
            | st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).filter(str.strip),
            st.frozensets(st.sampled_from(paths), max_size=8),
            max_size=4,
        )
    )
    hidden = draw(st.frozensets(st.sampled_from(paths), max_size=6))
    return VisibilityPolicy(departments, hidden)


def contacts_of(account_id: str, max_size: int = 8) -> st.SearchStrategy[list[Contact]]:
    """Contacts of one account with distinct ids and any role and layer."""
    kinds = st.tuples(st.sampled_from(ContactRole), st.sampled_from(RelationshipLayer))
    return st.lists(kinds, max_size=max_size).map(
        lambda drawn: [
            Contact(id=f"c{n}", account_id=account_id, name="someone", role=role, layer=layer)
            for n, (role, layer) in enumerate(drawn)
        ]
    )


@st.composite
def interactions_with(
    draw: st.DrawFn, contacts: list[Contact], as_of: date, max_size: int = 10
) -> list[Interaction]:
    """Interactions with some of ``contacts`` in the year before ``as_of``."""
    if not contacts:
        return []
    result = []
    for n in range(draw(st.integers(0, max_size))):
        contact = draw(st.sampled_from(contacts))
        day = as_of - timedelta(days=draw(st.integers(0, 365)))
        result.append(
            Interaction(
                id=f"i{n}",
                account_id=contact.account_id,
                occurred_at=datetime.combine(day, time(10), tzinfo=UTC),
                kind=draw(st.sampled_from(InteractionKind)),
                by=draw(st.sampled_from(("li", "kim"))),
                contact_id=contact.id,
                outcome=draw(st.sampled_from(Outcome)),
            )
        )
    return result


@st.composite
def orders_of(
    draw: st.DrawFn, account_ids: tuple[str, ...], window: Period, max_size: int = 30
) -> list[Order]:
    """Orders of the given accounts inside ``window`` with whole-cent amounts."""
    result = []
    for n in range(draw(st.integers(0, max_size))):
        day = window.start + timedelta(days=draw(st.integers(0, window.days - 1)))
        cents = draw(st.integers(1, 10_000_00))
        result.append(
            Order(
                id=f"o{n}",
                account_id=draw(st.sampled_from(account_ids)),
                ordered_on=day,
                amount=Decimal(cents) / 100,
            )
        )
    return result


st.register_type_strategy(HealthComponents, health_components())
st.register_type_strategy(HealthWeights, health_weights())
st.register_type_strategy(TeamAssignment, team_assignments())
st.register_type_strategy(LostAccountReview, lost_account_reviews())
st.register_type_strategy(LayerRequirement, layer_requirements())
st.register_type_strategy(PdcaCycle, pdca_cycles())
st.register_type_strategy(VisibilityPolicy, visibility_policies())
