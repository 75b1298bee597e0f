"""Fake `docker`: the daemon's image store, pulls through registries and mirrors, and the kind nodes.

Commands: info, version, pull, tag, save, load, image inspect/ls/pull/tag/save/rm, images, rmi,
inspect; ps and exec (the kind node containers) are in docker_nodes.py. Errors as Docker prints them (FACTS.md section 8): a flag
error is `unknown flag: --x` + `See 'docker CMD --help'.` with exit 125; a daemon error is
`Error response from daemon: ...` with exit 1.
"""

from __future__ import annotations

import json
import re
import sys

from fakeworld import flags, images, toolmain, world
from fakeworld.toolmain import err, fail, out

DOWN = world.DOCKER_DOWN
CLIENT_VERSION = "27.3.1"
GLOBAL = flags.specs("--config=", "-c,--context=", "-D,--debug", "-H,--host=*", "-l,--log-level=", "--tls",
                     "--tlscacert=", "--tlscert=", "--tlskey=", "--tlsverify", "-v,--version")
COMMANDS = {
    "info": flags.specs("-f,--format="),
    "version": flags.specs("-f,--format=", "--kubeconfig="),
    "pull": flags.specs("-a,--all-tags", "--disable-content-trust", "--platform=", "-q,--quiet"),
    "tag": [],
    "save": flags.specs("-o,--output=", "--platform="),
    "load": flags.specs("-i,--input=", "-q,--quiet", "--platform="),
    "inspect": flags.specs("-f,--format=", "-s,--size", "--type="),
    "images": flags.specs("-a,--all", "--digests", "-f,--filter=*", "--format=", "--no-trunc", "-q,--quiet", "--tree"),
    "rmi": flags.specs("-f,--force", "--no-prune", "--platform="),
    "ps": flags.specs("-a,--all", "-f,--filter=*", "--format=", "-n,--last=", "-l,--latest", "--no-trunc",
                      "-q,--quiet", "-s,--size"),
    "exec": flags.specs("-d,--detach", "--detach-keys=", "-e,--env=*", "--env-file=*", "-i,--interactive",
                        "--privileged", "-t,--tty", "-u,--user=", "-w,--workdir="),
}
IMAGE_ALIASES = {"inspect": "inspect", "ls": "images", "list": "images", "pull": "pull", "tag": "tag",
                 "save": "save", "load": "load", "rm": "rmi", "remove": "rmi"}


def main() -> None:
    toolmain.main("docker", run)


def run(argv: list[str]) -> int:
    words = flags.words(argv, GLOBAL)
    if not words:
        fail("Usage:  docker [OPTIONS] COMMAND")
    command, path = words[0], ["docker", words[0]]
    if command == "image" and len(words) > 1 and words[1] in IMAGE_ALIASES:
        command, path = IMAGE_ALIASES[words[1]], ["docker", "image", words[1]]
    if command not in COMMANDS:
        fail(f"docker: '{command}' is not a docker command.", "See 'docker --help'")
    try:
        # exec stops reading flags at the container name: the rest is the command to run inside
        head = argv[: argv.index(words[1]) + 1] if command == "exec" and len(words) > 1 else argv
        values, positionals = flags.parse(head, GLOBAL + COMMANDS[command])
    except flags.FlagError as error:
        fail(str(error), f"See '{' '.join(path)} --help'.", code=125)
    args = positionals[len(path) - 1:]
    if command == "exec":
        args = args + argv[len(head):]
    state = world.read()
    knob = world.knobs(state)
    if command == "version":
        return version(values, knob)
    if knob["docker_down"]:
        fail(DOWN)
    if command in ("ps", "exec"):
        from fakeworld import docker_nodes

        return docker_nodes.ps(values) if command == "ps" else docker_nodes.exec_in(args)
    return globals()[f"cmd_{command}"](values, args, knob)


