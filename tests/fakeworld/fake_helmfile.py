"""Fake `helmfile` (v1.1): apply, sync, diff, destroy, template, list, repos, version.

Unknown flags are silently ignored, as helmfile's root command allows them (FACTS.md section 7).
`apply` diffs first and so needs the helm-diff plugin (found where helm would find it, through
HELM_PLUGINS and the usual data dirs); `sync`, `template` and `destroy` do not. Releases install in
`needs` order; the first failure stops the run with helmfile's `in ./<file>: ...` report, helm's
own error inside, exit 1. A selector matching nothing exits 3. Logs go to stderr.
"""

from __future__ import annotations

import os

from fakeworld import clusters, flags, helmfile_state, helmplugins, releases, toolmain, world
from fakeworld.toolmain import err, fail, out

VERSION = "v1.1.3"
GLOBAL = flags.specs("-b,--helm-binary=", "-k,--kustomize-binary=", "-f,--file=", "-e,--environment=",
                     "--state-values-set=*", "--state-values-set-string=*", "--state-values-file=*", "--skip-deps",
                     "--skip-refresh", "--disable-force-update", "-q,--quiet", "--kubeconfig=", "--kube-context=",
                     "--debug", "--color", "--no-color", "--log-level=", "-n,--namespace=", "-c,--chart=",
                     "-l,--selector=*", "--allow-no-matching-release", "--enable-live-output", "-i,--interactive",
                     "-h,--help", "-v,--version")
COMMON = ["--set=*", "--values=*", "--concurrency=", "--skip-needs", "--include-needs", "--include-transitive-needs",
          "--args=", "--timeout=", "--wait", "--wait-for-jobs", "--detailed-exitcode", "--context=", "-o,--output=", "--suppress-secrets", "--show-secrets", "--skip-diff-on-install", "--suppress-diff",
          "--skip-crds", "--skip-cleanup", "--reset-values", "--reuse-values", "--diff-args=", "--sync-args=",
          "--strip-trailing-cr", "--take-ownership", "--skip-schema-validation", "--retain-values-files",
          "--output-dir=", "--skip-tests", "--include-crds", "--skip-charts", "--cascade=", "--deleteWait",
          "--deleteTimeout="]
COMMANDS = {"apply", "sync", "diff", "destroy", "template", "list", "repos", "version", "deps"}
UNMODELLED = {"build", "cache", "create", "delete", "doctor", "fetch", "init", "lint", "print-env", "show-dag",
              "status", "test", "unittest", "write-values"}


def main() -> None:
    toolmain.main("helmfile", run)


def run(argv: list[str]) -> int:
    values, positionals = flags.parse(argv, GLOBAL + flags.specs(*dict.fromkeys(COMMON)), allow_unknown=True)
    if values.get("version") and not positionals:
        out(f"helmfile version {VERSION}")
        return 0
    command = positionals[0] if positionals else ""
    if command in UNMODELLED:
        fail(f"fakeworld: `helmfile {command}` is not modelled by the fake world")
    if command not in COMMANDS:
        fail(f'Error: unknown command "{command}" for "helmfile"', "Run 'helmfile --help' for usage.")
    if command == "version":
        output = values.get("output", "pretty")
        out(VERSION if output == "short" else f'{{"version":"{VERSION}"}}' if output == "json" else
            f"\n▓▓▓ helmfile\n\n  Version            {VERSION}\n  Git Commit         \"fakeworld\"\n"
            f"  Build Date         2025-06-01\n  Commit Date        2025-06-01\n  Dirty Build        no\n"
            f"  Go version         1.24.4\n  Compiler           gc\n  Platform           linux/amd64\n")
        return 0
    environment = values.get("environment") or os.environ.get("HELMFILE_ENVIRONMENT") or "default"
    try:
        path = helmfile_state.find_file(values.get("file"))
    except helmfile_state.StateError as error:
        fail(f"err: {error}")
    shown = path if os.path.isabs(path) or path.startswith(".") else f"./{path}"
    try:
        state_file = helmfile_state.load(path, environment, values.get("namespace", ""), values.get("kube-context", ""))
        chosen = helmfile_state.ordered(helmfile_state.selected(state_file["releases"], values.get("selector", [])),
                                        state_file["releases"])
    except helmfile_state.StateError as error:
        fail(f"in {shown}: {error}")
    if not chosen:
        selector = ",".join(values.get("selector", []))
        err(f"err: no releases found that matches specified selector({selector}) and environment({environment}), "
            "in any helmfile")
        return 0 if values.get("allow-no-matching-release") else 3
    return globals()[f"cmd_{command}"](values, state_file, chosen, shown)


