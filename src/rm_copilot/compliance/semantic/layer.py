"""The meaning layer: sentences the rules' wording does not reach, judged by what they mean.

Per sentence: no risk cue → skipped; a sentence a rule blocks or rewrites → left to the rule; stage 1
(n-grams) settles clear cases both ways; the rest are embedded (batched per call) and scored by
stage 2. Results are cached by folded sentence
(bounded LRU), so campaign copy that differs only in names, dates and amounts is judged once.
The layer holds no state besides that cache, which is guarded by a lock: one layer serves every
thread.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from rm_copilot.compliance.models import Finding, Severity
from rm_copilot.compliance.normalize import Normalized, normalize
from rm_copilot.compliance.semantic.encoder import SentenceEncoder
from rm_copilot.compliance.semantic.model import Assessment, SemanticModel
from rm_copilot.compliance.semantic.text import Folder, sentence_spans

LABELS = {
    "guarantee": "保本保收益或兜底承诺", "absolute": "绝对化用语", "deposit_confusion": "混淆存款与理财",
    "expected_return": "以预期收益或业绩比较基准作承诺", "performance": "夸大或外推业绩",
    "pressure": "催促施压", "inducing": "诱导投资", "gift": "违规赠品或返利", "misleading": "误导性宣传",
    "insurance": "保险误导销售", "loan": "贷款营销违规", "suitability": "规避适当性管理",
}
SKIPPED = Assessment(0, 0.0)
BATCH = 64
# A reply this short ("明白了。", "嗯嗯，没问题。", "辛苦您跑一趟。") gives the classifier too few
# characters to tell a claim from courtesy: it may warn, never block. Short claims are the rules' job.
SHORT_SENTENCE_CHARS = 6


class SemanticLayer:
    def __init__(self, model: SemanticModel, encoder: SentenceEncoder, *, bases: Mapping[str, str],
                 suggestions: Mapping[str, str] = {}, product_names: Iterable[str] = (), cache_size: int = 65536):
        self.model = model
        self.encoder = encoder
        self.bases = dict(bases)
        self.suggestions = dict(suggestions)
        self.folder = Folder(product_names)
        self._cache: OrderedDict[str, Assessment] = OrderedDict()
        self._folds: dict[str, str] = {}  # single dict reads and writes: safe across threads
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._local = threading.local()
        self.stats = {"sentences": 0, "no_cue": 0, "cached": 0, "stage1": 0, "stage2": 0}

    @classmethod
    def for_rules(cls, model: SemanticModel, encoder: SentenceEncoder, rules: Iterable, *,
                  product_names: Iterable[str] = (), cache_size: int = 65536) -> SemanticLayer:
        """Each category's legal basis and suggestion come from its first rule in the rulebook."""
        bases: dict[str, str] = {}
        suggestions: dict[str, str] = {}
        for rule in rules:
            bases.setdefault(rule.category, rule.basis)
            suggestions.setdefault(rule.category, rule.suggestion)
        return cls(model, encoder, bases=bases, suggestions=suggestions, product_names=product_names,
                   cache_size=cache_size)

    def fold(self, sentence: str) -> str:
        folded = self._folds.get(sentence)  # copy repeats sentences verbatim: fold each once
        if folded is None:
            if len(self._folds) >= self._cache_size:
                self._folds.clear()
            folded = self._folds[sentence] = self.folder.fold(sentence)
        return folded

    def assess(self, folded: Sequence[str]) -> list[Assessment]:
        """One assessment per folded sentence; every embedding needed is computed in one batch."""
        results: dict[str, Assessment] = {}
        pending: dict[str, object] = {}
        stats = self.stats
        for key in folded:
            stats["sentences"] += 1
            if key in results or key in pending:
                stats["cached"] += 1
                continue
            cached = self._get(key)
            if cached is not None:
                stats["cached"] += 1
                results[key] = cached
            elif not self.model.has_cue(key):
                stats["no_cue"] += 1
                results[key] = SKIPPED
            else:
                features = self.model.features(key)
                score = self.model.stage1(features)
                if score < self.model.thresholds.settle_below:
                    stats["stage1"] += 1
                    results[key] = Assessment(1, score)
                elif score >= self.model.thresholds.settle_above:
                    stats["stage1"] += 1
                    results[key] = Assessment(1, score, *self.model.stage1_category(features))
                else:
                    pending[key] = features
        deferred = getattr(self._local, "deferred", None)
        if pending and deferred is not None:  # a prime pass: remember, embed later in one batch
            deferred.update(pending)
            self._local.deferrals += 1
            return [results.get(key, SKIPPED) for key in folded]
        if pending:
            keys = list(pending)
            stats["stage2"] += len(keys)
            for offset in range(0, len(keys), BATCH):
                chunk = keys[offset:offset + BATCH]
                for key, vector in zip(chunk, self.encoder.encode(chunk), strict=True):
                    results[key] = self._stage2(pending[key], vector)
        self._put(results)
        return [results[key] for key in folded]

    def _stage2(self, features, vector) -> Assessment:
        score, category = self.model.stage2(features, vector)
        if score < self.model.thresholds.warn.get(category, 1.01):
            return Assessment(2, score, category)
        example, similarity = self.model.nearest(vector, category)
        return Assessment(2, score, category, example, similarity)

    @contextmanager
    def deferring(self) -> Iterator[dict]:
        """While active (this thread only), sentences needing stage 2 are collected, not embedded;
        `resolve` then embeds them in batches. Lets a caller run its rules first and prime only the
        sentences the rules leave to the meaning layer."""
        pending: dict = {}
        self._local.deferred = pending
        self._local.deferrals = 0
        try:
            yield pending
        finally:
            self._local.deferred = None

    def deferrals(self) -> int:
        """How many `assess` calls of this thread's current `deferring` block left sentences pending."""
        return getattr(self._local, "deferrals", 0)

    def resolve(self, pending: Mapping[str, object]) -> None:
        keys = [key for key in pending if self._get(key) is None]
        self.stats["stage2"] += len(keys)
        results = {}
        for offset in range(0, len(keys), BATCH):
            chunk = keys[offset:offset + BATCH]
            for key, vector in zip(chunk, self.encoder.encode(chunk), strict=True):
                results[key] = self._stage2(pending[key], vector)
        self._put(results)

    def prime(self, texts: Iterable[str]) -> None:
        """Judge every sentence of many texts at once (batched embeddings), ahead of `findings`."""
        folded = self._folded_sentences(texts)
        if folded:
            self.assess(folded)

    def _folded_sentences(self, texts: Iterable[str]) -> list[str]:
        folded: list[str] = []
        for text in texts:
            normalized = normalize(text).text
            folded.extend(self.fold(normalized[s:e]) for s, e in sentence_spans(normalized))
        return folded

    def judge(self, texts: Iterable[str]) -> dict[str, Assessment]:
        """Every sentence of these texts judged (embeddings batched), by folded sentence, for `remember`
        to take back in another process; sentences without a risk cue are left out."""
        folded = list(dict.fromkeys(self._folded_sentences(texts)))
        return {key: assessment for key, assessment in zip(folded, self.assess(folded), strict=True)
                if assessment.stage}

    def remember(self, judged: Mapping[str, Assessment]) -> None:
        """Take judgements made earlier by the same model and encoder (`judge`) into the cache."""
        self._put(judged)

    def findings(self, normalized: Normalized, rule_findings: Sequence[Finding],
                 excused: Sequence[tuple[int, int, str]] = (),
                 mentioned: Sequence[tuple[int, int]] = ()) -> list[Finding]:
        """`excused`: (start, end, category) in the original text of rule hits their context excused
        ("不承诺保本", "定期存款保本保息"): in their sentence the layer warns in that category, never blocks.
        `mentioned`: [start, end) in the original text of words the text mentions, not says (a quoted
        bad example, a quiz's options; `quotes.mention_spans`): the layer reads the text without them,
        and leaving them out can only clear a sentence, never convict it — a block the text with its
        mentions does not earn as well is only a warning."""
        if not mentioned:
            return self._judged(normalized, normalized.original, rule_findings, excused)
        unread = [(s, e, c) for s, e, c in excused if not any(ms <= s and e <= me for ms, me in mentioned)]
        blanked = self._judged(normalize(_blanked(normalized.original, mentioned)), normalized.original,
                               rule_findings, unread)
        if not any(finding.severity == "block" for finding in blanked):
            return blanked  # nothing to confirm against the text with its mentions
        found = self._judged(normalized, normalized.original, rule_findings, excused)
        for finding in blanked:
            if finding.severity == "block" and not any(
                    other.severity == "block" and other.category == finding.category
                    and other.start < finding.end and other.end > finding.start for other in found):
                finding.severity = "warn"
        return blanked

    def _judged(self, view: Normalized, original: str, rule_findings: Sequence[Finding],
                excused: Sequence[tuple[int, int, str]]) -> list[Finding]:
        spans = sentence_spans(view.text)
        blocked = [(f.start, f.end) for f in rule_findings
                   if f.severity != "warn" and f.end > f.start and f.category != "pii"]
        if blocked:  # a sentence a rule already blocks or fixes needs no second opinion: the rule explains it
            spans = [(s, e) for s, e in spans if not _overlaps(view.span(s, e), blocked)]
        if not spans:
            return []
        names = {normalize(original[f.start:f.end]).text for f in rule_findings if f.rule_id == "pii.name"}
        assessments = self.assess([self.fold(_addressed(view.text[s:e], names)) for s, e in spans])
        # Past performance shown with the disclosure the rulebook requires for it is the rule's business.
        disclosed = {"performance"} if any(f.category == "disclosure" and f.rule_id.endswith("_performance")
                                           for f in rule_findings) else set()
        out = []
        for (s, e), assessment in zip(spans, assessments, strict=True):
            category = assessment.category
            if assessment.example is None or category is None or category in disclosed:
                continue
            limits = self.model.thresholds
            settled = assessment.stage == 1  # stage 1 only settles violations it is sure of
            severity: Severity = "block" if settled or assessment.score >= limits.block.get(category, 1.01) else "warn"
            if severity == "block" and _content_length(view.text[s:e]) <= SHORT_SENTENCE_CHARS:
                severity = "warn"
            start, end = view.span(s, e)
            if severity == "block" and any(c == category and hs < end and he > start for hs, he, c in excused):
                severity = "warn"  # the rule read this wording in context; a second opinion is shown, not enforced
            if any(f.category == category and f.start < end and f.end > start for f in rule_findings):
                continue  # the rule that matched here is the explanation
            out.append(_finding(category, severity, start, end, original[start:end], assessment,
                                self.bases.get(category, ""), self.suggestions.get(category, "")))
        return out

    def _get(self, key: str) -> Assessment | None:
        with self._lock:
            value = self._cache.get(key)
            if value is not None:
                self._cache.move_to_end(key)
            return value

    def _put(self, results: Mapping[str, Assessment]) -> None:
        with self._lock:
            self._cache.update(results)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