def render(template: str, data) -> str:
    """Docker's --format for the forms tools use: {{json .}}, {{.A.B}}, {{json .A}}."""
    def replace(match: re.Match) -> str:
        action = match.group(1).strip()
        as_json = action.startswith("json ")
        field = action[5:].strip() if as_json else action
        if not re.fullmatch(r"\.([A-Za-z]\w*(\.[A-Za-z]\w*)*)?", field):
            fail(f'template parsing error: template: :1: function "{field.split()[0]}" not defined')
        value = data
        for part in [p for p in field.split(".") if p]:
            value = value.get(part, "") if isinstance(value, dict) else ""
        return json.dumps(value, separators=(",", ":")) if as_json else str(value)

    return re.sub(r"\{\{(.*?)\}\}", replace, template)


def version(values: dict, knob: dict) -> int:
    data = {"Client": {"Version": CLIENT_VERSION, "ApiVersion": "1.47", "Os": "linux", "Arch": "amd64"},
            "Server": None if knob["docker_down"] else {"Version": CLIENT_VERSION, "ApiVersion": "1.47"}}
    out(render(values["format"], data) if values.get("format") else f"Client:\n Version:           {CLIENT_VERSION}")
    if knob["docker_down"]:
        fail(DOWN)
    return 0


def cmd_info(values: dict, args: list[str], knob: dict) -> int:
    data = {"ID": "FAKE:WORLD", "ServerVersion": CLIENT_VERSION, "OperatingSystem": "Docker Desktop",
            "OSType": "linux", "Architecture": "x86_64", "Driver": knob.get("docker_driver", "overlay2"),
            "MemTotal": int(knob.get("docker_memory", 16 * 1024**3)), "NCPU": int(knob.get("docker_cpus", 8)),
            "Name": "fakeworld", "ServerErrors": None}
    out(render(values["format"], data) if values.get("format") else
        f"Server:\n Server Version: {CLIENT_VERSION}\n CPUs: {data['NCPU']}\n Total Memory: {data['MemTotal']}")
    return 0


def find(state: dict, reference: str) -> str | None:
    """The stored name of an image given by name or ID prefix."""
    stored = state["docker"]["images"]
    try:
        name = images.canonical(reference)
    except images.BadReference:
        name = ""
    if name in stored:
        return name
    bare = reference.removeprefix("sha256:")
    if re.fullmatch(r"[0-9a-f]{6,64}", bare):
        return next((key for key, image in stored.items() if image["id"].removeprefix("sha256:").startswith(bare)), None)
    return None


def missing(reference: str) -> str:
    try:
        reference = images.familiar(reference) if ":" in reference.rsplit("/", 1)[-1] else f"{reference}:latest"
    except images.BadReference:
        pass
    return f"Error response from daemon: No such image: {reference}"


def cmd_inspect(values: dict, args: list[str], knob: dict) -> int:
    if not args:
        fail('"docker image inspect" requires at least 1 argument.', "See 'docker image inspect --help'.")
    state = world.read()
    found, code = [], 0
    for reference in args:
        name = find(state, reference)
        if name is None:
            err(missing(reference))
            code = 1
            continue
        image = state["docker"]["images"][name]
        found.append({"Id": image["id"], "RepoTags": [images.familiar(n) for n, i in state["docker"]["images"].items()
                                                      if i["id"] == image["id"]],
                      "RepoDigests": [], "Created": world.rfc3339(image["pulled"]), "Size": 104857600,
                      "Architecture": "amd64", "Os": "linux"})
    if values.get("format"):
        for item in found:
            out(render(values["format"], item))
    else:
        out(json.dumps(found, indent=4) if found else "[]")
    return code


