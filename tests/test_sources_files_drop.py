"""The drop folder itself: symlinks never followed, hidden, temporary and lock files left alone, a file still
being written left for the next run (the clock injected, never slept on)."""
from __future__ import annotations

import os
import time

import pytest

from etl import load
from etl.sources import FileDropSource
from test_sources_files import dropped, listing, observations

GOOD = "indicator,period,scope,value\ngdp,2020,county,471\n"


def test_symlinks_to_files_and_folders_are_neither_followed_nor_moved(engine, drop, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("indicator,period,scope,value\ngdp,1999,county,1\n", encoding="utf-8")
    (drop / "link.csv").symlink_to(outside / "secret.csv")
    (drop / "linked-folder").symlink_to(outside, target_is_directory=True)
    (drop / "real.csv").write_text(GOOD, encoding="utf-8")
    source = dropped(drop)
    result = load.run(engine, "drop", source)
    assert (result.status, result.rows_loaded) == ("success", 1)
    assert observations(engine) == [("gdp", "2020", "county", 471.0, "亿元")]
    assert (drop / "link.csv").is_symlink() and (drop / "linked-folder").is_symlink()
    assert sorted(os.listdir(outside)) == ["secret.csv"]  # nothing moved out of or into the folder it points at
    assert sorted((p.rsplit("/", 1)[1], why) for p, why in source.skipped) == [
        ("link.csv", "symlink"), ("linked-folder", "symlink")]


@pytest.mark.parametrize("name", [".hidden.csv", "~$book.xlsx", "upload.csv.tmp", "big.csv.part", "big.csv.crdownload",
                                  ".~lock.book.xlsx#", "~WRL0001.tmp", "Thumbs.db"])
def test_hidden_temporary_and_lock_files_are_left_alone(engine, drop, name):
    (drop / name).write_text(GOOD, encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_read, result.refused) == ("success", 0, [])
    assert listing(drop) == [name]


def test_a_file_still_being_written_waits_for_the_next_run(engine, drop):
    path = drop / "copying.csv"
    path.write_text(GOOD, encoding="utf-8")
    written = time.time() - 1
    os.utime(path, (written, written))
    clock = {"now": written + 2}
    source = FileDropSource(folder=str(drop), settle_seconds=5, now=lambda: clock["now"])
    first = load.run(engine, "drop", source)
    assert (first.status, first.rows_read) == ("success", 0) and listing(drop) == ["copying.csv"]
    assert source.skipped == [(str(path), "still being written (changed less than 5 s ago)")]
    clock["now"] = written + 5
    second = load.run(engine, "drop", source)
    assert (second.status, second.rows_loaded) == ("success", 1)
    assert listing(drop) == ["processed/copying.csv"]


def test_a_part_file_renamed_when_complete_is_picked_up(engine, drop):
    part = drop / "upload.csv.part"
    part.write_text(GOOD, encoding="utf-8")
    assert load.run(engine, "drop", dropped(drop)).rows_read == 0
    part.rename(drop / "upload.csv")
    assert load.run(engine, "drop", dropped(drop)).rows_loaded == 1
    assert listing(drop) == ["processed/upload.csv"]


def test_settle_seconds_is_a_job_option(engine, drop):
    (drop / "now.csv").write_text(GOOD, encoding="utf-8")
    assert load.run(engine, "drop", FileDropSource(folder=str(drop))).rows_read == 0  # default: 5 s
    assert load.run(engine, "drop", FileDropSource(folder=str(drop), settle_seconds=0)).rows_loaded == 1
