"""One module per external tool: argv builders and output parsers, the only code that knows flags.

Builders return argv lists for Runner.run. Every kubectl/helm/helmfile builder takes the
kube-context as its first argument, so no call can land on whatever context happens to be current.
Parsers accept empty output (what a dry run returns) and read it as "nothing there".
"""
