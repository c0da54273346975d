"""Chinese full names in free text: "周建国先生", "户名：刘德明", "司马文静", "我给王丽华打了电话".

A candidate is a surname (compound first, then single) followed by a one- or two-character given
name, accepted on evidence:
- a person title right after it ("周建国先生", "张伟经理"); a surname directly followed by a title
  is an honorific and stays ("王女士", "李总", "张经理");
- a label right before it ("户名：", "客户", "联系人", "投保人");
- a compound surname ("司马文静", "欧阳娜娜");
- next to a verb of contact ("给王丽华打了电话", "王建国说") with a common surname, when jieba's
  part-of-speech tagger agrees it is a person (`nr`) — tagging costs far more than the rest of the
  check, so it runs only for such candidates (with a cache directory, over the tagger's tables saved
  there: `pos_tables.py`, `pos_tagger.py`).
Candidates that are words of jieba's dictionary ("黄金", "周末", "马上", "金华"), or whose surname
character ends the word before it ("一张", "提高", "管理费") or follows a numeral or pronoun ("这张卡"),
are no names. A given-name character that is a frequent function word ("李刚说", "张伟想", "费和")
ends the name early or rules it out.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from rm_copilot.compliance import name_lexicon, pos_tables
from rm_copilot.compliance.name_lexicon import Lexicon
from rm_copilot.compliance.pos_tagger import PosTagger
from rm_copilot.compliance.surnames import COMMON_SURNAMES, COMPOUND_SURNAMES, SINGLE_SURNAMES

TITLES = ("先生", "女士", "小姐", "同志", "老师", "阿姨", "叔叔", "伯伯", "大爷", "大妈", "奶奶", "爷爷",
          "师傅", "经理", "总经理", "总", "行长", "主任", "董事长", "医生", "律师", "同学", "夫妇", "教授",
          "博士", "主管", "处长", "科长", "局长", "院长", "老板", "女儿", "儿子", "老公", "老婆", "夫人")
LABELS = ("户名", "姓名", "名字", "客户", "联系人", "收款人", "付款人", "持卡人", "投保人", "被保险人",
          "受益人", "申请人", "借款人", "开户人", "名叫", "叫做", "本人", "配偶", "丈夫", "妻子", "母亲",
          "父亲", "经办人", "代理人", "监护人")
_LABEL_GLUE = " :：\t"
CONTACT_BEFORE = ("给", "跟", "和", "与", "找", "约", "联系", "拜访", "回访", "致电", "通知", "提醒", "告诉",
                  "见了", "约了", "找了", "联系了", "拜访了", "通知了", "提醒了", "告诉了", "问了",
                  "帮", "替", "为", "见", "陪", "请", "叫", "同", "让", "由")
CONTACT_AFTER = ("说", "问", "想", "要", "来", "去", "打电话", "表示", "咨询", "办理", "买", "购买", "签", "到期",
                 "反馈", "认为", "觉得", "希望", "已经", "今天", "明天", "昨天")
_LEFT_TAGS = frozenset({"m", "r"})
_FUNCTION_TAGS = frozenset({"v", "p", "d", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "y", "e", "m", "q", "f"})
_GRAMMAR_TAGS = frozenset({"p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "y", "e"})
FUNCTION_FREQUENCY = 3000
FAMOUS_FREQUENCY = 50


_load_lock = threading.Lock()
# A name starts at a single surname or the first character of a compound one.
_SURNAME_STARTS = SINGLE_SURNAMES | {surname[0] for surname in COMPOUND_SURNAMES}
# A given name that begins a longer title ("老" of 老师, "总经" of 总经理) is none.
_TITLE_PREFIXES = frozenset(title[:size] for title in TITLES if len(title) > 1 for size in range(1, len(title) + 1))
_NON_CJK = re.compile("[^\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")  # what `is_cjk` is not


@lru_cache(maxsize=1)
def _jieba():
    """jieba with its part-of-speech tagger, loaded once (a second or two)."""
    import logging

    import jieba

    with _load_lock:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        import jieba.posseg
    return jieba


@lru_cache(maxsize=1)
def jieba_lexicon() -> Lexicon:
    """jieba's whole dictionary and part-of-speech table."""
    jieba = _jieba()
    return Lexicon(jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab)


