"""A frontend generating a client from any contract gets a precise type for every JSON
response (issue 18): openapi-typescript's types compile a typed call under `tsc --strict`,
and openapi-python-client parses every JSON response into a model, never `Any`.

For each of the five contracts in openapi/ and each JSON response of each operation (error
responses too), a generated `.ts` file fetches a documented path, declares the body as the
generated type of that response, asserts that type is neither `unknown` nor `any`, and
reads one of its fields (chosen from the contract), so a collapsed type does not compile.
The Python client is generated offline into a temporary directory and each operation's
`_parse_response` is read: every JSON status needs its own branch, and no branch may be
typed `Any`. PDF and CSV bodies are out of scope (openapi-python-client cannot type them).

`make test` installs openapi-typescript and typescript, pinned, into tests/typescript
(`tests/typescript/setup.sh`, from its package-lock.json).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_python_client.strings import snake_case

from tests.conftest import OPENAPI, ROOT

Spec = dict[str, Any]

BIN = ROOT / "tests" / "typescript" / "node_modules" / ".bin"
CONTRACTS = sorted(path.stem for path in OPENAPI.glob("*.yaml"))
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON = "application/json"
TSC_FLAGS = (
    "--strict",
    "--noEmit",
    "--target",
    "es2022",
    "--module",
    "esnext",
    "--moduleResolution",
    "bundler",
    "--lib",
    "es2022,dom",
)
PRELUDE = """\
type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;
/** "imprecise" for `unknown` and `any`: only those two are supertypes of `unknown`. */
type Precise<T> = unknown extends T ? "imprecise" : "precise";
/** A typed call: only a route the contract documents compiles. */
const call = (route: keyof paths, method: string): Promise<Response> =>
  fetch(`http://127.0.0.1:8000${String(route)}`, { method: method.toUpperCase() });
"""
"""What each generated `.ts` file has after importing the generated `paths`."""


@dataclass(frozen=True)
class JsonResponse:
    """One JSON response of one operation, and its schema with `$ref`s resolved."""

    operation_id: str
    route: str
    method: str
    status: str
    schema: Spec

    @property
    def name(self) -> str:
        return f"{self.operation_id}_{self.status}"


def _spec(contract: str) -> Spec:
    spec: Spec = yaml.safe_load((OPENAPI / f"{contract}.yaml").read_text())
    return spec


def _resolve(spec: Spec, node: Any) -> Any:
    """`node`, its local `$ref`s followed (the contracts use no remote ones)."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for token in node["$ref"].removeprefix("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def json_responses(spec: Spec) -> list[JsonResponse]:
    """Every JSON response of every operation of `spec`, in document order."""
    found = []
    for route, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            for status, response in (operation or {}).get("responses", {}).items():
                media = _resolve(spec, response).get("content", {}).get(JSON)
                if media is not None:
                    schema = _resolve(spec, media.get("schema", {}))
                    found.append(
                        JsonResponse(operation["operationId"], route, method, str(status), schema)
                    )
    return found


# --- TypeScript ----------------------------------------------------------------------------


def _properties(spec: Spec, schema: Spec) -> tuple[list[str], set[str]]:
    """(property names in order, required names) of an object schema, allOf merged."""
    names = list(schema.get("properties", {}))
    required = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        more, also = _properties(spec, _resolve(spec, part))
        names += [name for name in more if name not in names]
        required |= also
    return names, required


def _field(spec: Spec, schema: Spec, body: str) -> str:
    """A TypeScript expression reading a field of `body`, typed by `schema`.

    Bracket access, so `--strict` (noImplicitAny) refuses a name the type lacks. A union
    reads a property every alternative requires, else narrows with `in` first.
    """
    if schema.get("type") == "array":
        return _field(spec, _resolve(spec, schema.get("items", {})), f"{body}?.[0]")
    names, required = _properties(spec, schema)
    alternatives = [_resolve(spec, s) for s in schema.get("oneOf", schema.get("anyOf", []))]
    shapes = [_properties(spec, alternative) for alternative in alternatives]
    if not names and shapes and shapes[0][0]:
        common = set.intersection(*(required for _, required in shapes))
        shared = [name for name in shapes[0][0] if name in common]
        if shared:
            return f"{body}?.[{json.dumps(shared[0])}]"
        name = json.dumps(shapes[0][0][0])
        return f"({name} in {body} ? {body}[{name}] : undefined)"
    if names:
        chosen = next((name for name in names if name in required), names[0])
        return f"{body}?.[{json.dumps(chosen)}]"
    if isinstance(schema.get("additionalProperties"), dict):
        return f'{body}?.["any key"]'
    return f"{body}?.valueOf()"


