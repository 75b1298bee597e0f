"""kubectl, as FACTS.md section 5 describes it."""

from __future__ import annotations

import json

from contract.stack import CONTEXT, GAIE_CRDS, GATEWAY_CRDS, install_crds, kubectl, ok

ROUTE = """apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: llm-d-sim
  namespace: llm-d-sim
spec:
  parentRefs:
  - name: infra-sim-inference-gateway
"""


def test_wait_for_pods_when_there_are_none_fails_at_once(fake_world, cluster):
    result = kubectl(fake_world, "wait", "--for=condition=Ready", "pod", "--all", "-n", "llm-d-sim", "--timeout=300s")
    assert (result.returncode, result.stderr.strip()) == (1, "error: no matching resources found")


def test_wait_for_a_crd_that_does_not_exist_is_not_found(fake_world, cluster):
    result = kubectl(fake_world, "wait", "--for=condition=Established", "crd/inferencepools.inference.networking.k8s.io",
                     "--timeout=30s")
    assert result.returncode == 1
    assert result.stderr.strip() == ('Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io '
                                     '"inferencepools.inference.networking.k8s.io" not found')


def test_a_new_crd_is_established_only_after_a_while_and_wait_blocks_for_it(fake_world, cluster):
    fake_world.latency(0.1)  # Established 0.2 s after the apply
    ok(kubectl(fake_world, "apply", "--server-side", "-k", GAIE_CRDS))
    name = "crd/inferencepools.inference.networking.x-k8s.io"
    before = ok(kubectl(fake_world, "get", name, "-o", 'jsonpath={.status.conditions[?(@.type=="Established")].status}'))
    assert before.stdout == "False"
    waited = ok(kubectl(fake_world, "wait", "--for=condition=Established", name, "--timeout=30s"))
    assert waited.stdout == ("customresourcedefinition.apiextensions.k8s.io/inferencepools.inference.networking.x-k8s.io"
                             " condition met\n")


def test_custom_resources_need_an_established_crd(fake_world, cluster, tmp_path):
    route = tmp_path / "route.yaml"
    route.write_text(ROUTE)
    ok(kubectl(fake_world, "create", "namespace", "llm-d-sim"))
    missing = kubectl(fake_world, "apply", "-f", str(route))
    assert missing.returncode == 1
    assert missing.stderr.strip() == (f'error: resource mapping not found for name: "llm-d-sim" namespace: "llm-d-sim" '
                                      f'from "{route}": no matches for kind "HTTPRoute" in version '
                                      '"gateway.networking.k8s.io/v1"\nensure CRDs are installed first')
    install_crds(fake_world, gaie=False)
    created = ok(kubectl(fake_world, "apply", "-f", str(route)))
    assert created.stdout == "httproute.gateway.networking.k8s.io/llm-d-sim created\n"
    assert ok(kubectl(fake_world, "apply", "-f", str(route))).stdout.endswith("unchanged\n")
    other = kubectl(fake_world, "apply", "-n", "default", "-f", str(route))
    assert other.returncode == 1 and 'namespace from the provided object "llm-d-sim" does not match' in other.stderr


def test_server_side_apply_of_the_gateway_api_crds(fake_world, cluster):
    result = ok(kubectl(fake_world, "apply", "--server-side", "--force-conflicts", "-k", GATEWAY_CRDS))
    assert result.stdout.splitlines() == [
        f"customresourcedefinition.apiextensions.k8s.io/{name}.gateway.networking.k8s.io serverside-applied"
        for name in ("gatewayclasses", "gateways", "httproutes", "grpcroutes", "referencegrants")]


def test_a_large_crd_needs_server_side_apply(fake_world, cluster, tmp_path):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"description": "x" * 300000}}}]}}
    path = tmp_path / "crd.json"
    path.write_text(json.dumps(crd))
    client = kubectl(fake_world, "apply", "-f", str(path))
    assert client.returncode == 1
    assert client.stderr.strip() == ('The CustomResourceDefinition "widgets.example.com" is invalid: '
                                     "metadata.annotations: Too long: must have at most 262144 bytes")
    server = ok(kubectl(fake_world, "apply", "--server-side", "-f", str(path)))
    assert server.stdout == "customresourcedefinition.apiextensions.k8s.io/widgets.example.com serverside-applied\n"


def test_remote_kustomize_needs_github(fake_world, cluster):
    fake_world.unreachable("github.com")
    result = kubectl(fake_world, "apply", "-k", GATEWAY_CRDS)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Could not resolve host: github.com" in result.stderr
    assert fake_world.names("CustomResourceDefinition") == []


def test_release_manifest_through_a_file_mirror(fake_world, cluster):
    fake_world.unreachable("github")
    url = ("https://files.m.daocloud.io/github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/"
           "v1.0.1/manifests.yaml")
    ok(kubectl(fake_world, "apply", "-f", url))
    assert fake_world.names("CustomResourceDefinition") == [
        "inferenceobjectives.inference.networking.x-k8s.io", "inferencepools.inference.networking.k8s.io",
        "inferencepools.inference.networking.x-k8s.io"]


