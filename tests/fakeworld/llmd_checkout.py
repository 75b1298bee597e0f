"""A minimal llm-d checkout at v0.3.1: the layout and values keys of FACTS.md section 1.

The files live beside this module in `llmd-v0.3.1/`; `write(root)` copies them. Used by the fake
`git clone` and by tests that pass `--llm-d-dir`. The helmfiles keep the structure and template
constructs of the real v0.3.1 guide (environments in a first `---` part, `.Namespace` with a
default, RELEASE_NAME_POSTFIX, per-environment branches, `set:` entries), so the fake helmfile
must read them the way helmfile does; the values files carry the keys llmd-sim overrides.
"""

from __future__ import annotations

import shutil
from pathlib import Path

SOURCE = Path(__file__).parent / "llmd-v0.3.1"
# The refs the fake GitHub serves, with the commit `git rev-parse HEAD` reports for each.
REFS = {"v0.3.1": "4c51e9d7b0a3f2e8c1d6a5b4e3f2a1b0c9d8e7f6", "main": "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"}
GUIDE = "guides/simulated-accelerators"
PREREQ = "guides/prereq/gateway-provider"


def files() -> list[str]:
    """Relative paths of every file of the checkout."""
    return sorted(str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*") if path.is_file())


def write(root: Path | str) -> Path:
    """Write the checkout under `root` (created if needed; existing files are replaced); returns root."""
    root = Path(root)
    shutil.copytree(SOURCE, root, dirs_exist_ok=True)
    return root
