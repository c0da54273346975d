"""The meaning layer's judgements of known sentences, saved so a new process need not embed them again.

Every answer the builtin composer gives is made of knowledge-base sentences; the few of them that
need the embedding stage would otherwise cost a chat request or a cold `ask` the model's load and a
batch of its time. `SemanticLayer.judge` judges them once (at `index`), `save` keeps them in the
home, `load` hands them to every new process's layer. A judgement depends only on the folded
sentence, the trained artifact, the encoder and the code that scores, so those name the file: a retrained model or a
new encoder reads none of the old judgements. A missing or unreadable file is no error: the layer
judges as before.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path

from rm_copilot.cache_files import save_derived
from rm_copilot.compliance.semantic import layer, model, text
from rm_copilot.compliance.semantic.model import Assessment

FORMAT = 1
_JUDGING_CODE = (model, layer, text)
log = logging.getLogger(__name__)


def judgements_path(folder: Path, model_path: Path, encoder_name: str) -> Path:
    """Named by what a judgement depends on: the artifact, the encoder, and the code that scores and
    folds (a release that changes how a sentence is judged reads none of the old file)."""
    digest = hashlib.sha256()
    digest.update(model_path.read_bytes())
    for module in _JUDGING_CODE:
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(f"\0{encoder_name}\0{FORMAT}".encode())
    return folder / f"semantic-{digest.hexdigest()[:32]}.json"


def save(path: Path, judged: Mapping[str, Assessment]) -> None:
    rows = {key: [a.stage, a.score, a.category, a.example, a.similarity] for key, a in judged.items()}
    data = json.dumps({"format": FORMAT, "judgements": rows}, ensure_ascii=False, separators=(",", ":"))
    save_derived(path, data.encode("utf-8"), keep=2, what="meaning-layer judgements")


def load(path: Path) -> dict[str, Assessment]:
    try:
        payload = json.loads(path.read_bytes())
        if payload.get("format") != FORMAT:
            return {}
        return {key: Assessment(int(stage), float(score), category, example, similarity)
                for key, (stage, score, category, example, similarity) in payload["judgements"].items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        log.warning("meaning-layer judgements in %s not read: %s", path.name, type(error).__name__)
        return {}
