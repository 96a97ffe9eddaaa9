"""The integers the columns hold instead of values, and the orders they sort in.

Kinds, channels and drop reasons are small integers (their place in the enum, or a
code), so a column of them is one numpy array; the tables here turn them back into
values when a task is built. Priorities and template keys come from
`accountcare.domain.care_rules.OCCASION_RULES`.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from accountcare.domain.care import CareKind, DropReason
from accountcare.domain.care_rules import OCCASION_RULE, PRIORITY
from accountcare.domain.contacts import Channel

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

KINDS = tuple(CareKind)
INDEX = MappingProxyType({kind: n for n, kind in enumerate(KINDS)})
CHANNELS = tuple(Channel)
CHANNEL_INDEX = MappingProxyType({channel: n for n, channel in enumerate(CHANNELS)})
RANKS = np.array([PRIORITY[kind] for kind in KINDS], np.int64)
# The template key of each kind whose key names no occasion (birthday, survey...).
TEMPLATES = tuple(OCCASION_RULE[kind].template_key() for kind in KINDS)
# A contact's touches sort by (day, priority, kind index, texts); its carried touches by
# (day, priority, kind value, occasion): each kind's place in both orders.
KIND_ORDER = np.argsort(np.lexsort((np.arange(len(KINDS)), RANKS)))
KIND_OF_ORDER = np.argsort(KIND_ORDER)
CARRY_ORDER = np.argsort(sorted(range(len(KINDS)), key=lambda n: (RANKS[n], KINDS[n].value)))
for _table in (RANKS, KIND_ORDER, KIND_OF_ORDER, CARRY_ORDER):
    _table.flags.writeable = False  # shared by every schedule: read-only
BIRTHDAY = INDEX[CareKind.BIRTHDAY]
USAGE = INDEX[CareKind.AFTER_SALE_USAGE]
FEEDBACK = INDEX[CareKind.AFTER_SALE_FEEDBACK]
SURVEY = INDEX[CareKind.SURVEY]
YEARS = 10_000  # a survey's reference: account number * YEARS + year

OPTED_OUT, NO_CHANNEL, DUPLICATE, CEILING = 1, 2, 3, 4
REASONS = MappingProxyType(
    {
        OPTED_OUT: DropReason.OPTED_OUT,
        NO_CHANNEL: DropReason.NO_CONSENTED_CHANNEL,
        DUPLICATE: DropReason.DUPLICATE,
        CEILING: DropReason.FREQUENCY_CEILING,
    }
)