def cmd_pull(values: dict, args: list[str], knob: dict) -> int:
    if len(args) != 1:
        fail('"docker pull" requires exactly 1 argument.', "See 'docker pull --help'.")
    reference = args[0]
    try:
        name = images.canonical(reference)
    except images.BadReference as error:
        fail(str(error))
    state = world.read()
    problem = images.docker_pull_error(reference, state, knob)
    if problem:
        fail(problem)
    upstream_name, _ = images.upstream(reference, knob)
    image_id = images.image_id(upstream_name)
    already = state["docker"]["images"].get(name, {}).get("id") == image_id
    if not already:
        world.take_time(knob, "docker pull")
    with world.locked() as state:
        state["docker"]["images"][name] = {"id": image_id, "pulled": world.now()}
    version = name.rsplit(":", 1)[1] if "@" not in name else name.split("@")[1]
    if not values.get("quiet"):
        if already:
            out(f"Status: Image is up to date for {images.familiar(reference)}")
        else:
            out(f"{version}: Pulling from {name.split('/', 1)[1].rsplit(':', 1)[0]}",
                f"{image_id[7:19]}: Pull complete", f"Digest: sha256:{image_id[7:][::-1]}",
                f"Status: Downloaded newer image for {images.familiar(reference)}")
    out(name)  # Docker ends a pull with the fully qualified name
    return 0


def cmd_tag(values: dict, args: list[str], knob: dict) -> int:
    if len(args) != 2:
        fail('"docker tag" requires exactly 2 arguments.', "See 'docker tag --help'.")
    try:
        target = images.canonical(args[1])
    except images.BadReference:
        fail(f'Error parsing reference: "{args[1]}" is not a valid repository/tag: invalid reference format')
    with world.locked() as state:
        source = find(state, args[0])
        if source is None:
            fail(missing(args[0]))
        state["docker"]["images"][target] = dict(state["docker"]["images"][source])
    return 0


def cmd_save(values: dict, args: list[str], knob: dict) -> int:
    state = world.read()
    saved = {}
    for reference in args:
        name = find(state, reference)
        if name is None:
            fail("Error response from daemon: reference does not exist")
        saved[name] = state["docker"]["images"][name]["id"]
    world.take_time(knob, "docker save")
    archive = json.dumps({"fakeworld-image-archive": 1, "images": saved})
    if values.get("output"):
        with open(values["output"], "w") as handle:
            handle.write(archive)
    elif sys.stdout.isatty():
        fail("cowardly refusing to save to a terminal. Use the -o flag or redirect")
    else:
        sys.stdout.write(archive)
    return 0


def read_archive(path: str) -> dict[str, str]:
    """image name -> ID from a `docker save` archive of this world; ValueError otherwise."""
    text = sys.stdin.read() if path == "-" else open(path).read()
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("fakeworld-image-archive") != 1:
        raise ValueError("not an image archive")
    return data["images"]


def cmd_load(values: dict, args: list[str], knob: dict) -> int:
    try:
        loaded = read_archive(values.get("input", "-"))
    except (OSError, ValueError):
        fail("Error response from daemon: unexpected EOF")
    with world.locked() as state:
        for name, image_id in loaded.items():
            state["docker"]["images"][name] = {"id": image_id, "pulled": world.now()}
    for name in loaded:
        out(f"Loaded image: {images.familiar(name)}")
    return 0


def cmd_images(values: dict, args: list[str], knob: dict) -> int:
    stored = world.read()["docker"]["images"]
    rows = [{"Repository": images.familiar(n).rsplit(":", 1)[0], "Tag": n.rsplit(":", 1)[1],
             "ID": i["id"][7:19]} for n, i in sorted(stored.items())]
    if values.get("quiet"):
        out(*[row["ID"] for row in rows])
    elif values.get("format"):
        out(*[render(values["format"], row) for row in rows])
    else:
        out(f"{'REPOSITORY':<60} {'TAG':<20} IMAGE ID", *[f"{r['Repository']:<60} {r['Tag']:<20} {r['ID']}" for r in rows])
    return 0


def cmd_rmi(values: dict, args: list[str], knob: dict) -> int:
    with world.locked() as state:
        for reference in args:
            name = find(state, reference)
            if name is None:
                fail(missing(reference))
            del state["docker"]["images"][name]
            out(f"Untagged: {images.familiar(name)}")
    return 0
