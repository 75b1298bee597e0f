"""The benchmark script's pieces (benchmarks/, issue 7): the yardsticks computed from the latency profile,
the statistics, the call-log reading, the table, and one small figure run end to end. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import calllog, latency_profile, run
from benchmarks.latency_profile import Task
from benchmarks.measure import Plan, Summary, ratios, summarize
from benchmarks.report import Row, markdown_table, text_table

SECONDS = {"pull": 10.0, "create": 40.0, "ready": 15.0, "load": 5.0, "release": 20.0, "clone": 3.0}


def small_work(images: int = 3, parallel: int = 3) -> list[Task]:
    return [
        Task("pulls", "pull", "images", count=images, parallel=parallel),
        Task("create", "create", "cluster", needs=("pulls",)),
        Task("ready", "ready", "cluster", needs=("create",), transition=True),
        Task("load", "load", "cluster", needs=("create", "pulls")),
        Task("clone", "clone", "deploy"),
        Task("release", "release", "deploy", needs=("create", "clone")),
    ]


def test_critical_path_follows_needs_and_counts_parallel_pulls_once_per_round():
    # pulls 10, create 40, release 20: the clone and the load wait on nothing that is late
    assert latency_profile.critical_path(small_work(), SECONDS) == 70.0
    assert latency_profile.critical_path(small_work(images=4, parallel=3), SECONDS) == 80.0  # two rounds


def test_step_chain_runs_commands_in_order_and_waits_for_transitions():
    # pulls 10 | create 40, nodes Ready 15 awaited, load 5 | clone 3, release 20
    times = latency_profile.step_times(small_work(), SECONDS)
    assert times == {"images": 10.0, "cluster": 60.0, "deploy": 23.0}
    assert latency_profile.step_chain(small_work(), SECONDS) == 93.0


def test_sequential_sum_counts_every_pull():
    assert latency_profile.sequential_sum(small_work(), SECONDS) == 3 * 10 + 40 + 15 + 5 + 3 + 20


def test_the_laptop_profile_orders_the_three_yardsticks():
    work, seconds = latency_profile.default_tasks(), latency_profile.SECONDS
    assert {task.key for task in work} <= set(seconds)
    critical = latency_profile.critical_path(work, seconds)
    assert critical < latency_profile.step_chain(work, seconds) < latency_profile.sequential_sum(work, seconds)


def test_summaries_and_run_by_run_ratios():
    summary = summarize([3.0, 1.0, 2.0, 10.0])
    assert (summary.median, summary.min, summary.max) == (2.5, 1.0, 10.0)
    assert ratios([2.0, 9.0, 4.0], [1.0, 3.0, 4.0]) == Summary(2.0, 1.0, 3.0, (2.0, 3.0, 1.0))
    with pytest.raises(ValueError):
        summarize([])


def call(tool: str, *argv: str, start: float = 0.0, end: float = 1.0) -> dict:
    return {"tool": tool, "argv": list(argv), "start": start, "end": end}


@pytest.mark.parametrize("record, changes", [
    (call("docker", "pull", "ghcr.io/x:1"), True),
    (call("kind", "create", "cluster", "--name", "a"), True),
    (call("kind", "load", "docker-image", "x"), True),
    (call("helm", "--kube-context", "c", "plugin", "install", "https://x"), True),
    (call("helmfile", "--kube-context", "c", "-f", "h.yaml", "apply"), True),
    (call("kubectl", "--context", "c", "apply", "-f", "-"), True),
    (call("kubectl", "--context", "c", "create", "namespace", "n", "--dry-run=client", "-o", "yaml"), False),
    (call("kubectl", "--context", "c", "get", "pods", "-o", "json"), False),
    (call("docker", "image", "inspect", "x"), False),
    (call("kind", "get", "clusters"), False),
])
def test_commands_that_create_pull_load_or_install_are_recognised(record, changes):
    assert calllog.changes_something(record) is changes


def test_busy_time_counts_overlapping_calls_once():
    calls = [call("docker", "pull", start=0, end=4), call("docker", "pull", start=1, end=3),
             call("kind", "get", start=5, end=6), {"tool": "kubectl", "argv": [], "start": 7, "end": None}]
    assert calllog.busy_seconds(calls) == 5.0


def test_tables_show_each_row_and_a_missed_target():
    rows = [Row("images", "pulls", "s", summarize([1.2, 1.4]), "one pull 1.000 s", summarize([1.2, 1.4]),
                target="<= 1.3 x one pull", met=False),
            Row("start-up", "python -c pass", "s", summarize([0.01]))]
    text = text_table(rows)
    assert "1.300 s" in text and "1.30 (1.20-1.40)" in text and "NO" in text
    markdown = markdown_table(rows).splitlines()
    assert len(markdown) == 4 and markdown[2].startswith("| images | pulls |")


def test_the_images_figure_runs_in_the_fake_world_and_writes_json(tmp_path):
    output = tmp_path / "figures.json"
    code = run.main(["--figures", "images", "--runs", "1", "--pull-seconds", "0.05", "--output", str(output),
                     "--markdown", str(tmp_path / "table.md")])
    assert code == 0
    (row,) = json.loads(output.read_text())["rows"]
    assert row["figure"] == "images" and len(row["runs"]) == 1 and row["runs"][0] > 0
    assert len(row["details"]["images"]) == 5 and isinstance(row["met"], bool)
    assert "images step, N=5 pulls" in (tmp_path / "table.md").read_text()


def test_selfusage_reports_the_cost_of_one_llmd_sim_process(tmp_path):
    from benchmarks.figures import memory
    from benchmarks.sandbox import Sandbox

    used = memory.usage(Sandbox(tmp_path / "box"), "--version")
    assert used["self_peak_mb"] > 5 and used["self_cpu_s"] > 0


def test_an_unknown_figure_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        run.main(["--figures", "startup,warp-speed"])
    assert stopped.value.code == 2 and "warp-speed" in capsys.readouterr().err


def test_plan_runs_default_per_figure_unless_given():
    assert Plan(Path("/tmp"), runs=None).runs_or(7) == 7
    assert Plan(Path("/tmp"), runs=2).runs_or(7) == 2


def test_the_markdown_document_says_how_it_was_measured_and_where_orchestration_time_went():
    from benchmarks.report import markdown_document

    run = {"wall_s": 7.0, "commands": 49, "no_command_running_s": 1.8, "fake_start_exit_s": 1.2,
           "llmd_sim_cpu_s": 0.6, "step_s": {"images": 0.5}}
    details = {"scale": 0.02, "critical_path_s": 5.5, "step_chain_s": 6.26, "sequential_s": 8.28,
               "full_scale": {"critical_path_s": 275, "step_chain_s": 313, "sequential_s": 414, "projected_ratio": 1.15},
               "expected_step_s": {"images": 0.4}, "runs": [run]}
    rows = [Row("orchestration", "up wall / critical path", "s", summarize([7.0]), details=details)]
    document = markdown_document(rows, "python benchmarks/run.py --runs 1",
                                 {"platform": "Linux", "cpus": 2, "python": "3.11", "load_average": [0.5]})
    assert "    python benchmarks/run.py --runs 1" in document
    assert "| orchestration | up wall / critical path |" in document
    assert "49 commands" in document and "images 0.50/0.40 s" in document and "1.150 x critical path" in document


def test_the_raw_client_times_whole_answers_from_the_simulator():
    from fakeworld import simserver

    from benchmarks import rawclient

    with simserver.running(simserver.SimConfig(extra_latency_ms=20)) as server:
        p50 = rawclient.p50_ms(f"http://127.0.0.1:{server.port}", concurrency=4, requests_each=3)
    assert p50 >= 20  # the server holds every answer 20 ms: a reading below that would time the wrong thing
