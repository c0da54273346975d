"""`jieba.posseg.cut(text)` over the saved tables of `pos_tables.py`: the same (word, flag) sequence
for any text, without loading jieba's whole dictionary or importing `jieba.posseg`.

The name finder asks for a text's tags only when a common surname stands next to a verb of contact
(`names.py`); the shards of that text's characters are decoded then, and nothing else.

The algorithm is jieba's (version 0.42.1, MIT licence, © 2013 Sun Junyi), copied step by step so
that every comparison, addition and tie is decided as there: `POSTokenizer.__cut_internal` (blocks
of `re_han_internal`), `__cut_DAG` with `Tokenizer.get_DAG` and `Tokenizer.calc` (the route of
greatest log frequency), the buffer of single characters, `__cut_detail`, `__cut` and the POS
Viterbi of jieba/posseg/viterbi.py — with the emission table read by character, then state
(`emit[char][state]` for jieba's `emit_p[state][char]`), the one change.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from math import log

from rm_copilot.compliance.pos_tables import PosTables, State

# jieba/posseg/__init__.py's patterns
RE_HAN_DETAIL = re.compile(r"([\u4E00-\u9FD5]+)")
RE_SKIP_DETAIL = re.compile(r"([\.0-9]+|[a-zA-Z0-9]+)")
RE_HAN_INTERNAL = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._]+)")
RE_SKIP_INTERNAL = re.compile(r"(\r\n|\s)")
RE_ENG = re.compile(r"[a-zA-Z0-9]+")
RE_NUM = re.compile(r"[\.0-9]+")
# jieba/posseg/viterbi.py's floors
MIN_FLOAT = -3.14e100
MIN_INF = float("-inf")
_NO_EMISSION: dict[State, float] = {}
_NO_STATE: State = ("", "")

Pair = tuple[str, str]


class PosTagger:
    def __init__(self, tables: PosTables):
        self.tables = tables

    def cut(self, text: str) -> list[Pair]:
        """(word, part of speech) of `text`, as `jieba.posseg.cut(text)` (HMM on, default dictionary)."""
        self.tables.ensure(text)
        return list(self._cut_internal(text))

    def _cut_internal(self, sentence: str) -> Iterator[Pair]:
        for block in RE_HAN_INTERNAL.split(sentence):
            if RE_HAN_INTERNAL.match(block):
                yield from self._cut_dag(block)
                continue
            for part in RE_SKIP_INTERNAL.split(block):
                if RE_SKIP_INTERNAL.match(part):
                    yield part, "x"
                    continue
                for char in part:
                    if RE_NUM.match(char):
                        yield char, "m"
                    elif RE_ENG.match(part):  # sic: jieba tests the whole part here, not the character
                        yield char, "eng"
                    else:
                        yield char, "x"

    def _dag(self, sentence: str) -> dict[int, list[int]]:
        freq = self.tables.freq
        dag: dict[int, list[int]] = {}
        length = len(sentence)
        for k in range(length):
            ends: list[int] = []
            i = k
            fragment = sentence[k]
            while i < length and fragment in freq:
                if freq[fragment]:
                    ends.append(i)
                i += 1
                fragment = sentence[k:i + 1]
            if not ends:
                ends.append(k)
            dag[k] = ends
        return dag

    def _route(self, sentence: str, dag: dict[int, list[int]]) -> dict[int, tuple[float, int]]:
        freq = self.tables.freq
        length = len(sentence)
        route: dict[int, tuple[float, int]] = {length: (0, 0)}
        log_total = log(self.tables.total)
        for idx in range(length - 1, -1, -1):
            route[idx] = max((log(freq.get(sentence[idx:x + 1]) or 1) - log_total + route[x + 1][0], x)
                             for x in dag[idx])
        return route

    def _cut_dag(self, sentence: str) -> Iterator[Pair]:
        tags = self.tables.tags
        route = self._route(sentence, self._dag(sentence))
        x, buffer, length = 0, "", len(sentence)
        while x < length:
            y = route[x][1] + 1
            word = sentence[x:y]
            if y - x == 1:
                buffer += word
            else:
                if buffer:
                    yield from self._flush(buffer)
                    buffer = ""
                yield word, tags.get(word, "x")
            x = y
        if buffer:
            yield from self._flush(buffer)

    def _flush(self, buffer: str) -> Iterator[Pair]:
        """A run of single characters: one character as it is tagged, a run that is no word through
        the HMM, a run that is a word character by character (jieba's rule)."""
        tags = self.tables.tags
        if len(buffer) == 1:
            yield buffer, tags.get(buffer, "x")
        elif not self.tables.freq.get(buffer):
            yield from self._cut_detail(buffer)
        else:
            for char in buffer:
                yield char, tags.get(char, "x")

    def _cut_detail(self, sentence: str) -> Iterator[Pair]:
        for block in RE_HAN_DETAIL.split(sentence):
            if RE_HAN_DETAIL.match(block):
                yield from self._cut_hmm(block)
                continue
            for part in RE_SKIP_DETAIL.split(block):
                if part:
                    if RE_NUM.match(part):
                        yield part, "m"
                    elif RE_ENG.match(part):
                        yield part, "eng"
                    else:
                        yield part, "x"

    def _cut_hmm(self, sentence: str) -> Iterator[Pair]:
        path = self._viterbi(sentence)
        begin, next_index = 0, 0
        for i, char in enumerate(sentence):
            position = path[i][0]
            if position == "B":
                begin = i
            elif position == "E":
                yield sentence[begin:i + 1], path[i][1]
                next_index = i + 1
            elif position == "S":
                yield char, path[i][1]
                next_index = i + 1
        if next_index < len(sentence):
            yield sentence[next_index:], path[next_index][1]

    def _viterbi(self, obs: str) -> list[State]:
        states, start_p, trans_p = self.tables.char_states, self.tables.start, self.tables.trans
        emit = self.tables.emit
        probabilities: list[dict[State, float]] = [{}]
        mem_path: list[dict[State, State]] = [{}]
        all_states = trans_p.keys()
        first = emit.get(obs[0], _NO_EMISSION)
        for y in states.get(obs[0], all_states):
            probabilities[0][y] = start_p[y] + first.get(y, MIN_FLOAT)
            mem_path[0][y] = _NO_STATE  # jieba's '': never read
        for t in range(1, len(obs)):
            probabilities.append({})
            mem_path.append({})
            previous = probabilities[t - 1]
            prev_states = [x for x in mem_path[t - 1].keys() if len(trans_p[x]) > 0]
            prev_states_expect_next = {y for x in prev_states for y in trans_p[x].keys()}
            obs_states = set(states.get(obs[t], all_states)) & prev_states_expect_next
            if not obs_states:
                obs_states = prev_states_expect_next if prev_states_expect_next else set(all_states)
            row = emit.get(obs[t], _NO_EMISSION)
            for y in obs_states:
                emission = row.get(y, MIN_FLOAT)
                probability, state = max((previous[y0] + trans_p[y0].get(y, MIN_INF) + emission, y0)
                                         for y0 in prev_states)
                probabilities[t][y] = probability
                mem_path[t][y] = state
        _, state = max((probabilities[-1][y], y) for y in mem_path[-1].keys())
        route: list[State] = [_NO_STATE] * len(obs)
        for i in range(len(obs) - 1, -1, -1):
            route[i] = state
            state = mem_path[i][state]
        return route