def lexicon() -> Lexicon:
    """The dictionary the compliance package consults (names here, homophones in `evasion.py`): the
    saved part of jieba's that answers every such question alike when a cache directory is set
    (`NameFinder.keep_lexicon_in`), else jieba's whole dictionary."""
    return name_finder().lexicon


def jieba_pos_source() -> pos_tables.Source:
    """The tables `jieba.posseg.cut` reads, from jieba itself (what `pos_tables.py` saves)."""
    jieba = _jieba()
    posseg = jieba.posseg
    return pos_tables.Source(jieba.dt.FREQ, jieba.dt.total, posseg.dt.word_tag_tab, posseg.char_state_tab_P,
                             posseg.start_P, posseg.trans_P, posseg.emit_P)


def _tagger():
    return _jieba().posseg.cut


def load_tagger() -> None:
    """Load the part-of-speech tagger now rather than on the first text that needs it (the saved tables
    of a cache directory, a few hundredths of a second; else jieba's whole dictionary, 2-4 s holding
    the GIL): a server calls this before it takes requests."""
    name_finder().tagger()


def _ordinary_word(lexicon: Lexicon, word: str) -> bool:
    """A dictionary word that is no private person's name: not tagged a name, or frequent (jieba tags
    some common words `nr`: 关怀, 谢谢)."""
    entry = lexicon.get(word)
    return entry is not None and entry[0] > 0 and (not entry[1].startswith("nr") or entry[0] >= FAMOUS_FREQUENCY)


def _function_char(lexicon: Lexicon, char: str, tags: frozenset[str] = _FUNCTION_TAGS) -> bool:
    entry = lexicon.get(char)
    return entry is not None and (entry[0] >= 100_000 or (entry[1] in tags and entry[0] >= FUNCTION_FREQUENCY))


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _evidence_patterns() -> tuple[re.Pattern, ...]:
    """Where any evidence could be: a few regex searches settle most texts (no name) in C. Kept as
    separate patterns: one alternation of them all loses the regex engine's literal and character
    set shortcuts and searches three times slower."""
    singles, common, compounds = "".join(SINGLE_SURNAMES), "".join(COMMON_SURNAMES), _alternation(COMPOUND_SURNAMES)
    cjk = "[\u4e00-\u9fff]"
    return tuple(re.compile(pattern) for pattern in (
        f"(?:{_alternation(LABELS)})[{re.escape(_LABEL_GLUE)}]*(?:[{singles}]|{compounds})",
        f"(?:{compounds}){cjk}",
        f"[{singles}]{cjk}{{1,2}}(?={_first_characters(TITLES)})(?:{_alternation(TITLES)})",
        f"(?:{_alternation(CONTACT_BEFORE)})[{common}]",
        f"[{common}]{cjk}{{1,2}}(?={_first_characters(CONTACT_AFTER)})(?:{_alternation(CONTACT_AFTER)})",
    ))


def _first_characters(words) -> str:
    """A class of the words' first characters: a lookahead of it before an alternation of the words
    changes no match but rules most positions out at once, where the engine would try every word
    after every surname character (the title pattern searches a third faster)."""
    return "[" + re.escape("".join(sorted({word[0] for word in words}))) + "]"