def test_wait_for_a_jsonpath_value(fake_world, cluster):
    ok(kubectl(fake_world, "create", "namespace", "demo"))
    waited = ok(kubectl(fake_world, "wait", "--for=jsonpath={.status.phase}=Active", "namespace/demo", "--timeout=5s"))
    assert waited.stdout == "namespace/demo condition met\n"
    never = kubectl(fake_world, "wait", "--for=jsonpath={.status.phase}=Gone", "namespace/demo", "--timeout=200ms")
    assert (never.returncode, never.stderr.strip()) == (1, "error: timed out waiting for the condition on namespaces/demo")


def test_get_of_a_missing_crd(fake_world, cluster):
    result = kubectl(fake_world, "get", "crd", "podmonitors.monitoring.coreos.com")
    assert result.returncode == 1
    assert result.stderr.strip() == ('Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io '
                                     '"podmonitors.monitoring.coreos.com" not found')


def test_api_resources_of_an_absent_group(fake_world, cluster):
    named = ok(kubectl(fake_world, "api-resources", "--api-group=monitoring.coreos.com", "-o", "name"))
    assert named.stdout == ""
    table = ok(kubectl(fake_world, "api-resources", "--api-group=monitoring.coreos.com"))
    assert table.stdout.split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    fake_world.monitoring_crds()
    assert "podmonitors.monitoring.coreos.com" in kubectl(
        fake_world, "api-resources", "--api-group=monitoring.coreos.com", "-o", "name").stdout.split()


def test_current_context_unset(fake_world):
    result = fake_world.run("kubectl", "config", "current-context")
    assert (result.returncode, result.stderr.strip()) == (1, "error: current-context is not set")


def test_namespace_recipe_is_idempotent_and_plain_create_is_not(fake_world, cluster):
    manifest = ok(kubectl(fake_world, "create", "namespace", "llm-d-sim", "--dry-run=client", "-o", "yaml")).stdout
    assert "kind: Namespace" in manifest and "name: llm-d-sim" in manifest
    assert ok(kubectl(fake_world, "apply", "-f", "-", input=manifest)).stdout == "namespace/llm-d-sim created\n"
    assert ok(kubectl(fake_world, "apply", "-f", "-", input=manifest)).stdout == "namespace/llm-d-sim unchanged\n"
    again = kubectl(fake_world, "create", "namespace", "llm-d-sim")
    assert again.returncode == 1
    assert again.stderr.strip() == 'Error from server (AlreadyExists): namespaces "llm-d-sim" already exists'


def test_a_context_missing_from_the_kubeconfig(fake_world, cluster):
    result = fake_world.run("kubectl", "--context", "kind-other", "get", "pods")
    assert (result.returncode, result.stderr.strip()) == (
        1, "error: context was not found for specified context: kind-other")


def test_no_context_and_no_current_context_goes_to_localhost(fake_world):
    result = fake_world.run("kubectl", "get", "pods")
    assert result.returncode == 1 and "The connection to the server localhost:8080 was refused" in result.stderr


def test_unknown_flag_and_command(fake_world, cluster):
    flag = kubectl(fake_world, "get", "pods", "--bogus")
    assert flag.returncode == 1
    assert flag.stderr.splitlines() == ["error: unknown flag: --bogus", "See 'kubectl get --help' for usage."]
    command = kubectl(fake_world, "frobnicate")
    assert command.returncode == 1 and command.stderr.startswith('error: unknown command "frobnicate" for "kubectl"')


def test_delete_names_what_it_deleted_and_ignores_what_is_gone(fake_world, cluster):
    ok(kubectl(fake_world, "create", "namespace", "demo"))
    assert ok(kubectl(fake_world, "delete", "namespace", "demo")).stdout == 'namespace "demo" deleted\n'
    missing = kubectl(fake_world, "delete", "namespace", "demo")
    assert (missing.returncode, missing.stderr.strip()) == (1, 'Error from server (NotFound): namespaces "demo" not found')
    gone = ok(kubectl(fake_world, "delete", "deployment", "gone", "-n", "demo", "--ignore-not-found"))
    assert gone.stdout == "" and gone.stderr == ""


def test_empty_lists(fake_world, cluster):
    listed = json.loads(ok(kubectl(fake_world, "get", "pods", "-n", "llm-d-sim", "-o", "json")).stdout)
    assert (listed["kind"], listed["items"]) == ("List", [])
    table = ok(kubectl(fake_world, "get", "pods", "-n", "llm-d-sim"))
    assert (table.stdout, table.stderr) == ("", "No resources found in llm-d-sim namespace.\n")


def test_calls_record_whether_a_context_was_named(fake_world, cluster):
    ok(kubectl(fake_world, "get", "nodes"))
    ok(fake_world.run("kubectl", "get", "nodes"))
    assert fake_world.calls_without_context() == ["kubectl get nodes"]
    assert [call["context"] for call in fake_world.calls("kubectl")] == [CONTEXT, None]
