"""`eval compliance`: recall per category, false-alarm rate and PII masking on a labelled TSV.

The file has one line per sentence, `label<TAB>category<TAB>text`, label `bad` (a violation),
`good` (compliant copy) or `pii` (contains personal data to be masked); a header line starting
with `label`, blank lines and lines starting with `#` are skipped. The regression corpus format
(`expected<TAB>category<TAB>product_type<TAB>sentence<TAB>comment`, with a header) is read too:
`pass` → good, a `rewrite` of category pii → pii, anything else → bad.

How lines are counted:
- a bad line is caught when the verdict is not `pass` (block or rewrite), or when the verdict is
  `pass` but a `warn` finding of the line's own category was raised: the meaning layer's review
  band warns, and a warned campaign row is held for review, never sent. A warn of another
  category does not count.
- a good line is a false alarm when its verdict is not `pass` (warns do not change the verdict).
- a pii line is masked when the returned text differs from the input and the engine's PII
  findings cover 11 or more digits of every run of 11 or more digits (a phone, card or ID number,
  digits possibly grouped by spaces, dashes or dots; a country code before a phone may stay); on
  a line without such a run (a name), a PII finding and a changed text are required.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rm_copilot.compliance.models import CheckResult
from rm_copilot.errors import BadInput

LABELS = ("bad", "good", "pii")
MIN_DIGITS = 11
_DIGIT_RUN = re.compile(r"\d(?:[ .\-\u2013\u2014]?\d)*")
_CORPUS_HEADER = ("expected", "category", "product_type", "sentence")


@dataclass(frozen=True)
class LabelledLine:
    label: str
    category: str
    text: str
    product_type: str | None = None
    line: int = 0


def load_dataset(path: Path | str) -> list[LabelledLine]:
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"找不到评测集文件：{path}")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError):
        raise BadInput(f"评测集 {path} 不是可读的 UTF-8 文本。") from None
    rows = list(csv.reader(raw.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows and tuple(cell.strip() for cell in rows[0][:4]) == _CORPUS_HEADER:
        lines = _from_corpus(rows[1:])
    else:
        lines = _from_tsv(rows, path)
    if not lines:
        raise BadInput(f"评测集 {path} 中没有任何标注行。")
    return lines


def _from_tsv(rows: list[list[str]], path: Path) -> list[LabelledLine]:
    lines = []
    for number, row in enumerate(rows, start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        label = row[0].strip().lower()
        if number == 1 and label == "label":
            continue
        if len(row) < 3 or not row[2].strip():
            raise BadInput(f"评测集 {path.name} 第 {number} 行：应为“标签<TAB>类别<TAB>文本”三列。")
        if label not in LABELS:
            raise BadInput(f"评测集 {path.name} 第 {number} 行：未知标签 {row[0]!r}（可选：bad、good、pii）。")
        lines.append(LabelledLine(label, row[1].strip() or "-", row[2].strip(), None, number))
    return lines


def _from_corpus(rows: list[list[str]]) -> list[LabelledLine]:
    lines = []
    for number, row in enumerate(rows, start=2):
        if len(row) < 4 or not row[3].strip():
            continue
        expected, category, product_type, text = (cell.strip() for cell in row[:4])
        label = "good" if expected == "pass" else "pii" if category == "pii" and expected == "rewrite" else "bad"
        lines.append(LabelledLine(label, category, text, product_type or None, number))
    return lines


Check = Callable[[str, str | None], CheckResult]


def caught(line: LabelledLine, result: CheckResult) -> bool:
    if result.verdict != "pass":
        return True
    return any(f.severity == "warn" and f.category == line.category for f in result.findings)


def masked(text: str, result: CheckResult) -> bool:
    if result.text == text:
        return False
    spans = [(f.start, f.end) for f in result.findings if f.category == "pii"]
    if not spans:
        return False
    runs = [m.span() for m in _DIGIT_RUN.finditer(text) if sum(c.isdigit() for c in m.group()) >= MIN_DIGITS]
    return all(_covered(text, start, end, spans) >= MIN_DIGITS for start, end in runs)


def _covered(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> int:
    """How many digits of text[start:end] lie inside a PII span ("86-" before a phone may stay)."""
    return sum(1 for index in range(start, end) if text[index].isdigit() and any(s <= index < e for s, e in spans))


def evaluate(check: Check, lines: list[LabelledLine]) -> dict:
    by_category: dict[str, list[int]] = {}
    counts = {label: 0 for label in LABELS}
    caught_total = false_alarms = masked_total = 0
    for line in lines:
        result = check(line.text, line.product_type)
        counts[line.label] += 1
        if line.label == "bad":
            hit = caught(line, result)
            caught_total += hit
            tally = by_category.setdefault(line.category, [0, 0])
            tally[0] += 1
            tally[1] += hit
        elif line.label == "good":
            false_alarms += result.verdict != "pass"
        else:
            masked_total += masked(line.text, result)
    return {
        "recall": _share(caught_total, counts["bad"]),
        "false_alarm_rate": _share(false_alarms, counts["good"]),
        "pii_masked": _share(masked_total, counts["pii"]),
        "by_category": {category: {"n": n, "recall": _share(hit, n)}
                        for category, (n, hit) in sorted(by_category.items())},
        "n": counts,
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
