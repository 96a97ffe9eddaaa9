"""A deterministic sample book: for the demo, the tutorial and benchmarks.

The same ``seed`` always gives the same book. Order values follow a Pareto distribution
(shape 1.16, the "80/20" shape), so a few accounts carry most of the value, as in a
real book. Contacts live in China, Korea, Taiwan, the United States and Germany, in
their own time zones and locales; some are born on 29 February, some have opted out.
Every account carries the tag [`SAMPLE_TAG`][accountcare.sample.SAMPLE_TAG], so
[`is_sample`][accountcare.sample.is_sample] tells the sample's records from a real book's.

>>> from datetime import date
>>> book = sample_book(accounts=20, as_of=date(2026, 11, 2), seed=7)
>>> len(book.accounts), book == sample_book(accounts=20, as_of=date(2026, 11, 2), seed=7)
(20, True)
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from operator import attrgetter

from accountcare.domain.accounts import Account, CompanySize, LifecycleStage, Source
from accountcare.domain.activity import (
    Complaint,
    ComplaintSeverity,
    Interaction,
    InteractionKind,
    Order,
    Outcome,
)
from accountcare.domain.book import Book
from accountcare.domain.contacts import Birthday, Channel, Contact, ContactRole, PhoneNumber
from accountcare.domain.team import Company, Rep

__all__ = [
    "PARETO_SHAPE",
    "SAMPLE_COMPANY",
    "SAMPLE_TAG",
    "is_sample",
    "sample_book",
    "sample_team",
]

# Shape 1.16 gives the 80/20 split practitioners quote (20% of customers, 80% of value).
PARETO_SHAPE = 1.16
SAMPLE_TAG = "sample"
"""The tag every account of a sample book carries."""

_REGIONS = (
    # country, zone, locale, family names, given names, dialling prefix
    ("CN", "Asia/Shanghai", "zh-Hans", "王李张刘陈杨黄赵", "伟芳娜敏静丽强磊", "+86138"),
    ("KR", "Asia/Seoul", "ko", "김이박최정강조윤", "민준서연지훈하은", "+8210"),
    ("TW", "Asia/Taipei", "zh-Hant", "陳林黃張李王吳劉", "怡君家豪雅婷志明", "+886912"),
    ("US", "America/New_York", "en", "", "", "+1212555"),
    ("DE", "Europe/Berlin", "en", "", "", "+4915"),
)
_WESTERN_FAMILY = ("Smith", "Miller", "Schmidt", "Fischer", "Brown", "Weber", "Davis", "Wagner")
_WESTERN_GIVEN = ("Anna", "James", "Lena", "Paul", "Mary", "Jonas", "Emma", "Lukas")
_COMPANY_WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne")
_INDUSTRIES = ("manufacturing", "retail", "logistics", "healthcare", "software", "energy")
_ROLES = (
    ContactRole.DECISION_MAKER,
    ContactRole.USER,
    ContactRole.USER,
    ContactRole.FINANCE,
    ContactRole.CHAMPION,
    ContactRole.EXECUTIVE,
    ContactRole.TECHNICAL,
)
_ALL_CHANNELS = (Channel.EMAIL, Channel.MESSENGER, Channel.PHONE, Channel.SMS, Channel.VISIT)
_by_id = attrgetter("id")


def sample_book(
    accounts: int = 200,
    *,
    as_of: date,
    seed: int = 0,
    reps: int | None = None,
    years: int = 2,
    currency: str = "USD",
) -> Book:
    """A generated book of ``accounts`` accounts with ``years`` of history before ``as_of``.

    ``reps`` defaults to one rep per 50 accounts (at least 3), a key-account manager's
    usual load. Every order is invoiced in ``currency``, so amounts compare directly.
    """
    rng = random.Random(seed)
    rep_ids = tuple(f"rep-{n:02d}" for n in range(1, (reps or max(3, accounts // 50)) + 1))
    history_start = as_of - timedelta(days=365 * years)
    book_accounts, contacts, orders, interactions, complaints = [], [], [], [], []
    for n in range(1, accounts + 1):
        account_id = f"acct-{n:05d}"
        region = _REGIONS[n % len(_REGIONS)]
        prospect = rng.random() < 0.05
        book_accounts.append(_account(rng, n, region[0], rep_ids, history_start, prospect))
        contacts.extend(_contacts(rng, account_id, region, as_of))
        if not prospect:
            orders.extend(_orders(rng, account_id, currency, history_start, as_of))
            interactions.extend(_interactions(rng, account_id, rep_ids, history_start, as_of))
            if rng.random() < 0.08:
                complaints.append(_complaint(rng, account_id, as_of))
    return Book(
        accounts=sorted(book_accounts, key=_by_id),
        contacts=sorted(contacts, key=_by_id),
        orders=sorted(orders, key=_by_id),
        interactions=sorted(interactions, key=_by_id),
        complaints=sorted(complaints, key=_by_id),
    )


def _account(
    rng: random.Random,
    n: int,
    region: str,
    rep_ids: tuple[str, ...],
    history_start: date,
    prospect: bool,
) -> Account:
    """The ``n``-th account; a prospect has no cooperation yet (and, later, no history)."""
    word = rng.choice(_COMPANY_WORDS)
    return Account(
        id=f"acct-{n:05d}",
        name=f"{word} {('Trading', 'Industries', 'Group', 'Labs')[n % 4]} {n}",
        owner=rng.choice(rep_ids),
        industry=rng.choice(_INDUSTRIES),
        region=region,
        size=CompanySize(("small", "medium", "large", "enterprise")[n % 4]),
        cooperation_since=None
        if prospect
        else history_start - timedelta(days=rng.randrange(0, 365 * 6)),
        stage=LifecycleStage.PROSPECT if prospect else LifecycleStage.CUSTOMER,
        source=tuple(Source)[n % len(Source)],
        strategic=rng.random() < 0.03,
        tags=frozenset({SAMPLE_TAG}),
    )


SAMPLE_COMPANY = Company(
    "Globex Trading", names={"zh": "环球贸易", "zh-Hant": "環球貿易", "ko": "글로벡스"}
)
"""The company whose name signs the sample book's care."""

