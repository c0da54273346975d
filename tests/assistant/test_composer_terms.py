"""The composer's saved word lists: read by a new process, identical to tokenising, never another lexicon's."""
from __future__ import annotations

import json
import shutil

import pytest

from rm_copilot.config import PROJECT_ROOT
from rm_copilot.generation import builtin_composer
from rm_copilot.generation.builtin_composer import BuiltinComposer, lexicon_terms
from rm_copilot.knowledge import tokenizer

PROMPTS = PROJECT_ROOT / "prompts"
LEXICON = PROJECT_ROOT / "knowledge_base" / "lexicon"
CHUNKS = ["星河乐享大额存单1年期\n20万元起存，以1万元的整数倍递增，存期1年。可在行内转让。",
          "大额存单多少钱起存？\n问：大额存单多少钱起存？答：个人投资者认购大额存单的起点金额不低于20万元。"]


def test_saved_terms_are_read_instead_of_tokenising(tmp_path, monkeypatch):
    writer = BuiltinComposer(PROMPTS, LEXICON, terms_dir=tmp_path)
    assert writer.save_terms(CHUNKS, ["星河乐享大额存单1年期"]) >= 4
    expected = {text: lexicon_terms(str(LEXICON), text) for text in json.loads(
        next(tmp_path.glob("composer-terms-*.json")).read_text(encoding="utf-8"))["terms"]}

    def no_tokenising(*_):
        raise AssertionError("tokenised a saved sentence")

    monkeypatch.setattr(builtin_composer, "lexicon_terms", no_tokenising)
    reader = BuiltinComposer(PROMPTS, LEXICON, terms_dir=tmp_path)
    assert "20万元起存，以1万元的整数倍递增，存期1年" in expected
    assert {text: reader.terms(text) for text in expected} == expected


def test_another_lexicons_file_is_never_read(tmp_path, monkeypatch):
    lexicon = tmp_path / "lexicon"
    shutil.copytree(LEXICON, lexicon)
    BuiltinComposer(PROMPTS, lexicon, terms_dir=tmp_path / "cache").save_terms(CHUNKS)
    with (lexicon / "user_dict.txt").open("a", encoding="utf-8") as out:
        out.write("\n整数倍递增 50000 n\n")
    monkeypatch.setattr(tokenizer, "_lexicons", {})  # as a new process: lexicons are read once per process
    builtin_composer._lexicon.cache_clear()
    builtin_composer.lexicon_terms.cache_clear()
    changed = BuiltinComposer(PROMPTS, lexicon, terms_dir=tmp_path / "cache")
    assert not changed.has_saved_terms()
    assert "整数倍递增" in changed.terms("20万元起存，以1万元的整数倍递增，存期1年")


@pytest.mark.parametrize("content", ["{broken", json.dumps({"lexicon": "another", "terms": {"x": ["y"]}})])
def test_unreadable_or_foreign_file_is_ignored(tmp_path, content):
    composer = BuiltinComposer(PROMPTS, LEXICON, terms_dir=tmp_path)
    composer.save_terms(CHUNKS)
    next(tmp_path.glob("composer-terms-*.json")).write_text(content, encoding="utf-8")
    fresh = BuiltinComposer(PROMPTS, LEXICON, terms_dir=tmp_path)
    assert fresh.terms("x") == lexicon_terms(str(LEXICON), "x")
