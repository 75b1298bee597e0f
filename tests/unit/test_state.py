"""The state file: round trips, atomic writes, corruption, and the one-run-per-target lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from llmd_sim.errors import StateError
from llmd_sim.state import DONE, FAILED, INTERRUPTED, StateStore, target_lock


def store(tmp_path):
    return StateStore(tmp_path / "t" / "state.json", "llmd-sim", "llm-d-sim")


def test_missing_file_is_a_fresh_state(tmp_path):
    state = store(tmp_path).load()
    assert state.steps == {} and state.last_seq == 0


def test_round_trip_keeps_records(tmp_path):
    s = store(tmp_path)
    state = s.load()
    state.started("images")
    state.finished("images", "abc", {"images": ["a:1"]})
    state.started("cluster")
    state.stopped("cluster", FAILED, "kind failed")
    s.save(state)
    again = s.load()
    assert again.record("images").status == DONE
    assert again.record("images").inputs == {"images": ["a:1"]}
    assert again.record("images").seq == 1
    assert again.record("cluster").status == FAILED
    assert again.record("cluster").error == "kind failed"
    assert again.record("cluster").fingerprint is None


def test_a_failed_or_interrupted_step_forgets_its_fingerprint(tmp_path):
    state = store(tmp_path).load()
    state.started("crds")
    state.finished("crds", "fp", {})
    state.started("crds")
    state.stopped("crds", INTERRUPTED, "interrupted")
    assert state.record("crds").fingerprint is None


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path):
    s = store(tmp_path)
    s.save(s.load())
    assert [p.name for p in s.path.parent.iterdir()] == ["state.json"]
    assert json.loads(s.path.read_text())["format"] == 1


@pytest.mark.parametrize("content", ["{not json", "[]", '{"format": 99}', '{"format": 1, "steps": {"x": {"bogus": 1}}}'])
def test_corrupt_file_is_a_clear_error_with_a_way_out(tmp_path, content):
    s = store(tmp_path)
    s.path.parent.mkdir(parents=True)
    s.path.write_text(content)
    with pytest.raises(StateError) as caught:
        s.load()
    assert "is corrupt" in caught.value.message
    assert f"mv {s.path}" in caught.value.hint
    assert s.path.read_text() == content  # never overwritten behind the user's back


def test_second_holder_is_refused_with_who_holds_it(tmp_path):
    lock = tmp_path / "lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"""
import time
from llmd_sim.state import target_lock
from pathlib import Path
with target_lock(Path({str(lock)!r}), "llmd-sim up"):
    print("held", flush=True)
    time.sleep(30)
"""],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StateError) as caught:
            with target_lock(lock, "llmd-sim down"):
                pass
        assert f"pid {holder.pid}" in caught.value.message
        assert "llmd-sim up" in caught.value.message
    finally:
        holder.kill()
        holder.wait()
    # The holder died without cleaning up: its lock is taken over.
    with target_lock(lock, "llmd-sim up"):
        assert json.loads(lock.read_text())["pid"] == os.getpid()


def test_stale_lock_file_from_a_dead_process_is_taken_over(tmp_path):
    lock = tmp_path / "lock"
    lock.write_text(json.dumps({"pid": 999999, "command": "llmd-sim up", "since": 0, "host": "x"}))
    with target_lock(lock, "llmd-sim up"):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
