"""The exec seam, with real processes: output, logs, errors, timeouts, dry-run, background stop."""

from __future__ import annotations

import stat
import time

import pytest
from support.procs import alive

from llmd_sim.errors import CommandError, ToolMissing
from llmd_sim.runner import Runner


def tool(bin_dir, name, script):
    """Write a small shell tool into bin_dir."""
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def runner(tmp_path):
    return Runner(bin_dir=tmp_path / "bin", log_dir=tmp_path / "logs", step="images", timeout=30)


def test_captures_streams_and_logs_everything(runner, tmp_path):
    tool(tmp_path / "bin", "greet", 'echo "hello $1"; echo "to stderr" >&2\n')
    result = runner.run(["greet", "world"])
    assert result.ok and result.stdout == "hello world\n" and result.stderr == "to stderr\n"
    log = (tmp_path / "logs" / "images.log").read_text()
    assert "$ greet world" in log and "hello world" in log and "to stderr" in log and "[exit 0" in log


def test_managed_bin_dir_comes_first_on_path(runner, tmp_path):
    tool(tmp_path / "bin", "ls", "echo managed\n")
    assert runner.run(["ls"]).stdout == "managed\n"


def test_failure_carries_the_pasteable_command_and_stderr(runner, tmp_path):
    tool(tmp_path / "bin", "kind", 'echo "ERROR: failed to create cluster: node(s) already exist" >&2; exit 1\n')
    with pytest.raises(CommandError) as caught:
        runner.run(["kind", "create", "cluster", "--name", "my cluster"], hint="delete it first")
    err = caught.value
    assert err.command == "kind create cluster --name 'my cluster'"
    assert err.returncode == 1
    assert err.stderr_tail() == ["ERROR: failed to create cluster: node(s) already exist"]
    assert err.hint == "delete it first"
    assert err.log_path.endswith("images.log")


def test_check_false_returns_the_result(runner, tmp_path):
    tool(tmp_path / "bin", "probe", "exit 3\n")
    assert runner.run(["probe"], check=False).returncode == 3


def test_stdin_is_fed(runner, tmp_path):
    tool(tmp_path / "bin", "upper", "tr a-z A-Z\n")
    assert runner.run(["upper"], input="abc\n").stdout == "ABC\n"


def test_missing_program_is_a_clear_error(runner):
    with pytest.raises(ToolMissing) as caught:
        runner.run(["definitely-not-a-tool-xyz"])
    assert "not installed" in caught.value.message and "llmd-sim step prereqs" in caught.value.hint


def test_timeout_stops_the_whole_process_group(runner, tmp_path):
    pid_file = tmp_path / "child.pid"
    tool(tmp_path / "bin", "slow", f"sleep 60 & echo $! > {pid_file}; wait\n")
    with pytest.raises(CommandError) as caught:
        runner.run(["slow"], timeout=0.5)
    assert "timed out after" in caught.value.message
    assert caught.value.command == "slow"
    child = int(pid_file.read_text())
    assert not alive(child)


def test_dry_run_prints_a_script_and_runs_nothing(tmp_path):
    lines = []
    runner = Runner(dry_run=True, echo=lines.append, log_dir=tmp_path / "logs")
    runner.run(["kind", "get", "clusters"], reads=True)
    result = runner.run(["kubectl", "--context", "kind-x", "apply", "-f", "-"], input="kind: Namespace\n")
    runner.write_file(tmp_path / "work" / "kind.yaml", "kind: Cluster\n")
    assert result.ok and result.stdout == ""
    assert lines[0] == "# check: kind get clusters"
    assert lines[1] == "kubectl --context kind-x apply -f - <<'EOF'\nkind: Namespace\nEOF"
    assert lines[-1].startswith(f"cat > {tmp_path / 'work' / 'kind.yaml'} <<'EOF'")
    assert not (tmp_path / "work").exists() and not (tmp_path / "logs").exists()


def start_forward(runner, tmp_path):
    """A background tool that starts a child of its own; returns (process, the child's pid)."""
    pid_file = tmp_path / "child.pid"
    tool(tmp_path / "bin", "forward", f'sleep 60 & echo $! > {pid_file}; echo "bad" >&2; wait\n')
    proc = runner.start(["forward"])
    deadline = time.monotonic() + 5
    while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return proc, int(pid_file.read_text())


def test_background_process_stops_with_its_children(runner, tmp_path):
    proc, child = start_forward(runner, tmp_path)
    assert proc.alive()
    proc.stop()
    assert not proc.alive()
    assert not alive(child)


def test_kill_all_stops_running_commands(runner, tmp_path):
    proc, child = start_forward(runner, tmp_path)
    runner.kill_all()
    assert not proc.alive()
    assert not alive(child)


def test_history_is_shared_by_step_runners(runner, tmp_path):
    tool(tmp_path / "bin", "t", "true\n")
    runner.for_step("cluster").run(["t", "1"])
    runner.run(["t", "2"])
    assert runner.history == [["t", "1"], ["t", "2"]]
    assert (tmp_path / "logs" / "cluster.log").exists()