def _helm_failure(shown: str, args: list[str], stderr: str, release: str | None = None) -> None:
    """helmfile's report of a failed helm command, then exit 1."""
    where = f"in {shown}: " + (f"failed processing release {release}: " if release else "")
    arg_lines = [f"  {i}: {arg} ({len(arg)} bytes)" for i, arg in enumerate(["helm", *args])]
    body = "\n".join("  " + line for line in stderr.splitlines())
    fail(f'{where}command "/usr/local/bin/helm" exited with non-zero status:', "", "PATH:", "  /usr/local/bin/helm", "",
         "ARGS:", *arg_lines, "", "ERROR:", "  exit status 1", "", "EXIT STATUS", "  1", "", "STDERR:", body, "",
         "COMBINED OUTPUT:", body)


def _helm_args(release: dict, values: dict, verb: str) -> list[str]:
    context = ["--kube-context", values["kube-context"]] if values.get("kube-context") else []
    head = ["diff", "upgrade", "--allow-unreleased"] if verb == "diff" else ["upgrade", "--install"]
    return [*context, *head, release["name"], release.get("chart", ""), "--version", str(release.get("version", "")),
            "--namespace", release["namespace"], *(["--detailed-exitcode"] if verb == "diff" else [])]


def _charts(state_file: dict, chosen: list[dict], knob: dict, shown: str) -> dict[str, str]:
    """Fetch every chart (repos added first); release name -> chart model."""
    used = {r["chart"].split("/", 1)[0] for r in chosen if not r["chart"].startswith("oci://")}
    for name in sorted(used & set(state_file["repositories"])):
        url = state_file["repositories"][name]
        err(f"Adding repo {name} {url}")
        problem = releases.repo_error(url, knob)
        if problem:
            _helm_failure(shown, ["repo", "add", name, url, "--force-update"], problem)
        err(f'"{name}" has been added to your repositories', "")
    models = {}
    for release in chosen:
        try:
            models[release["name"]] = releases.resolve_chart(release["chart"], str(release.get("version", "")),
                                                             state_file["repositories"], knob)
        except releases.ReleaseError as error:
            _helm_failure(shown, ["pull", release["chart"], "--version", str(release.get("version", ""))], str(error),
                          release["name"])
    return models


def _cluster(values: dict):
    toolmain.touches_cluster()
    state = world.read()
    knob = world.knobs(state)
    try:
        clusters.context_cluster(state, values.get("kube-context"), knob)
    except clusters.Unreachable as error:
        fail(f"in helmfile: {clusters.helm_message(error)}")
    return knob


def cmd_apply(values: dict, state_file: dict, chosen: list[dict], shown: str) -> int:
    return _deploy(values, state_file, chosen, shown, diff=True)


def cmd_sync(values: dict, state_file: dict, chosen: list[dict], shown: str) -> int:
    return _deploy(values, state_file, chosen, shown, diff=False)


def cmd_diff(values: dict, state_file: dict, chosen: list[dict], shown: str) -> int:
    knob = _cluster(values)
    models = _charts(state_file, chosen, knob, shown)
    _require_diff(chosen[0], values, shown)
    changed = _changes(values, state_file, chosen, models)
    for release in changed:
        err(f"Comparing release={release['name']}, chart={release['chart']}, namespace={release['namespace']}")
    return 2 if changed and values.get("detailed-exitcode") else 0


def _require_diff(release: dict, values: dict, shown: str) -> None:
    if "diff" not in helmplugins.installed():
        _helm_failure(shown, _helm_args(release, values, "diff"),
                      "Error: unknown command \"diff\" for \"helm\"\nRun 'helm --help' for usage.")


def _changes(values: dict, state_file: dict, chosen: list[dict], models: dict) -> list[dict]:
    state = world.read()
    _, cluster = clusters.context_cluster(state, values.get("kube-context"), world.knobs(state))
    return [r for r in chosen if r.get("installed", True) is not False and not releases.unchanged(
        cluster, r["namespace"], r["name"], models[r["name"]], str(r.get("version", "")),
        helmfile_state.release_values(state_file, r))]


def _deploy(values: dict, state_file: dict, chosen: list[dict], shown: str, diff: bool) -> int:
    """sync, or apply (diff first: only changed releases); `installed: false` releases are removed."""
    knob = _cluster(values)
    models = _charts(state_file, chosen, knob, shown)
    if diff:
        _require_diff(chosen[0], values, shown)
    wanted = [r for r in chosen if r.get("installed", True) is not False]
    try:
        todo = _changes(values, state_file, wanted, models) if diff else wanted
    except helmfile_state.StateError as error:
        fail(f"in {shown}: {error}")
    if diff and not todo:
        err("", "No affected releases")
    done = []
    for release in todo:
        failure = _install(values, state_file, release, models[release["name"]], knob, shown)
        if failure:
            _summary("UPDATED RELEASES:", done)
            _summary("FAILED RELEASES:", [release])
            _helm_failure(shown, _helm_args(release, values, "sync"), failure, release["name"])
        done.append(release)
    _summary("UPDATED RELEASES:", done)
    _remove(values, [r for r in chosen if r not in wanted], knob)
    return 2 if diff and todo and values.get("detailed-exitcode") else 0