def _blanked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with the characters of `spans` turned to spaces, sentence ends kept: positions and
    sentences stay those of the original."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = [char if char in _SENTENCE_ENDS else " " for char in text[start:end]]
    return "".join(chars)


_SENTENCE_ENDS = frozenset("。！？!?；;\n…")


def _addressed(sentence: str, names: set[str]) -> str:
    """A full name the engine masks is read as the customer it addresses (and folds alike)."""
    for name in names:
        if name and name in sentence:
            sentence = sentence.replace(name, "客户")
    return sentence


def _content_length(sentence: str) -> int:
    """Characters that carry words: letters, digits and CJK, not punctuation, spaces or symbols."""
    return sum(char.isalnum() for char in sentence)


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and end > span[0] for start, end in others)


def _finding(category: str, severity: Severity, start: int, end: int, matched: str, assessment: Assessment,
             basis: str, suggestion: str) -> Finding:
    label = LABELS.get(category, category)
    action = "已拦截" if severity == "block" else "请人工复核"
    message = (f"语义检测：这句话的意思接近“{label}”（得分 {assessment.score:.2f}），"
               f"与已标注的违规示例“{assessment.example}”相似，{action}。")
    return Finding(f"semantic.{category}", category, severity, start, end, matched, message,
                   suggestion or "请改用客观、完整的表述，不作承诺或暗示。", basis, f"semantic.stage{assessment.stage}",
                   score=round(assessment.score, 3),
                   explanation={"example": assessment.example, "similarity": assessment.similarity})