def typescript_check(contract: str, spec: Spec) -> str:
    """The `.ts` source making a typed call per JSON response of `contract`."""
    lines = [f'import type {{ paths }} from "./{contract}";', "", PRELUDE]
    for response in json_responses(spec):
        status = response.status if response.status.isdigit() else json.dumps(response.status)
        route = json.dumps(response.route)
        lines += [
            f"export async function {snake_case(response.name)}(): Promise<unknown> {{",
            f"  const response = await call({route}, {json.dumps(response.method)});",
            f'  const body: Json<paths[{route}]["{response.method}"]["responses"][{status}]>'
            " = await response.json();",
            '  const precise: Precise<typeof body> = "precise";',
            f"  return [precise, {_field(spec, response.schema, 'body')}];",
            "}",
            "",
        ]
    return "\n".join(lines)


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def tsc_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The errors of `tsc` per contract, once every contract's types and checks are made."""
    if not (BIN / "openapi-typescript").exists() or not (BIN / "tsc").exists():
        pytest.fail("missing tests/typescript/node_modules: run `bash tests/typescript/setup.sh`")
    folder = tmp_path_factory.mktemp("typescript")

    def generate(contract: str) -> subprocess.CompletedProcess[str]:
        (folder / f"{contract}.check.ts").write_text(typescript_check(contract, _spec(contract)))
        command = [str(BIN / "openapi-typescript"), str(OPENAPI / f"{contract}.yaml")]
        return _run([*command, "--output", str(folder / f"{contract}.ts")], folder)

    with ThreadPoolExecutor() as pool:
        for contract, run in zip(CONTRACTS, pool.map(generate, CONTRACTS), strict=True):
            assert run.returncode == 0, f"openapi-typescript {contract}:\n{run.stderr}"
    checks = [f"{contract}.check.ts" for contract in CONTRACTS]
    run = _run([str(BIN / "tsc"), *TSC_FLAGS, *checks], folder)
    errors: dict[str, list[str]] = {contract: [] for contract in CONTRACTS}
    current = "(other)"
    for line in run.stdout.splitlines():
        if not line.startswith(" "):  # an error's first line names its file
            name = line.split("(", 1)[0].removesuffix(".ts").removesuffix(".check")
            current = name if name in errors else "(other)"
        errors.setdefault(current, []).append(line)
    assert run.returncode == 0 or any(errors.values()), run.stdout + run.stderr
    return errors


@pytest.mark.parametrize("contract", CONTRACTS)
def test_typescript_types_every_json_response_under_strict(
    contract: str, tsc_errors: dict[str, list[str]]
) -> None:
    assert json_responses(_spec(contract)), f"{contract} has no JSON response to check"
    assert tsc_errors[contract] == [], "\n".join(["", *tsc_errors[contract]])
    assert tsc_errors.get("(other)", []) == [], "\n".join(["", *tsc_errors["(other)"]])


# --- Python --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def python_clients(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each contract's openapi-python-client package, generated offline (no post hooks)."""
    folder = tmp_path_factory.mktemp("python")
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")
    generator = Path(sys.executable).with_name("openapi-python-client")

    def generate(contract: str) -> subprocess.CompletedProcess[str]:
        command = [str(generator), "generate", "--path", str(OPENAPI / f"{contract}.yaml")]
        options = ["--output-path", contract, "--config", str(config), "--meta", "none"]
        return _run([*command, *options], folder)

    with ThreadPoolExecutor() as pool:
        for contract, run in zip(CONTRACTS, pool.map(generate, CONTRACTS), strict=True):
            assert run.returncode == 0, f"openapi-python-client {contract}:\n{run.stdout}"
    return {contract: folder / contract for contract in CONTRACTS}


def _status_branches(module: ast.Module) -> dict[str, ast.If]:
    """`_parse_response`'s `if response.status_code == N:` branches, by status."""
    parse = next(
        node
        for node in module.body
        if isinstance(node, ast.FunctionDef) and node.name == "_parse_response"
    )
    branches = {}
    for node in ast.walk(parse):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            left, right = node.test.left, node.test.comparators[0]
            if ast.unparse(left) == "response.status_code" and isinstance(right, ast.Constant):
                branches[str(right.value)] = node
    return branches


def python_problems(client: Path, spec: Spec) -> list[str]:
    """JSON responses the generated client omits or types as `Any`."""
    problems = []
    for response in json_responses(spec):
        where = f"{response.method.upper()} {response.route} {response.status}"
        modules = list(client.glob(f"api/*/{snake_case(response.operation_id)}.py"))
        if not modules:
            problems.append(f"{where}: no module for {response.operation_id}")
            continue
        branch = _status_branches(ast.parse(modules[0].read_text())).get(response.status)
        if branch is None:
            problems.append(f"{where}: omitted from {response.operation_id}'s responses")
        elif any(isinstance(node, ast.Name) and node.id == "Any" for node in ast.walk(branch)):
            typed = next(line for line in ast.unparse(branch).splitlines() if "Any" in line)
            problems.append(f"{where}: typed Any ({typed.strip()})")
    return problems


@pytest.mark.parametrize("contract", CONTRACTS)
def test_python_client_models_every_json_response(
    contract: str, python_clients: dict[str, Path]
) -> None:
    problems = python_problems(python_clients[contract], _spec(contract))
    assert problems == [], "\n".join(["", *problems])
