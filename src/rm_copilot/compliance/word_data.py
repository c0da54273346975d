"""What the wording matcher derives from a rulebook's terms, computed once and persisted.

Building the matcher's evasion data needs pypinyin (toneless readings of every character, ~0.3 s of
CPU to import) and the four-corner table (look-alike characters); the regex prefilter parses every
pattern. None of it depends on the text checked, so it is computed from the terms and patterns and
saved as one JSON file in a cache directory (a home's `compliance-cache/`). The file's name is a
sha256 of everything the data is derived from — the normalised terms and patterns, this module's,
`evasion.py`'s and `prefilter.py`'s source, pypinyin's and four_corner_method's versions — so a
changed rulebook, catalogue or library never reads an older file: it is rebuilt and written beside.
A file that cannot be read or does not hold the expected inputs is ignored and rebuilt.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import logging
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from rm_copilot.cache_files import save_derived
from rm_copilot.compliance import evasion, prefilter
from rm_copilot.compliance.normalize import is_cjk

log = logging.getLogger(__name__)
FORMAT = "1"
KEEP_FILES = 8  # older artefacts (other rulebooks) kept beside the current one


@dataclass(frozen=True)
class WordData:
    """readings: term character → toneless pinyin (None: no reading); sounds: every CJK character
    whose reading some term uses, reading → characters; variants: term → look-alike spellings;
    anchors: regex source → literal anchors (None: the regex always runs)."""

    readings: dict[str, str | None]
    sounds: dict[str, str]
    variants: dict[str, list[str]]
    anchors: dict[str, list[str] | None]


def build(terms: list[str], patterns: list[str]) -> WordData:
    from pypinyin.pinyin_dict import pinyin_dict

    readings = {char: evasion.toneless(char) for term in terms for char in term}
    used = {reading for reading in readings.values() if reading}
    sounds: dict[str, list[str]] = {}
    for code_point in pinyin_dict:
        char = chr(code_point)
        if is_cjk(char):
            reading = evasion.toneless(char)
            if reading in used:
                sounds.setdefault(reading, []).append(char)
    anchors = {}
    for pattern in patterns:
        found = prefilter.anchors(pattern)
        anchors[pattern] = None if found is None else sorted(found)
    return WordData(readings=readings, sounds={r: "".join(chars) for r, chars in sounds.items()},
                    variants={term: evasion.lookalike_variants(term) for term in terms}, anchors=anchors)


def fingerprint(terms: list[str], patterns: list[str]) -> str:
    digest = hashlib.sha256(f"format={FORMAT}".encode())
    for module in (evasion, prefilter):
        digest.update(Path(inspect.getfile(module)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    for package in ("pypinyin", "four_corner_method"):
        digest.update(f"\0{package}={_version(package)}".encode())
    digest.update(json.dumps([sorted(set(terms)), sorted(set(patterns))], ensure_ascii=False).encode())
    return digest.hexdigest()


def load_or_build(terms: list[str], patterns: list[str], cache_dir: Path | None) -> WordData:
    """The saved data when `cache_dir` holds it for exactly these inputs, else built (and saved)."""
    if cache_dir is None:
        return build(terms, patterns)
    key = fingerprint(terms, patterns)
    path = Path(cache_dir) / f"words-{key[:32]}.json"
    saved = _read(path, key, terms, patterns)
    if saved is not None:
        return saved
    data = build(terms, patterns)
    payload = {"key": key, "readings": data.readings, "sounds": data.sounds, "variants": data.variants,
               "anchors": data.anchors}
    save_derived(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"), keep=KEEP_FILES,
                 what="compliance word data")
    return data


def _read(path: Path, key: str, terms: list[str], patterns: list[str]) -> WordData | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("compliance word data %s unreadable, rebuilt: %s", path.name, error)
        return None
    try:
        data = WordData(readings=raw["readings"], sounds=raw["sounds"], variants=raw["variants"],
                        anchors=raw["anchors"])
        complete = (raw["key"] == key and all(t in data.variants for t in terms)
                    and all(c in data.readings for t in terms for c in t) and all(p in data.anchors for p in patterns))
    except (KeyError, TypeError):
        complete = False
    if not complete:
        log.warning("compliance word data %s does not match its inputs, rebuilt", path.name)
        return None
    return data


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"
