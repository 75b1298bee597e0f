"""The llmd-sim command line: thin typer commands that parse flags and call into commands/.

Imports here stay light (typer only) so `llmd-sim --help` starts fast; each command imports what
it needs when it runs.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from llmd_sim import session as session_mod
from llmd_sim.errors import ExitCode

SETTINGS = "Settings (global: before or after the command)"

app = typer.Typer(
    name="llmd-sim",
    help="Run llm-d's simulated-accelerators guide end to end on a local kind cluster.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from llmd_sim import __version__

        typer.echo(f"llmd-sim {__version__}")
        raise typer.Exit()


def _setting(flag: str, help: str) -> typer.Option:
    """A settings flag: shown in its own help panel, global (before or after the command)."""
    return typer.Option(flag, help=help, rich_help_panel=SETTINGS)


OptText = Optional[str]
OptList = Optional[list[str]]


@app.callback()
def root(
    config: Annotated[OptText, typer.Option("--config", help="YAML settings file.", metavar="FILE")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show commands as they run, tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and results.")] = False,
    cluster: Annotated[OptText, _setting("--cluster", "kind cluster name.")] = None,
    namespace: Annotated[OptText, _setting("--namespace", "Namespace for the llm-d releases.")] = None,
    context: Annotated[OptText, _setting("--context", "kube-context (default kind-<cluster>).")] = None,
    llm_d_ref: Annotated[OptText, _setting("--llm-d-ref", "llm-d tag or branch.")] = None,
    llm_d_dir: Annotated[OptText, _setting("--llm-d-dir", "Use this llm-d checkout instead of cloning.")] = None,
    mirror_profile: Annotated[OptText, _setting("--mirror-profile", "Registry mirrors: none or daocloud.")] = None,
    mirror: Annotated[OptList, _setting("--mirror", "REGISTRY=MIRROR, repeatable.")] = None,
    node_image: Annotated[OptText, _setting("--node-image", "kind node image.")] = None,
    extra_image: Annotated[OptList, _setting("--extra-image", "Another image to preload, repeatable.")] = None,
    monitoring: Annotated[OptText, _setting("--monitoring", "auto, on or off.")] = None,
    no_install: Annotated[bool, _setting("--no-install", "Never install tools; list what is missing.")] = False,
    timeout: Annotated[OptText, _setting("--timeout", "Longest one command may run (e.g. 10m).")] = None,
    wait_timeout: Annotated[OptText, _setting("--wait-timeout", "Longest to wait for pods (e.g. 10m).")] = None,
    set_: Annotated[OptList, _setting("--set", "KEY=VALUE for any setting, repeatable.")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="The version.")] = False,
) -> None:
    flags = {
        "cluster_name": cluster,
        "namespace": namespace,
        "kube_context": context,
        "llm_d_ref": llm_d_ref,
        "llm_d_dir": llm_d_dir,
        "mirror_profile": mirror_profile,
        "mirrors": ",".join(mirror) if mirror else None,
        "node_image": node_image,
        "extra_images": ",".join(extra_image) if extra_image else None,
        "monitoring": monitoring,
        "install_tools": False if no_install else None,
        "command_timeout": timeout,
        "wait_timeout": wait_timeout,
    }
    session_mod.current = session_mod.Session(
        config_file=config,
        verbose=verbose,
        quiet=quiet,
        flags={name: value for name, value in flags.items() if value is not None},
        assignments=list(set_ or []),
    )


@app.command()
def up(
    from_: Annotated[OptText, typer.Option("--from", metavar="STEP", help="Re-run from STEP on.")] = None,
    only: Annotated[OptList, typer.Option("--only", metavar="STEP", help="Run only STEP (repeatable).")] = None,
    skip: Annotated[OptList, typer.Option("--skip", metavar="STEP", help="Leave STEP out (repeatable).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Run every selected step, even if up to date.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the commands as a script; change nothing.")] = False,
) -> None:
    """Bring the stack up: every step in order, skipping what is already done."""
    from llmd_sim.commands import up as command
    from llmd_sim.pipeline import Selection

    selection = Selection(only=only or (), skip=skip or (), start=from_, force=force)
    command.up(session_mod.current, selection, dry_run=dry_run)


@app.command()
def step(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A step from `llmd-sim steps`.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the commands; change nothing.")] = False,
) -> None:
    """Run one step now, whatever its recorded state."""
    from llmd_sim.commands import up as command

    command.one_step(session_mod.current, name, dry_run=dry_run)


@app.command()
def down(
    keep_cluster: Annotated[bool, typer.Option("--keep-cluster", help="Keep the kind cluster.")] = False,
    remove_crds: Annotated[bool, typer.Option("--remove-crds", help="Also delete the CRDs.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the commands; change nothing.")] = False,
) -> None:
    """Tear everything down (idempotent): releases, Istio, the cluster, the state."""
    from llmd_sim.commands import down as command

    command.down(session_mod.current, keep_cluster=keep_cluster, remove_crds=remove_crds, dry_run=dry_run)


@app.command()
def steps() -> None:
    """List the steps of `up`, in order."""
    from llmd_sim.commands import info

    info.list_steps(session_mod.current)


@app.command()
def status(
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable status on stdout.")] = False,
    probe: Annotated[bool, typer.Option("--probe", help="Also look at the live system (kubectl, kind...).")] = False,
) -> None:
    """Each step: status, when, how long, whether it would re-run and why, last error."""
    from llmd_sim.commands import info

    info.status(session_mod.current, as_json=json_, probe=probe)


@app.command("config")
def config_(
    json_: Annotated[bool, typer.Option("--json", help="Settings as JSON on stdout.")] = False,
) -> None:
    """The effective settings and where each value came from."""
    from llmd_sim.commands import info

    info.show_config(session_mod.current, as_json=json_)


def main() -> None:
    """Entry point: global options may follow the command; errors become `error:` lines and exit codes."""
    from llmd_sim import cli_args, interrupts
    from llmd_sim.errors import LlmdSimError

    interrupts.install()
    args = cli_args.hoist_global_options(typer.main.get_command(app), sys.argv[1:])
    try:
        app(args=args, prog_name="llmd-sim")
    except LlmdSimError as err:
        session_mod.current.ui.error(err)
        sys.exit(err.exit_code)
    except Exception as err:  # a bug in llmd-sim: say so plainly, traceback only with -v
        if session_mod.current.verbose:
            raise
        print(f"error: internal error: {err!r} (run with -v for the traceback)", file=sys.stderr)
        sys.exit(ExitCode.FAILED)


# test, bench and port-forward: the commands that talk to the gateway.
from llmd_sim import cli_traffic  # noqa: E402,F401  (registers its commands on `app`)
