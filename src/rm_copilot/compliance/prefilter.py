"""Literal anchors of regexes, so a rule's regex only runs when the automaton saw one of them.

An anchor set is a set of strings one of which occurs in every match. Candidates: every possible
beginning of a match cut to `k` characters ("日息", "日利", "比定"…), and each required, purely
literal element of the top-level sequence ("(密码|验证码|…)"). The most selective candidate wins
(longest shortest string, then fewest strings); a top-level alternation may also be anchored by the
union of its alternatives' own anchors. Anchors go into the same Aho-Corasick automaton as
the terms; a regex runs only on texts where one of its anchors occurs. `None` means no anchor set
could be derived and the regex always runs — the prefilter only skips work, it never changes hits.
"""
from __future__ import annotations

import re._constants as C
import re._parser as parser

MAX_CLASS = 64
MAX_OPTIONS = 400
_Options = set[tuple[str, bool]]  # (prefix, the whole element was consumed so the next may extend it)


class _Unbounded(Exception):
    pass


MAX_LITERALS = 64


def anchors(pattern: str, k: int = 2) -> frozenset[str] | None:
    return _anchors(parser.parse(pattern), k)


def _anchors(parsed, k: int) -> frozenset[str] | None:
    candidates: list[frozenset[str]] = []
    if len(parsed) == 1 and parsed[0][0] is C.BRANCH:
        # A top-level alternation: each alternative's own best anchors, united ("(准时|[0-9]+点)?开抢|
        # 抢购模式" is anchored by 开抢 or 抢购模式, not by every digit an optional group may begin with).
        per_branch = [_anchors(branch, k) for branch in parsed[0][1][1]]
        if all(found is not None for found in per_branch):
            candidates.append(frozenset().union(*per_branch))  # type: ignore[arg-type]
    try:
        prefixes = {prefix for prefix, _ in _sequence(parsed, k)}
        if "" not in prefixes:
            candidates.append(frozenset(prefixes))
    except _Unbounded:
        pass
    run: set[str] | None = None  # consecutive literal elements concatenate into one factor
    for op, av in [*parsed, (None, None)]:
        options = _literal_element(op, av) if op is not None else None
        if options is not None:
            run = options if run is None else {left + right for left in run for right in options}
            if len(run) <= MAX_LITERALS:
                continue
            options = None
        if run and "" not in run and len(run) <= MAX_LITERALS:
            candidates.append(frozenset(run))
        run = None
    if not candidates:
        return None
    return max(candidates, key=lambda strings: (min(map(len, strings)), -len(strings)))


def _literals(items) -> set[str] | None:
    results = {""}
    for op, av in items:
        options = _literal_element(op, av)
        if options is None:
            return None
        results = {left + right for left in results for right in options}
        if len(results) > MAX_LITERALS:
            return None
    return results


def _literal_element(op, av) -> set[str] | None:
    """Every string the element can match, when it is purely literal and small; else None."""
    if op is C.LITERAL:
        return {chr(av)}
    if op is C.IN:
        if all(kind is C.LITERAL for kind, _ in av):
            return {chr(value) for _, value in av}
        return None
    if op is C.SUBPATTERN:
        return _literals(av[-1])
    if op is C.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            options = _literals(branch)
            if options is None:
                return None
            union |= options
        return union
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
        inner = _literals(av[2])
        return None if inner is None else inner | {""}
    return None


def _sequence(items, k: int) -> _Options:
    results: _Options = {("", True)}
    for op, av in items:
        element = _element(op, av, k)
        following: _Options = set()
        for prefix, open_ in results:
            if not open_ or len(prefix) >= k:
                following.add((prefix[:k], False))
                continue
            for piece, complete in element:
                joined = prefix + piece
                following.add((joined[:k], False) if len(joined) >= k else (joined, complete))
        results = following
        if len(results) > MAX_OPTIONS:
            raise _Unbounded
        if all(not open_ or len(prefix) >= k for prefix, open_ in results):
            break
    return results


def _element(op, av, k: int) -> _Options:
    if op is C.LITERAL:
        return {(chr(av), True)}
    if op is C.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is C.LITERAL:
                chars.add(chr(value))
            elif kind is C.RANGE and value[1] - value[0] < MAX_CLASS:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:
                return {("", False)}
        return {(char, True) for char in chars}
    if op is C.SUBPATTERN:
        return _sequence(av[-1], k)
    if op is C.BRANCH:
        union: _Options = set()
        for branch in av[1]:
            union |= _sequence(branch, k)
        return union
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, high, inner = av
        once = {(prefix, complete and low == high == 1) for prefix, complete in _sequence(inner, k)}
        return once | {("", True)} if low == 0 else once
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {("", True)}
    return {("", False)}
