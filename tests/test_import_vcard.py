"""vCard 2.1 (Android), 3.0 (iOS) and 4.0: real shapes, encodings and malformed files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.adapters.importers import (
    ImportFailed,
    ImportFormatError,
    ImportOptions,
    parse_vcards,
    read_vcards,
)
from accountcare.adapters.importers.vcard import components

pytest.importorskip("phonenumbers")

DATA = Path(__file__).parent / "data" / "imports"
AS_OF = date(2026, 11, 22)


def _options(country: str, **more: object) -> ImportOptions:
    return ImportOptions(as_of=AS_OF, country=country, account_id="personal", **more)  # type: ignore[arg-type]


def android_qp(text: str) -> str:
    """Quoted-printable exactly as Android's VCardBuilder writes it: every byte as =XX and
    a soft line break after every 23 bytes."""
    out, count = [], 0
    for byte in text.encode("utf-8"):
        out.append(f"={byte:02X}")
        count += 3
        if count >= 67:
            out.append("=\r\n")
            count = 0
    return "".join(out)


def test_android_2_1_quoted_printable_chinese_and_korean_names() -> None:
    report = read_vcards(DATA / "android_2_1.vcf", options=_options("CN"))
    names = [c.name for c in report.contacts]
    assert names == ["王伟", "김민지", "欧阳志明先生 (HK)"]
    wang, kim, ouyang = report.contacts
    assert [p.e164 for p in wang.phones] == ["+8613800138000", "+861065528888"]
    assert [p.kind for p in wang.phones] == ["mobile", "work"]
    assert wang.title == "采购部经理"
    assert wang.birthday is not None
    assert wang.birthday.isoformat() == "1980-02-29"
    # ORG values broken by soft line breaks (=CRLF) come back whole.
    assert {a.name for a in report.accounts} == {
        "上海华东贸易有限公司",
        "한빛무역주식회사 서울본사 영업본부",
    }
    assert kim.birthday is not None
    assert kim.birthday.isoformat() == "--02-29"
    assert kim.phones[0].e164 == "+821023456789"
    assert ouyang.account_id == "personal"
    assert ouyang.phones[0].e164 == "+8613912345678"


def test_android_duplicate_card_merges_into_the_first() -> None:
    report = read_vcards(DATA / "android_2_1.vcf", options=_options("CN"))
    assert [str(m) for m in report.merges] == [
        "card 4 merged into card 1 (same phone +8613800138000)"
    ]
    assert report.contacts[0].emails == ("wang.wei@example.cn", "weiwang@example.com")


def test_ios_3_0_groups_labels_folding_and_omitted_year() -> None:
    # Card 2 is Korean and writes its number nationally: with Taiwan as the default
    # region it is no Taiwanese number, and the import says so instead of guessing.
    with pytest.raises(ImportFailed) as failed:
        read_vcards(DATA / "ios_3_0.vcf", options=_options("TW"))
    (problem,) = failed.value.report.problems
    assert (problem.unit, problem.number, problem.field) == ("card", 2, "TEL (line 28)")
    assert "not a valid TW phone number" in problem.problem
    report = read_vcards(DATA / "ios_3_0.vcf", options=_options("TW", keep_good=True))
    (chen,) = report.contacts
    assert chen.name == "Chih-Ming Chen"
    assert chen.title == "Regional Director"
    assert [(p.e164, p.kind) for p in chen.phones] == [
        ("+886912345678", "mobile"),
        ("+886223456789", "main"),
    ]
    assert chen.emails == ("chih-ming.chen@formosa-precision.example",)
    assert chen.birthday is not None
    assert chen.birthday.isoformat() == "--02-29"
    org = {a.id: a.name for a in report.accounts}[chen.account_id]
    assert org == "Formosa Precision Machinery Co., Ltd."  # folded and escaped
    assert (chen.country, chen.time_zone, chen.locale) == ("TW", "Asia/Taipei", "zh-Hant")
    lee = read_vcards(DATA / "ios_3_0.vcf", options=_options("KR")).contacts[1]
    assert lee.name == "이서준"
    assert (lee.phones[0].e164, lee.phones[0].kind) == ("+821098765432", "mobile")
    assert (lee.country, lee.time_zone, lee.locale) == ("KR", "Asia/Seoul", "ko")


def test_vcard_4_0_uris_uid_and_folding_inside_a_character() -> None:
    report = read_vcards(DATA / "vcard_4_0.vcf", options=_options("TW"))
    chen, ada = report.contacts
    assert chen.name == "陳志明"  # the fold splits 陳's UTF-8 bytes
    assert chen.id == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert [(p.e164, p.kind) for p in chen.phones] == [
        ("+886912000111", "mobile"),
        ("+886223456789", "work"),
    ]
    assert chen.birthday is not None
    assert chen.birthday.isoformat() == "--02-29"
    assert ada.phones[0].e164 == "+14155550134"
    assert ada.phones[0].kind == "mobile"
    assert ada.birthday is not None
    assert ada.birthday.isoformat() == "1985-04-12"


def test_charset_parameter_decodes_gb2312_big5_and_euc_kr() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;CHARSET=GB2312;ENCODING=QUOTED-PRINTABLE:"
        + _qp("王".encode("gb2312"))
        + b";"
        + _qp("伟".encode("gb2312"))
        + b";;;\r\nTEL;CELL:13800138000\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=BIG5:" + "許功".encode("big5") + b"\r\n"
        b"TEL;CELL:+886 912345678\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=EUC-KR:" + "홍길동".encode("euc-kr") + b"\r\n"
        b"TEL;CELL:+82 1012345678\r\nEND:VCARD\r\n"
    )
    names = [c.name for c in read_vcards(data, options=_options("CN", keep_good=True)).contacts]
    assert names == ["王伟", "許功", "홍길동"]


def _qp(raw: bytes) -> bytes:
    return "".join(f"={b:02X}" for b in raw).encode()


def test_whole_file_in_a_declared_encoding() -> None:
    data = "BEGIN:VCARD\nVERSION:3.0\nFN:許志明\nTEL:0912345678\nEND:VCARD\n".encode("big5")
    with pytest.raises(ImportFailed, match="not valid utf-8"):
        read_vcards(data, options=_options("TW"))
    (hsu,) = read_vcards(data, options=_options("TW", encoding="big5")).contacts
    assert hsu.name == "許志明"


def test_card_without_end_names_the_card_and_line() -> None:
    data = (DATA / "ios_3_0.vcf").read_bytes().replace(b"END:VCARD\r\nBEGIN", b"BEGIN", 1)
    with pytest.raises(
        ImportFormatError, match=r"card 1 \(from line 1\) has no END:VCARD .*line 21"
    ):
        read_vcards(data, options=_options("TW"))
    truncated = (DATA / "android_2_1.vcf").read_bytes()[:-12]
    with pytest.raises(ImportFormatError, match=r"card 4 .* the file ends inside it"):
        read_vcards(truncated, options=_options("CN"))


def test_text_outside_cards_is_a_format_error() -> None:
    with pytest.raises(ImportFormatError, match=r"line 1: .* outside any card"):
        read_vcards(b"Name,Phone\nWang,138\n", options=_options("CN"))


def test_bad_line_inside_a_card_is_reported_with_card_and_line() -> None:
    data = (
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Good\nTEL:+8613800138000\nEND:VCARD\n"
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Broken\nthis line has no colon\nBDAY:2027-02-30\nEND:VCARD\n"
    )
    with pytest.raises(ImportFailed) as failed:
        read_vcards(data, options=_options("CN"))
    problems = [(p.unit, p.number, p.field) for p in failed.value.report.problems]
    assert problems == [("card", 2, "line 9"), ("card", 2, "BDAY (line 10)")]
    report = read_vcards(data, options=_options("CN", keep_good=True))
    assert [c.name for c in report.contacts] == ["Good"]


def test_structured_values_split_on_unescaped_semicolons() -> None:
    assert components(r"Acme\; Sons;Sales\, East") == ["Acme; Sons", "Sales, East"]


def test_parse_vcards_keeps_card_numbers_and_versions() -> None:
    cards = parse_vcards((DATA / "android_2_1.vcf").read_bytes())
    assert [(c.number, c.version) for c in cards] == [(n, "2.1") for n in (1, 2, 3, 4)]
    assert [c.line for c in cards] == [1, 13, 24, 33]


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() == s and s.strip() != "" and "\\" not in s)


@given(names)
def test_android_quoted_printable_names_round_trip(name: str) -> None:
    head = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"
    card = f"{head}{android_qp(name)}\r\nEND:VCARD\r\n"
    (parsed,) = parse_vcards(card.encode("ascii"))
    assert parsed.properties[0].value == name


@given(names, st.integers(min_value=1, max_value=200))
def test_folding_anywhere_round_trips(name: str, width: int) -> None:
    line = ("FN:" + name.replace(",", "\\,").replace(";", "\\;")).encode()
    folded = b"\r\n ".join(line[i : i + width] for i in range(0, len(line), width))
    card = b"BEGIN:VCARD\r\nVERSION:4.0\r\n" + folded + b"\r\nEND:VCARD\r\n"
    (parsed,) = parse_vcards(card)
    assert components(parsed.properties[0].value) == [name]
