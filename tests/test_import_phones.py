"""Phone numbers to E.164: the fast path, the slow path, and the reasons for refusals."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.adapters.importers import PhoneNormaliser
from accountcare.errors import ConfigurationError, MissingExtra

phonenumbers = pytest.importorskip("phonenumbers")

# Calling codes of the regions reps call most, and some with national-prefix quirks
# (44 and 49 strip a trunk 0, 39 keeps a leading 0, 86 has carrier prefixes, 1 is shared).
CODES = [1, 7, 33, 39, 44, 49, 52, 54, 55, 61, 65, 81, 82, 84, 86, 852, 853, 886, 971, 998]
SEPARATORS = ["", " ", "-", ".", " (", ") "]


@st.composite
def international_numbers(draw: st.DrawFn) -> str:
    code = draw(st.sampled_from(CODES))
    digits = draw(st.text(alphabet="0123456789", min_size=3, max_size=14))
    out = f"+{code}"
    for digit in digits:
        out += draw(st.sampled_from(SEPARATORS)) + digit
    return out


@given(international_numbers(), st.sampled_from(["CN", "KR", "US", "DE", None]))
def test_fast_path_agrees_with_phonenumbers(raw: str, region: str | None) -> None:
    phones = PhoneNormaliser(region)
    fast = phones._fast(raw)
    slow = phones._slow(raw)
    if fast is not None:
        assert slow == (fast, None)


REGIONS = [
    "CN",
    "US",
    "CA",
    "KR",
    "JP",
    "TW",
    "HK",
    "DE",
    "GB",
    "IT",
    "FR",
    "BR",
    "AR",
    "MX",
    "IN",
    "RU",
    "AU",
    "SG",
    "VN",
    "ID",
]


@st.composite
def national_numbers(draw: st.DrawFn) -> str:
    digits = draw(st.text(alphabet="0123456789", min_size=3, max_size=14))
    out = draw(st.sampled_from("123456789"))
    for digit in digits:
        out += draw(st.sampled_from(["", "", " ", "-"])) + digit
    return out


@given(national_numbers(), st.sampled_from(REGIONS))
def test_national_fast_path_agrees_with_phonenumbers(raw: str, region: str) -> None:
    phones = PhoneNormaliser(region)
    fast = phones._fast_national(raw)
    if fast is not None:
        assert phones._slow(raw) == (fast, None)


def test_national_fast_path_agrees_on_every_region_example() -> None:
    pn = phonenumbers
    kinds = (pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.FIXED_LINE)
    checked = 0
    for region in sorted(pn.SUPPORTED_REGIONS):
        phones = PhoneNormaliser(region)
        for kind in kinds:
            example = pn.example_number_for_type(region, kind)
            if example is None:
                continue
            for form in (pn.PhoneNumberFormat.NATIONAL, pn.PhoneNumberFormat.INTERNATIONAL):
                raw = pn.format_number(example, form)
                fast = phones._fast(raw) if raw.startswith("+") else phones._fast_national(raw)
                if fast is not None:
                    checked += 1
                    assert phones._slow(raw) == (fast, None), (region, raw)
    assert checked > 500  # the fast paths cover most real numbers


@given(international_numbers())
def test_e164_is_a_fixed_point(raw: str) -> None:
    phones = PhoneNormaliser("KR")
    e164 = phones.e164(raw)
    if e164 is not None:
        assert phones.e164(e164) == e164
        assert PhoneNormaliser(None).e164(e164) == e164


@given(international_numbers())
def test_cache_never_changes_an_answer(raw: str) -> None:
    phones = PhoneNormaliser("CN")
    first = phones.normalise(raw)
    assert phones.normalise(raw) == first == PhoneNormaliser("CN").normalise(raw)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("010-1234-5678", "KR", "+821012345678"),  # Korean mobile, national form
        ("02-312-3456", "KR", "+8223123456"),  # Seoul landline: trunk 0 dropped
        ("138 0013 8000", "CN", "+8613800138000"),  # Chinese mobile
        ("010 6552 8888", "CN", "+861065528888"),  # Beijing landline
        ("0912-345-678", "TW", "+886912345678"),
        ("+44 (0)20 7946 0000", "US", "+442079460000"),  # "(0)" is the UK trunk prefix
        ("+39 06 1234 5678", None, "+390612345678"),  # Italy keeps its leading zero
        ("(415) 555-0134", "US", "+14155550134"),
        ("tel:+1-415-555-0134", None, "+14155550134"),  # an RFC 3966 URI (vCard 4)
    ],
)
def test_real_numbers_normalise_to_e164(raw: str, region: str | None, e164: str | None) -> None:
    assert PhoneNormaliser(region).e164(raw) == e164


@pytest.mark.parametrize(
    ("raw", "region", "words"),
    [
        ("555-0100", "US", "dialable only locally"),
        ("12", "KR", "too short"),
        ("call me", "KR", "is not a phone number"),
        ("010-1234-5678", None, "no default region"),
        ("+999 1234 5678", "KR", "unknown country calling code"),
        ("", "KR", "is empty"),
    ],
)
def test_bad_numbers_say_why(raw: str, region: str | None, words: str) -> None:
    problem = PhoneNormaliser(region).problem(raw)
    assert problem is not None
    assert words in problem


def test_region_must_be_a_country_code() -> None:
    with pytest.raises(ConfigurationError, match="ISO 3166"):
        PhoneNormaliser("Korea")


def test_missing_phonenumbers_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "phonenumbers", None)
    with pytest.raises(MissingExtra, match=r"accountcare\[phone\]"):
        PhoneNormaliser("KR")


def test_a_number_without_a_stable_e164_form_is_refused() -> None:
    # phonenumbers strips a national prefix after the country code: "+82 0000000" would
    # become +82000000, which reads as +8200000 the next time.
    phones = PhoneNormaliser("KR")
    assert phones.e164("+820000000") is None
    assert "E.164" in (phones.problem("+820000000") or "")
    assert phones.e164("+82 10-1234-5678") == "+821012345678"
