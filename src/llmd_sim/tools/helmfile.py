"""helmfile: argv builders (FACTS.md section 7). helmfile ignores unknown flags, so these must be right."""

from __future__ import annotations


def helmfile(context: str, file: str, *args: str, environment: str | None = None,
             namespace: str | None = None) -> list[str]:
    argv = ["helmfile", "--kube-context", context, "-f", str(file)]
    if environment:
        argv += ["-e", environment]
    if namespace:
        argv += ["-n", namespace]
    return [*argv, *args]


def apply(context: str, file: str, *, environment: str | None = None, namespace: str | None = None) -> list[str]:
    """Diff (needs helm-diff) then sync what changed."""
    return helmfile(context, file, "apply", "--skip-diff-on-install", "--suppress-diff",
                    environment=environment, namespace=namespace)


def destroy(context: str, file: str, *, environment: str | None = None, namespace: str | None = None) -> list[str]:
    """Removes installed releases; exit 0 when there are none."""
    return helmfile(context, file, "destroy", environment=environment, namespace=namespace)


def version(context: str) -> list[str]:
    return ["helmfile", "--kube-context", context, "version", "-o", "short"]


# Known failures of the guide's helmfiles (FACTS.md section 2): output phrase -> what to do.
KNOWN_FAILURES = (
    ('no matches for kind "PodMonitor"', "the Prometheus Operator CRDs are missing: use --monitoring off "
     "(or auto), or install the Prometheus Operator"),
    ('no matches for kind "ServiceMonitor"', "the Prometheus Operator CRDs are missing: use --monitoring off "
     "(or auto), or install the Prometheus Operator"),
    ('no matches for kind "InferencePool"', "the Inference Extension CRDs are missing: run `llmd-sim step crds`"),
    ('no matches for kind "HTTPRoute"', "the Gateway API CRDs are missing: run `llmd-sim step crds`"),
    ('no matches for kind "DestinationRule"', "Istio is not installed: run `llmd-sim step istio`"),
    ('unknown command "diff" for "helm"', "the helm-diff plugin is missing: run `llmd-sim step prereqs`"),
    ('unknown field "platformHooks"', "helm-diff does not match helm: run `llmd-sim step prereqs` to pin it"),
    ("unable to find semver info", "helmfile cannot parse this helm's version: use the pinned helm "
     "(`llmd-sim step prereqs`)"),
    ("failed calling webhook", "Istio's webhook is not ready yet: wait a minute and run again"),
)


def failure_hint(output: str) -> str | None:
    """An actionable hint for a known helmfile/helm failure in `output`, else None."""
    return next((hint for phrase, hint in KNOWN_FAILURES if phrase in output), None)