# The sample's reps: display name, in Chinese (simplified, traditional), in Korean, locale.
_REP_NAMES = (
    ("Li Na", "李娜", "李娜", "리나", "zh-Hans"),
    ("Kim Minji", "金敏智", "金敏智", "김민지", "ko"),
    ("Emily Carter", "", "", "", "en"),
    ("Chen Yating", "陈雅婷", "陳雅婷", "천야팅", "zh-Hant"),
    ("Park Seoyeon", "朴瑞妍", "朴瑞妍", "박서연", "ko"),
    ("Wang Lei", "王磊", "王磊", "왕레이", "zh-Hans"),
)


def sample_team(book: Book) -> tuple[Rep, ...]:
    """The reps who own the accounts of a sample ``book``, as customers see them: a
    display name in each language, an email and a phone to reply to.

    >>> book = sample_book(accounts=3, as_of=date(2026, 11, 2))
    >>> [(r.id, r.name_for("zh-Hans"), r.name_for("ko")) for r in sample_team(book)][0]
    ('rep-01', '李娜', '리나')
    """
    team = []
    for n, rep_id in enumerate(book.reps):
        name, hans, hant, hangul, locale = _REP_NAMES[n % len(_REP_NAMES)]
        names = {k: v for k, v in (("zh", hans), ("zh-Hant", hant), ("ko", hangul)) if v}
        team.append(
            Rep(id=rep_id, name=name, names=names, locale=locale, title="Key account manager",
                email=f"{rep_id}@globex.example", phone=f"+86 21 5555 {n:04d}")
        )  # fmt: skip
    return tuple(team)


# The letter of each kind in the ids the sample gives under an account: acct-00001-c2.
_LETTERS = {Contact: "c", Order: "o", Interaction: "i", Complaint: "k"}


def is_sample(
    record: Account | Contact | Order | Interaction | Complaint | Rep | Company,
) -> bool:
    """Whether ``record`` is one a sample book holds: an account tagged
    [`SAMPLE_TAG`][accountcare.sample.SAMPLE_TAG], a record under an account with an
    id the sample gives (``acct-00001-c2`` for a contact, ``-o`` orders, ``-i``
    interactions, ``-k`` complaints), a rep of [`sample_team`][accountcare.sample.sample_team]
    or [`SAMPLE_COMPANY`][accountcare.sample.SAMPLE_COMPANY]. Whatever an import or a host
    wrote is not.

    >>> book = sample_book(accounts=3, as_of=date(2026, 11, 2))
    >>> all(map(is_sample, (*book.accounts, *book.contacts, *book.orders)))
    True
    >>> is_sample(Account(id="acct-00001", name="Acme")), is_sample(book.contacts[0])
    (False, True)
    """
    if isinstance(record, Account):
        return SAMPLE_TAG in record.tags
    if isinstance(record, Rep):
        return record.email == f"{record.id}@globex.example"
    if isinstance(record, Company):
        return record == SAMPLE_COMPANY
    pattern = rf"{re.escape(record.account_id)}-{_LETTERS[type(record)]}[0-9]+"
    return re.fullmatch(pattern, record.id) is not None


