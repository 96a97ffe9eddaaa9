"""PDCA follow-up cycles for key relationships.

Key relationships are developed in cycles: plan the follow-up, do the visits, check the
feedback, act to adjust. A [`PdcaCycle`][accountcare.domain.pdca.PdcaCycle]
is a small state machine: plan -> do -> check -> act -> plan (the next round) or closed.
Each step has an owner, a due date and, once done, a record. Transitions are made by
[`advance`][accountcare.policies.relationships.pdca.advance]; an illegal one raises
[`IllegalTransition`][accountcare.domain.pdca.IllegalTransition].
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import attrs

from accountcare.domain import _validate as v
from accountcare.errors import AccountcareError, InvalidRecord

__all__ = ["TRANSITIONS", "IllegalTransition", "OverdueStep", "PdcaCycle", "PdcaStage", "PdcaStep"]


class PdcaStage(enum.Enum):
    PLAN = "plan"
    DO = "do"
    CHECK = "check"
    ACT = "act"
    CLOSED = "closed"


# The only legal moves; act leads to the next round's plan or closes the cycle.
TRANSITIONS: Mapping[PdcaStage, frozenset[PdcaStage]] = MappingProxyType(
    {
        PdcaStage.PLAN: frozenset({PdcaStage.DO}),
        PdcaStage.DO: frozenset({PdcaStage.CHECK}),
        PdcaStage.CHECK: frozenset({PdcaStage.ACT}),
        PdcaStage.ACT: frozenset({PdcaStage.PLAN, PdcaStage.CLOSED}),
        PdcaStage.CLOSED: frozenset(),
    }
)
"""The PDCA cycle: plan -> do -> check -> act -> plan again, or closed."""


class IllegalTransition(AccountcareError, ValueError):
    """A PDCA cycle was asked to move in a way the cycle does not allow."""


@attrs.frozen
class PdcaStep:
    """One step of one round: its stage, owner, due date, and when done, the record."""

    stage: PdcaStage = attrs.field(validator=v.in_enum(PdcaStage))
    round: int = attrs.field(validator=[v.typed(int), v.positive])
    owner: str = attrs.field(validator=v.an_id)
    due_on: date = attrs.field(validator=v.plain_date)
    done_on: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    record: str = attrs.field(default="", validator=v.a_text)

    @property
    def done(self) -> bool:
        return self.done_on is not None


@attrs.frozen
class PdcaCycle:
    """A follow-up cycle for one key relationship (an account, optionally one contact).

    ``steps`` is the whole history, oldest first; the last step is the current one
    (done only when the cycle is closed).
    """

    id: str = attrs.field(validator=v.an_id)
    account_id: str = attrs.field(validator=v.an_id)
    goal: str = attrs.field(validator=v.a_text)
    steps: tuple[PdcaStep, ...] = attrs.field(converter=v.as_tuple)
    contact_id: str | None = attrs.field(default=None, validator=v.optional(v.an_id))

    def __attrs_post_init__(self) -> None:
        if not self.steps:
            raise InvalidRecord(v.record_label(self), "steps", "must hold at least the plan")

    @property
    def current(self) -> PdcaStep:
        return self.steps[-1]

    @property
    def stage(self) -> PdcaStage:
        return self.current.stage

    @property
    def round(self) -> int:
        return self.current.round

    @property
    def closed(self) -> bool:
        return self.stage is PdcaStage.CLOSED


@attrs.frozen
class OverdueStep:
    """A cycle's current step not done by its due date."""

    cycle_id: str = attrs.field(validator=v.an_id)
    account_id: str = attrs.field(validator=v.an_id)
    step: PdcaStep = attrs.field(validator=v.typed(PdcaStep))
    days_overdue: int = attrs.field(validator=v.positive)
