from pathlib import Path

import pytest

from rm_copilot.cache_files import keep_newest, write_atomically


def test_a_written_file_holds_the_whole_payload_and_no_staging_file_is_left(tmp_path: Path):
    target = tmp_path / "deep" / "words-1.json"
    write_atomically(target, b"old")
    write_atomically(target, b"new payload")
    assert target.read_bytes() == b"new payload"
    assert [p.name for p in target.parent.iterdir()] == ["words-1.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_its_staging_file(tmp_path: Path, monkeypatch):
    target = tmp_path / "jieba-1.shards"
    write_atomically(target, b"old")

    def refuse(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("rm_copilot.cache_files.os.replace", refuse)
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["jieba-1.shards"]


def test_only_the_newest_files_of_the_pattern_are_kept(tmp_path: Path):
    import os

    for age, name in enumerate(["words-a.json", "words-b.json", "words-c.json"]):
        path = tmp_path / name
        path.write_text(name)
        os.utime(path, (1_000 + age, 1_000 + age))
    (tmp_path / "other.json").write_text("kept")
    keep_newest(tmp_path, "words-*.json", 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json", "words-b.json", "words-c.json"]
