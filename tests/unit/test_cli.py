"""The command line as a person meets it: help, listings, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support.cli import run_cli

from llmd_sim.errors import ExitCode

llmd_sim = run_cli  # reads as the command a person types


def test_help_lists_every_command(capsys, monkeypatch):
    code, out, _ = llmd_sim(capsys, monkeypatch, "--help")
    assert code == 0
    for command in ("up", "down", "test", "bench", "status", "step", "steps", "config", "port-forward"):
        assert f" {command} " in out


def test_steps_lists_the_eight_up_steps_in_order(capsys, monkeypatch):
    code, out, _ = llmd_sim(capsys, monkeypatch, "steps")
    assert code == 0
    names = [line.split()[1] for line in out.splitlines() if line[:1].isdigit()]
    assert names == ["prereqs", "images", "cluster", "crds", "istio", "deploy", "verify", "smoke"]
    assert "destroy" in out


def test_unknown_step_is_a_usage_error_listing_the_steps(capsys, monkeypatch):
    code, _, err = llmd_sim(capsys, monkeypatch, "step", "imagez")
    assert code == ExitCode.USAGE
    assert "unknown step 'imagez'" in err and "prereqs, images, cluster" in err
    code, _, err = llmd_sim(capsys, monkeypatch, "up", "--only", "nope")
    assert code == ExitCode.USAGE and "unknown step 'nope'" in err


def test_bad_config_exits_2_naming_key_value_and_source(capsys, monkeypatch, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("namespace: ok\npull_parallelism: lots\n")
    code, _, err = llmd_sim(capsys, monkeypatch, "--config", str(config), "up")
    assert code == ExitCode.USAGE
    assert f"invalid pull_parallelism 'lots' ({config}:2)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "llmd-sim-home").exists()  # validated before any side effect


def test_global_options_after_the_command(capsys, monkeypatch):
    code, out, _ = llmd_sim(capsys, monkeypatch, "config", "--json", "--namespace", "team-a")
    assert code == 0
    settings = json.loads(out)
    assert settings["namespace"] == {"value": "team-a", "source": "flag --namespace"}


def test_config_shows_sources(capsys, monkeypatch):
    monkeypatch.setenv("LLMD_SIM_MODEL", "my-model")
    code, out, _ = llmd_sim(capsys, monkeypatch, "config", "--json")
    settings = json.loads(out)
    assert settings["model"] == {"value": "my-model", "source": "env LLMD_SIM_MODEL"}
    assert settings["cluster_name"]["source"] == "default"


def test_status_of_a_fresh_target(capsys, monkeypatch):
    code, out, _ = llmd_sim(capsys, monkeypatch, "status", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["target"] == {"cluster": "llmd-sim", "namespace": "llm-d-sim", "context": "kind-llmd-sim"}
    assert [s["step"] for s in report["steps"]][0] == "prereqs"
    assert all(s["would_run"] and s["reason"] == "never run" for s in report["steps"])


def test_corrupt_state_is_a_clear_error(capsys, monkeypatch, tmp_path):
    state = tmp_path / "llmd-sim-home" / "targets" / "llmd-sim" / "llm-d-sim" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text("{half a file")
    code, _, err = llmd_sim(capsys, monkeypatch, "status")
    assert code == ExitCode.FAILED
    assert "is corrupt" in err and "hint: move it away" in err


def test_version(capsys, monkeypatch):
    code, out, _ = llmd_sim(capsys, monkeypatch, "--version")
    assert code == 0 and out.startswith("llmd-sim ")


def test_usage_errors_exit_2(capsys, monkeypatch):
    code, _, err = llmd_sim(capsys, monkeypatch, "up", "--no-such-flag")
    assert code == ExitCode.USAGE
    assert "No such option" in err


def test_dry_run_with_no_tools_prints_a_script_and_touches_nothing(tmp_path):
    """`llmd-sim up --dry-run` on a bare machine: no tools on PATH, an empty LLMD_SIM_HOME."""
    home = tmp_path / "llmd-sim-home"
    env = {**os.environ, "PATH": os.path.dirname(sys.executable), "LLMD_SIM_HOME": str(home)}
    result = subprocess.run(
        [sys.executable, "-m", "llmd_sim", "up", "--dry-run"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    script = result.stdout
    assert "kind create cluster --name llmd-sim" in script
    assert "helmfile --kube-context kind-llmd-sim" in script
    assert "kubectl --context kind-llmd-sim" in script
    for step in ("prereqs", "images", "cluster", "crds", "istio", "deploy", "verify", "smoke"):
        assert f"# --- {step}:" in script
    assert not home.exists()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["up", "--dry-run"], ["down", "--dry-run"]])
def test_every_context_aware_command_in_a_dry_run_names_its_context(tmp_path, command):
    env = {**os.environ, "PATH": os.path.dirname(sys.executable), "LLMD_SIM_HOME": str(tmp_path / "h")}
    result = subprocess.run([sys.executable, "-m", "llmd_sim", *command], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        words = line.removeprefix("# check: ").split()
        if words and words[0] in ("kubectl", "helm", "helmfile"):
            assert "--context" in words or "--kube-context" in words, line
