"""The llm-d v0.3.1 checkout for unit tests of the stack steps: the fake world's fixture
(tests/fakeworld/llmd-v0.3.1), with one addition the override tests need: the decode container
carries env of its own (KEEP_ME, to keep, and a stale POD_NAME, to replace)."""

from __future__ import annotations

from pathlib import Path

import yaml

from fakeworld import llmd_checkout

GUIDE = Path("guides/simulated-accelerators")
DECODE_ENV = [{"name": "KEEP_ME", "value": "1"}, {"name": "POD_NAME", "value": "stale"}]


def make_checkout(root: Path, *, without: tuple[str, ...] = ()) -> Path:
    """Write the checkout under `root`, leaving out the paths in `without`; returns root."""
    llmd_checkout.write(root)
    ms_values = root / GUIDE / "ms-sim" / "values.yaml"
    values = yaml.safe_load(ms_values.read_text())
    values["decode"]["containers"][0]["env"] = DECODE_ENV
    ms_values.write_text(yaml.safe_dump(values, sort_keys=False))
    for relative in without:
        (root / relative).unlink()
    return root


def original(root: Path, relative: str) -> str:
    """A file of the checkout as written (relative to `guides/`)."""
    return (root / "guides" / relative).read_text()
