"""The integers the columns hold instead of values, and the orders they sort in.

Kinds, channels and drop reasons are small integers (their place in the enum, or a
code), so a column of them is one numpy array; the tables here turn them back into
values when a task is built.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from accountcare.domain.care import CareKind, DropReason
from accountcare.domain.contacts import Channel
from accountcare.policies.care.occasions import PRIORITY

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

KINDS = tuple(CareKind)
INDEX = {kind: n for n, kind in enumerate(KINDS)}
CHANNELS = tuple(Channel)
CHANNEL_INDEX = {channel: n for n, channel in enumerate(CHANNELS)}
RANKS = [PRIORITY[kind] for kind in KINDS]
# The reference sorts a contact's candidates by (day, rank, kind index, texts...) and
# its carried tasks by (day, rank, kind value, occasion): each kind's place in both.
KIND_ORDER = np.empty(len(KINDS), np.int64)
KIND_ORDER[sorted(range(len(KINDS)), key=lambda n: (RANKS[n], n))] = np.arange(len(KINDS))
KIND_OF_ORDER = np.argsort(KIND_ORDER)
CARRY_ORDER = np.empty(len(KINDS), np.int64)
CARRY_ORDER[sorted(range(len(KINDS)), key=lambda n: (RANKS[n], KINDS[n].value))] = np.arange(
    len(KINDS)
)
BIRTHDAY = INDEX[CareKind.BIRTHDAY]
USAGE = INDEX[CareKind.AFTER_SALE_USAGE]
FEEDBACK = INDEX[CareKind.AFTER_SALE_FEEDBACK]
SURVEY = INDEX[CareKind.SURVEY]
YEARS = 10_000  # a survey's reference: account number * YEARS + year
KEY_BITS = 63  # what a sort key packs into an int64

OPTED_OUT, NO_CHANNEL, DUPLICATE, CEILING = 1, 2, 3, 4
REASONS = {
    OPTED_OUT: DropReason.OPTED_OUT,
    NO_CHANNEL: DropReason.NO_CONSENTED_CHANNEL,
    DUPLICATE: DropReason.DUPLICATE,
    CEILING: DropReason.FREQUENCY_CEILING,
}
