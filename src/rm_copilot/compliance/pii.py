"""Personal data: find ID, mobile and bank card numbers (with checksums) and names; mask them.

Names are the known ones passed in (a customer's full name) plus full names found in free text
(`names.py`: "周建国先生", "户名：刘德明", "司马文静"); honorifics ("王女士", "李总") stay.

Detection runs on normalised text (full-width digits are already ASCII there); callers map spans
back to the original. Over-masking is the safe side: a checksum-valid ID with a plausible birth
date is masked whether or not its area code is known.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from stdnum import luhn
from stdnum.cn import ric

from rm_copilot.compliance.names import find_names
from rm_copilot.compliance.normalize import normalize

# Digits may be grouped by spaces, dashes (ASCII or em/en dash) or dots: "138.1234.5678",
# "1101 0519 8001 0112 38". Checksums (ID, card) keep ordinary numbers out.
_SEP = "[ .\\-\u2013\u2014]"
_ID = re.compile(rf"(?<![0-9a-z])(?<![0-9]{_SEP})(\d(?:{_SEP}?\d){{16}}{_SEP}?[0-9xX])(?![0-9a-z])")
_CARD = re.compile(rf"(?<![0-9+])(?<![0-9]{_SEP})(\d(?:{_SEP}?\d){{12,18}})(?!{_SEP}?[0-9])")
# The country code may come bare ("86-138-…", "86 138…", "8613…"): the number after it is masked.
_PHONE = re.compile(rf"(?<![0-9])(?<![0-9]{_SEP})(?:(?:\+|00)?86{_SEP}?)?(1{_SEP}?[3-9](?:{_SEP}?\d){{9}})(?!{_SEP}?[0-9])")
# A mobile directly followed by another number ("13912345678 404"): not part of a card or ID (those
# passes ran first), so it is masked anyway — over-masking is the safe side.
_PHONE_BEFORE_NUMBER = re.compile(rf"(?<![0-9])(?<![0-9]{_SEP})(?:(?:\+|00)?86{_SEP}?)?(1{_SEP}?[3-9](?:{_SEP}?\d){{9}})(?![0-9])")
# Eleven digits, each pair at most one separator apart: what every number above begins with (a
# mobile is the shortest). One search rules the number passes out for the ~99% of texts without.
_NUMBER = re.compile(rf"\d(?:{_SEP}?\d){{10}}")


@dataclass(frozen=True)
class PiiSpan:
    kind: str  # id_number | card | phone | name
    start: int
    end: int
    mask: str


_start = attrgetter("start")


def _digits(value: str) -> str:
    return "".join(char for char in value if char.isdigit() or char in "xX").upper()


def mask_name(name: str) -> str:
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    digits = _digits(phone)[-11:]
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) == 11 else "*" * len(digits)


def mask_id_number(id_number: str) -> str:
    value = _digits(id_number)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}" if len(value) >= 8 else "*" * len(value)


def mask_card(card: str) -> str:
    digits = _digits(card)
    return f"{digits[:4]} **** **** {digits[-4:]}" if len(digits) >= 8 else "*" * len(digits)


def is_id_number(value: str) -> bool:
    """Check digit right and a plausible birth date (area codes are not checked: see module doc)."""
    value = _digits(value)
    if len(value) != 18 or not value[:17].isdigit():
        return False
    if ric.calc_check_digit(value) != value[17]:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def is_card_number(value: str) -> bool:
    digits = _digits(value)
    return 13 <= len(digits) <= 19 and digits.isdigit() and luhn.is_valid(digits)


def find_pii(text: str, names: tuple[str, ...] | list[str] = (), *, free_names: bool = True) -> list[PiiSpan]:
    """Non-overlapping PII spans in `text`, in order. Given names are matched literally (len ≥ 2);
    with `free_names`, full names found in the text are masked too."""
    spans: list[PiiSpan] = []

    def free(start: int, end: int) -> bool:
        return all(end <= span.start or start >= span.end for span in spans)

    if _NUMBER.search(text):
        for match in _ID.finditer(text):
            if is_id_number(match.group(1)):
                spans.append(PiiSpan("id_number", *match.span(1), mask_id_number(match.group(1))))
        for match in _PHONE.finditer(text):
            if free(*match.span(1)):
                spans.append(PiiSpan("phone", *match.span(1), mask_phone(match.group(1))))
        for match in _CARD.finditer(text):
            if free(*match.span(1)) and is_card_number(match.group(1)):
                spans.append(PiiSpan("card", *match.span(1), mask_card(match.group(1))))
        for match in _PHONE_BEFORE_NUMBER.finditer(text):
            if free(*match.span(1)):
                spans.append(PiiSpan("phone", *match.span(1), mask_phone(match.group(1))))
    for name in names:
        if not name or len(name) < 2:
            continue
        position = text.find(name)
        while position != -1:
            if free(position, position + len(name)):
                spans.append(PiiSpan("name", position, position + len(name), mask_name(name)))
            position = text.find(name, position + len(name))
    if free_names:
        for start, end in find_names(text):
            if free(start, end):
                spans.append(PiiSpan("name", start, end, mask_name(text[start:end])))
    return sorted(spans, key=_start) if len(spans) > 1 else spans  # most texts: none


def apply_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace non-overlapping (start, end, replacement) spans of `text`."""
    if not spans:
        return text
    out, cursor = [], 0
    for start, end, replacement in sorted(spans):
        if start < cursor:
            continue
        out.append(text[cursor:start])
        out.append(replacement)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def redact_pii(text: str, names: tuple[str, ...] | list[str] = ()) -> str:
    """Mask every ID, card and mobile number, the given names and full names found in free text.

    The one function other packages call before text is logged, stored (chat history, session
    titles) or put into a prompt."""
    if not text:
        return text
    normalized = normalize(text)
    found = find_pii(normalized.text, tuple(normalize(name).text for name in names if name))
    if not found:
        return text
    replacements = [(*normalized.span(span.start, span.end), span.mask) for span in found]
    return apply_spans(text, replacements)