def _contacts(
    rng: random.Random, account_id: str, region: tuple[str, ...], as_of: date
) -> list[Contact]:
    country, zone, locale, family, given, prefix = region
    found = []
    for k in range(rng.randint(1, 4)):
        if family:
            name = rng.choice(family) + rng.choice(given)
        else:
            name = f"{rng.choice(_WESTERN_GIVEN)} {rng.choice(_WESTERN_FAMILY)}"
        year = rng.randint(1960, 1998)
        if rng.random() < 0.02:  # born on 29 February
            birthday = Birthday(2, 29, rng.choice((1964, 1972, 1980, 1988, 1996)))
        else:
            birthday = Birthday(rng.randint(1, 12), rng.randint(1, 28), year)
        channels = tuple(rng.sample(_ALL_CHANNELS, 3))
        consents = frozenset(c for c in channels if rng.random() < 0.85)
        number = f"{prefix}{rng.randrange(10**7):07d}"
        found.append(
            Contact(
                id=f"{account_id}-c{k + 1}",
                account_id=account_id,
                name=name,
                role=_ROLES[0] if k == 0 else rng.choice(_ROLES),
                birthday=birthday,
                time_zone=zone,
                country=country,
                locale=locale,
                emails=(f"{account_id}.c{k + 1}@example.com",),
                phones=(PhoneNumber(number, number),),
                channels=channels,
                consents=consents,
                opted_out=rng.random() < 0.04,
                verified={"phone": as_of - timedelta(days=rng.randrange(30, 900))},
                recorded_on=as_of,
            )
        )
    return found


def _orders(
    rng: random.Random, account_id: str, currency: str, start: date, as_of: date
) -> list[Order]:
    scale = rng.paretovariate(PARETO_SHAPE) * 1000
    span = (as_of - start).days
    found = []
    for k in range(rng.randint(1, 12)):
        amount = Decimal(str(round(scale * rng.uniform(0.5, 1.5), 2)))
        found.append(
            Order(
                id=f"{account_id}-o{k + 1}",
                account_id=account_id,
                ordered_on=start + timedelta(days=rng.randrange(span)),
                amount=amount,
                margin=(amount * Decimal(str(round(rng.uniform(-0.1, 0.4), 2)))).quantize(
                    Decimal("0.01")
                ),
                currency=currency,
                quantity=rng.randint(1, 50),
                product=rng.choice(("standard", "premium", "service")),
            )
        )
    return found


def _interactions(
    rng: random.Random, account_id: str, rep_ids: tuple[str, ...], start: date, as_of: date
) -> list[Interaction]:
    span = (as_of - start).days
    return [
        Interaction(
            id=f"{account_id}-i{k + 1}",
            account_id=account_id,
            occurred_at=datetime.combine(
                start + timedelta(days=rng.randrange(span)), time(10), tzinfo=UTC
            ),
            kind=rng.choice((InteractionKind.VISIT, InteractionKind.CALL)),
            by=rng.choice(rep_ids),
            contact_id=f"{account_id}-c1",
            outcome=rng.choice(tuple(Outcome)),
        )
        for k in range(rng.randint(0, 6))
    ]


def _complaint(rng: random.Random, account_id: str, as_of: date) -> Complaint:
    opened = datetime.combine(as_of - timedelta(days=rng.randrange(1, 60)), time(9), tzinfo=UTC)
    closed = None if rng.random() < 0.5 else opened + timedelta(days=rng.randrange(1, 20))
    if closed is not None and closed.date() >= as_of:
        closed = None
    return Complaint(
        id=f"{account_id}-k1",
        account_id=account_id,
        opened_at=opened,
        severity=rng.choice(tuple(ComplaintSeverity)),
        subject="late delivery",
        resolution="" if closed is None else "replaced",
        closed_at=closed,
    )