def _install(values: dict, state_file: dict, release: dict, model: str, knob: dict, shown: str) -> str | None:
    """Install or upgrade one release as `helm upgrade --install` would; helm's error, or None."""
    try:
        user_values = helmfile_state.release_values(state_file, release)
    except helmfile_state.StateError as error:
        fail(f"in {shown}: failed processing release {release['name']}: {error}")
    version = str(release.get("version", ""))
    with world.locked() as state:
        _, cluster = clusters.context_cluster(state, values.get("kube-context"), knob)
        try:
            releases.begin(cluster, name=release["name"], namespace=release["namespace"], chart=model, version=version,
                           now=world.now(), owner=os.getpid())
        except releases.ReleaseError as error:
            return str(error)
    err(f"Upgrading release={release['name']}, chart={release['chart']}, namespace={release['namespace']}")
    world.take_time(knob, "helmfile release")  # helm at work: the release shows as pending meanwhile
    with world.locked() as state:
        _, cluster = clusters.context_cluster(state, values.get("kube-context"), knob)
        now = world.now()
        clusters.prepare(state, cluster, knob, now)
        try:
            first_line = releases.install(state, cluster, knob, now, name=release["name"],
                                          namespace=release["namespace"], chart=model, version=version,
                                          user_values=user_values)
        except releases.ReleaseError as error:
            return str(error)
    err(first_line, "")
    return None


def _remove(values: dict, chosen: list[dict], knob: dict) -> list[dict]:
    """Uninstall the releases of `chosen` that are installed (in reverse order); returns them."""
    state = world.read()
    _, cluster = clusters.context_cluster(state, values.get("kube-context"), knob)
    present = [r for r in reversed(chosen) if f"{r['namespace']}/{r['name']}" in cluster["releases"]]
    for release in present:
        err(f"Deleting {release['name']}")
        world.take_time(knob, "helmfile destroy release")
        with world.locked() as state:
            _, cluster = clusters.context_cluster(state, values.get("kube-context"), knob)
            releases.uninstall(cluster, release["name"], release["namespace"])
        err(f'release "{release["name"]}" uninstalled', "")
    return present


def _summary(title: str, done: list[dict]) -> None:
    if not done:
        return
    rows = [["NAME", "NAMESPACE", "CHART", "VERSION", "DURATION"]] + [
        [r["name"], r["namespace"], r["chart"], str(r.get("version", "")), "1s"] for r in done]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    err("", title, *["   ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows])


def cmd_destroy(values: dict, state_file: dict, chosen: list[dict], shown: str) -> int:
    present = _remove(values, chosen, _cluster(values))
    if present:
        rows = [["NAME", "NAMESPACE", "DURATION"]] + [[r["name"], r["namespace"], "1s"] for r in present]
        err("", "DELETED RELEASES:", *["   ".join(row) for row in rows])
    return 0


def cmd_template(values: dict, state_file: dict, chosen: list[dict], shown: str) -> int:
    import yaml

    from fakeworld import charts

    models = _charts(state_file, chosen, world.knobs(world.read()), shown)
    for release in chosen:
        model = models[release["name"]]
        merged = charts.merge(charts.defaults(model, str(release.get("version", ""))),
                              helmfile_state.release_values(state_file, release))
        for obj in charts.render(model, release["name"], release["namespace"], merged):
            shown_obj = {k: v for k, v in obj.items() if not k.startswith("_")}
            out("---", f"# Source: {model}/templates/{obj['kind'].lower()}.yaml",
                yaml.safe_dump(shown_obj, sort_keys=False).rstrip())
    return 0


def cmd_list(values: dict, state_file: dict, chosen: list[dict], shown: str) -> int:
    rows = [["NAME", "NAMESPACE", "ENABLED", "INSTALLED", "LABELS", "CHART", "VERSION"]] + [
        [r["name"], r["namespace"], "true", str(r.get("installed", True)).lower(),
         ",".join(f"{k}:{v}" for k, v in sorted((r.get("labels") or {}).items())), r["chart"], str(r.get("version", ""))]
        for r in chosen]
    widths = [max(len(row[i]) for row in rows) for i in range(7)]
    out(*["\t".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows])
    return 0


def cmd_repos(values: dict, state_file: dict, chosen: list[dict], shown: str) -> int:
    _charts(state_file, chosen, world.knobs(world.read()), shown)
    return 0


cmd_deps = cmd_repos
