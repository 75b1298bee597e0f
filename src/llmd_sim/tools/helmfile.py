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
