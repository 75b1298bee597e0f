"""The llm-d guide source: clone or use a checkout, verify it, copy it into the work dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.llmd_checkout import make_checkout

from llmd_sim import llmd_source
from llmd_sim.errors import StepError


def snapshot(root):
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_user_checkout_is_copied_with_its_layout_and_never_written(make_ctx, tmp_path):
    checkout = make_checkout(tmp_path / "llm-d")
    before = snapshot(checkout)
    ctx = make_ctx(llm_d_dir=str(checkout))

    work = llmd_source.prepare(ctx)

    assert (work / "simulated-accelerators" / "ms-sim" / "values.yaml").read_text().startswith("multinode")
    assert (work / "prereq" / "gateway-provider" / "common-configurations" / "istio.yaml").is_file()
    # The sim helmfile reads ../prereq/...: the relative position must hold in the copy.
    assert (work / "simulated-accelerators" / ".." / "prereq" / "gateway-provider" / "istio.helmfile.yaml").is_file()
    assert snapshot(checkout) == before
    assert ctx.runner.calls("git") == []


def test_missing_guide_file_is_named(make_ctx, tmp_path):
    checkout = make_checkout(tmp_path / "llm-d", without=("guides/simulated-accelerators/httproute.yaml",))
    ctx = make_ctx(llm_d_dir=str(checkout))
    with pytest.raises(StepError, match="guides/simulated-accelerators/httproute.yaml"):
        llmd_source.prepare(ctx)


def fake_clone(argv, _input):
    make_checkout(Path(argv[-1]))


def test_clones_the_configured_ref_shallowly_into_the_cache(make_ctx):
    ctx = make_ctx(llm_d_ref="v0.3.1")
    ctx.runner.on("git", "clone", effect=fake_clone)

    work = llmd_source.prepare(ctx)

    [clone] = ctx.runner.calls("git", "clone")
    assert clone[clone.index("--branch") + 1] == "v0.3.1" and "--depth" in clone
    assert clone[-1].startswith(str(ctx.paths.cache_dir))
    assert (work / "simulated-accelerators" / "helmfile.yaml.gotmpl").is_file()


def test_a_complete_clone_is_reused_and_a_partial_one_is_redone(make_ctx):
    ctx = make_ctx()
    make_checkout(llmd_source.checkout_dir(ctx))
    llmd_source.ensure_checkout(ctx)
    assert ctx.runner.calls("git", "clone") == []

    partial = make_ctx()
    (llmd_source.checkout_dir(partial) / "guides" / "simulated-accelerators" / "httproute.yaml").unlink()
    partial.runner.on("git", "clone", effect=fake_clone)
    llmd_source.ensure_checkout(partial)
    assert len(partial.runner.calls("git", "clone")) == 1
    assert not llmd_source.missing_files(llmd_source.checkout_dir(partial))


def test_a_clone_of_another_layout_is_rejected(make_ctx):
    ctx = make_ctx(llm_d_ref="v0.1.0")
    ctx.runner.on("git", "clone", effect=lambda argv, _: os.makedirs(argv[-1]))
    with pytest.raises(StepError, match="has no guides/") as caught:
        llmd_source.ensure_checkout(ctx)
    assert "v0.3.1" in caught.value.hint


def test_dry_run_prints_clone_and_copies_and_writes_nothing(make_ctx, tmp_path, capsys):
    ctx = make_ctx(dry_run=True, mirror_profile="daocloud")
    lines = []
    ctx.runner.echo = lines.append

    llmd_source.prepare(ctx)

    script = "\n".join(lines) + capsys.readouterr().out
    assert "git clone --depth 1 --branch v0.3.1" in script
    assert "cp -R" in script and "simulated-accelerators" in script and "gateway-provider" in script
    assert "gcr.io -> gcr.m.daocloud.io" in script
    assert not ctx.paths.home.exists()


def test_mirror_profile_points_oci_charts_at_the_mirror_in_the_work_copy_only(make_ctx, tmp_path):
    checkout = make_checkout(tmp_path / "llm-d")
    ctx = make_ctx(llm_d_dir=str(checkout), mirror_profile="daocloud")

    llmd_source.prepare(ctx)

    istio = (ctx.paths.work_dir / "prereq" / "gateway-provider" / "istio.helmfile.yaml").read_text()
    sim = (ctx.paths.work_dir / "simulated-accelerators" / "helmfile.yaml.gotmpl").read_text()
    assert "chart: oci://gcr.m.daocloud.io/istio-testing/charts/base" in istio
    assert "hub: \"gcr.io/istio-testing\"" in istio  # images keep their names: the nodes pull through mirrors
    assert "oci://k8s.m.daocloud.io/gateway-api-inference-extension/charts/inferencepool" in sim
    assert "oci://gcr.io/" in (checkout / "guides" / "prereq" / "gateway-provider" / "istio.helmfile.yaml").read_text()


def test_identity_follows_the_user_checkout_content(make_ctx, tmp_path):
    checkout = make_checkout(tmp_path / "llm-d")
    ctx = make_ctx(llm_d_dir=str(checkout))
    first = llmd_source.identity(ctx.settings)
    (checkout / "guides" / "simulated-accelerators" / "ms-sim" / "values.yaml").write_text("decode: {}\n")
    assert llmd_source.identity(ctx.settings) != first
    assert llmd_source.identity(make_ctx(llm_d_ref="v0.3.0").settings) != llmd_source.identity(make_ctx().settings)