class NameFinder:
    def __init__(self):
        self.evidence = _evidence_patterns()
        self.cache_dir: Path | None = None
        self._lexicon: Lexicon | None = None
        self._lexicon_lock = threading.Lock()
        self._tagger: Callable[[str], Iterable[tuple[str, str]]] | None = None
        self._tagger_lock = threading.Lock()
        # Per-character answers of the lexicon (bounded by the characters there are); filled by
        # whichever thread asks first — every thread would store the same answer.
        self._left_stops: dict[str, bool] = {}
        self._function_chars: dict[tuple[str, frozenset[str]], bool] = {}

    def keep_lexicon_in(self, cache_dir: Path | None) -> None:
        """Save the part of jieba's dictionary the compliance package consults, and the tables of its
        part-of-speech tagger, in `cache_dir` and read them from there (`name_lexicon.py`,
        `pos_tables.py`): a tenth of the time of loading jieba's whole dictionary, and a hundredth
        of loading `jieba.posseg`. When `cache_dir` does not hold them yet (a new home), they are
        derived and saved now, at start-up, not by the first name a check meets."""
        self.cache_dir = cache_dir
        if cache_dir is None:
            return
        if self._lexicon is None and not name_lexicon.saved_path(cache_dir).is_file():
            self._load_lexicon()
        if self._tagger is None and not pos_tables.saved_path(cache_dir).is_file():
            self._load_tagger()

    @property
    def lexicon(self) -> Lexicon:
        # Loaded on the first text with evidence of a name: most texts are settled by `evidence` alone,
        # so a CLI answer or a stream does not wait for jieba's dictionary at start-up.
        return self._lexicon if self._lexicon is not None else self._load_lexicon()

    def _load_lexicon(self) -> Lexicon:
        with self._lexicon_lock:
            if self._lexicon is None:
                self._lexicon = (jieba_lexicon() if self.cache_dir is None
                                 else name_lexicon.load_or_build(self.cache_dir, jieba_lexicon))
            return self._lexicon

    def tagger(self) -> Callable[[str], Iterable[tuple[str, str]]]:
        """(word, part of speech) of a text as `jieba.posseg.cut` gives them: over the tables saved in
        the cache directory when there is one, else jieba's own (loaded on the first text tagged)."""
        return self._tagger if self._tagger is not None else self._load_tagger()

    def _load_tagger(self) -> Callable[[str], Iterable[tuple[str, str]]]:
        with self._tagger_lock:
            if self._tagger is None:
                self._tagger = (_tagger() if self.cache_dir is None
                                else PosTagger(pos_tables.load_or_build(self.cache_dir, jieba_pos_source)).cut)
            return self._tagger

    def find(self, text: str, *, tag: bool = True) -> list[tuple[int, int]]:
        """Spans [start, end) of full names, in order, not overlapping."""
        labelled, compound, titled, contact_before, contact_after = self.evidence
        if not (labelled.search(text) or compound.search(text) or titled.search(text)
                or contact_before.search(text) or contact_after.search(text)):
            return []  # (`or` rather than any() over a generator: a third of this test's time)
        found: list[tuple[int, int]] = []
        open_candidates: list[int] = []
        # Only positions holding a surname's first character can start a name: the Python loop visits
        # those, not every character. `cjk` marks each character of the text CJK or not ("\0") once,
        # so the checks below are slices and `in`, not a call per character.
        cjk = _NON_CJK.sub("\0", text)
        index = 0
        for position in [i for i, char in enumerate(text) if char in _SURNAME_STARTS]:
            if position < index:
                continue  # inside a name just found
            index = position
            surname = self._surname_at(text, cjk, index)
            if surname == 0:
                continue
            end = self._given(text, cjk, index, surname)
            if end is None:
                continue
            if self._evidence(text, index, surname, end):
                found.append((index, end))
                index = end
                continue
            if self._contact(text, index, end) and text[index] in COMMON_SURNAMES:
                open_candidates.append(index)
        if tag and open_candidates:
            found = self._tagged(text, found, open_candidates)
        return found

    def _surname_at(self, text: str, cjk: str, index: int) -> int:
        if text[index:index + 2] in COMPOUND_SURNAMES:
            size = 2
        elif text[index] in SINGLE_SURNAMES:
            size = 1
        else:
            return 0
        lexicon = self.lexicon
        for width in (2, 3, 4):  # "一张", "提高", "管理费": the surname character ends the word before it
            start = index + 1 - width
            if start < 0 or "\0" in cjk[start:index]:
                break  # a wider word would hold the same non-CJK character or run off the text
            if _ordinary_word(lexicon, text[start:index + 1]):
                return 0
        if index > 0 and self._left_stop(text[index - 1]):
            return 0  # "这张卡", "两张"
        return size

    def _left_stop(self, char: str) -> bool:
        """A numeral or pronoun (the character before a surname one: "这张卡"), cached per character:
        the same few characters are asked about in every text."""
        stop = self._left_stops.get(char)
        if stop is None:
            entry = self.lexicon.get(char)
            stop = self._left_stops[char] = entry is not None and entry[1] in _LEFT_TAGS
        return stop

    def _given(self, text: str, cjk: str, index: int, surname: int) -> int | None:
        """End of the given name after the surname, or None: the size a title follows ("周建国先生",
        "张伟经理"), else the longest plausible one."""
        start = index + surname
        sizes = [size for size in (2, 1) if self._plausible(text, cjk, start, size)]
        if not sizes or self._ordinary(text, index, start, sizes[-1]):
            return None
        for size in sizes:
            if text.startswith(TITLES, start + size):
                return start + size
        return start + sizes[0]

    def _ordinary(self, text: str, index: int, start: int, size: int) -> bool:
        return _ordinary_word(self.lexicon, text[index:start + size]) or _ordinary_word(self.lexicon, text[index:start + 1])

    def _plausible(self, text: str, cjk: str, start: int, size: int) -> bool:
        given = text[start:start + size]
        if len(given) < size or "\0" in cjk[start:start + size]:
            return False
        if given.startswith(TITLES) or given in _TITLE_PREFIXES:
            return False
        if self._function_char(given[0], _GRAMMAR_TAGS):
            return False  # given names use verbs (建国, 立新) but not particles or pronouns ("费和")
        return not (size == 2 and self._function_char(given[1], _FUNCTION_TAGS))

    def _function_char(self, char: str, tags: frozenset[str]) -> bool:
        """`_function_char` of the lexicon, cached per (character, tag set): a text asks about the same
        characters again and again, and the lexicon never changes once loaded."""
        key = (char, tags)
        answer = self._function_chars.get(key)
        if answer is None:
            answer = self._function_chars[key] = _function_char(self.lexicon, char, tags)
        return answer

    def _evidence(self, text: str, index: int, surname: int, end: int) -> bool:
        if surname == 2:
            return True
        if text.startswith(TITLES, end):
            return True
        if text[index] not in COMMON_SURNAMES and self._function_char(text[index], _FUNCTION_TAGS):
            return False  # "客户都能买", "客户常问": a rare surname that is mostly a function word
        before = text[:index].rstrip(_LABEL_GLUE)
        return before.endswith(LABELS)

    @staticmethod
    def _contact(text: str, index: int, end: int) -> bool:
        return text[:index].endswith(CONTACT_BEFORE) or text.startswith(CONTACT_AFTER, end)

    def _unknown_person(self, word: str) -> bool:
        """A private person: not in the dictionary, or a rare dictionary name (famous names and
        brands such as 西门子 or 李宁 are frequent entries)."""
        entry = self.lexicon.get(word)
        return entry is None or (entry[1].startswith("nr") and entry[0] < FAMOUS_FREQUENCY)

    def _tagged(self, text: str, found: list[tuple[int, int]], candidates: list[int]) -> list[tuple[int, int]]:
        starts = set(candidates)
        position = 0
        extra: list[tuple[int, int]] = []
        for word, flag in self.tagger()(text):
            if flag.startswith("nr") and position in starts and 2 <= len(word) <= 4 \
                    and self._unknown_person(word) and not word.endswith(TITLES):
                extra.append((position, position + len(word)))
            position += len(word)
        if not extra:
            return found
        merged = sorted(found + [span for span in extra
                                 if all(span[1] <= s or span[0] >= e for s, e in found)])
        return merged


@lru_cache(maxsize=1)
def name_finder() -> NameFinder:
    return NameFinder()


def find_names(text: str, *, tag: bool = True) -> list[tuple[int, int]]:
    # No separate test for Chinese characters first: every evidence pattern needs one, and on the
    # Chinese texts a check reads that test was pure cost.
    return name_finder().find(text, tag=tag)
