"""Architecture rules, read from the source with `ast`: the layers and what each may import,
what the top of the package holds, module size, and spec <-> handlers.

Each rule is a function from a source tree (or spec and handler files) to a list of
violations, so the tests below run it on the real tree and on small bad trees built in
`tmp_path`, which proves each rule can fail without touching a real file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from billing_mock.apis.common.naming import snake_case
from billing_mock.apis.registry import APIS
from tests.conftest import OPENAPI, ROOT

SRC = ROOT / "src"
PACKAGE = "billing_mock"
DOMAIN = f"{PACKAGE}.domain"
APIS_PACKAGE = f"{PACKAGE}.apis"

WEB_FRAMEWORKS = frozenset({"connexion", "starlette", "uvicorn", "schemathesis"})
"""Top-level packages the domain must not import: it knows nothing of HTTP or testing it."""

LAYERS: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "contract": frozenset(),
    "data": frozenset({"domain"}),
    "server": frozenset({"domain", "contract", "data", "settings"}),
    "apis": frozenset({"domain", "contract", "data", "server", "settings"}),
    "proxy": frozenset({"contract", "server", "apis", "settings"}),
    "settings": frozenset(),
}
"""Each layer (a package, or the `settings` module, under billing_mock) and the layers
below it that it may import; nothing may import `app` or `cli` (the entry points). The
proxy is handed the mock (`--fallback mock`) as an ASGI app by `cli`, so it needs
neither `app` nor `data`."""

TOP_LEVEL = frozenset({"__init__.py", "cli.py", "app.py", "settings.py", *LAYERS})
"""What the top of `src/billing_mock/` may hold: the entry points and the layers."""

SHARED_API_PACKAGES = frozenset({"common"})
"""Packages under `apis/` that are no API: what two or more APIs share."""

MAX_MODULE_LINES = 400

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when built in: the Razorpay contract is 3,000 lines."""

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True, slots=True)
class Import:
    """One imported name, fully qualified (`from a import b` is `a.b`), and where."""

    path: Path
    line: int
    name: str
    statement: str

    def where(self, root: Path) -> str:
        return f"{_shown(self.path, root)}:{self.line}: {self.statement}"


@dataclass(frozen=True, slots=True)
class ApiSources:
    """What one API binds together: its name, its contract and its handlers module file."""

    name: str
    spec: Path
    handlers: Path


# --- reading the source ------------------------------------------------------------------


def module_name(path: Path, src: Path) -> str:
    """`src/billing_mock/apis/unpod/wire.py` -> `billing_mock.apis.unpod.wire` (a package
    is named by its directory).
    """
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, src: Path) -> list[Import]:
    """Every import in the file, at any depth (functions, `if TYPE_CHECKING:` blocks),
    with relative imports made absolute, in line order.
    """
    module = module_name(path, src)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            origin = _absolute(package, node.level, node.module)
            names = [f"{origin}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [Import(path, node.lineno, name, ast.unparse(node)) for name in names]
    return sorted(found, key=lambda item: item.line)


def _absolute(package: str, level: int, module: str | None) -> str:
    """The module `from <level dots><module> import ...` names, seen from `package`."""
    if level == 0:
        return module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


# --- the rules ---------------------------------------------------------------------------


def domain_import_violations(src: Path, root: Path | None = None) -> list[str]:
    """Imports in `<src>/billing_mock/domain/` of a web framework or of any module of the
    package outside the domain (the APIs, the app, fixtures, naming ...).
    """
    found = []
    for path in sorted((src / PACKAGE / "domain").rglob("*.py")):
        for item in imports(path, src):
            top = item.name.partition(".")[0]
            if top in WEB_FRAMEWORKS:
                found.append(f"{item.where(root or src)}  (web framework {top!r})")
            elif _within(item.name, PACKAGE) and not _within(item.name, DOMAIN):
                found.append(f"{item.where(root or src)}  ({item.name} is outside {DOMAIN})")
    return found


def layer_import_violations(src: Path, root: Path | None = None) -> list[str]:
    """Imports, in a layer of `LAYERS`, of a part of the package that is neither in the
    same layer nor in one it may import (`app` and `cli` are in none).
    """
    found = []
    for layer, allowed in LAYERS.items():
        folder = src / PACKAGE / layer
        paths = sorted(folder.rglob("*.py")) if folder.is_dir() else [folder.with_suffix(".py")]
        for path in (path for path in paths if path.is_file()):
            for item in imports(path, src):
                if not _within(item.name, PACKAGE) or item.name == PACKAGE:
                    continue
                target = item.name.split(".")[1]
                if target != layer and target not in allowed:
                    found.append(f"{item.where(root or src)}  ({layer} may not import {target})")
    return found


def top_level_violations(src: Path) -> list[str]:
    """Files and folders at the top of `src/billing_mock/` that are no entry point or layer."""
    return [
        f"{PACKAGE}/{path.name}: the top holds only {', '.join(sorted(TOP_LEVEL))}"
        for path in sorted((src / PACKAGE).iterdir())
        if path.name not in TOP_LEVEL and path.name != "__pycache__"
    ]


def long_module_violations(src: Path, limit: int = MAX_MODULE_LINES) -> list[str]:
    """Modules under `src/` longer than `limit` lines."""
    found = []
    for path in sorted(src.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{_shown(path, src)}: {lines} lines (at most {limit})")
    return found


def cross_api_import_violations(src: Path, root: Path | None = None) -> list[str]:
    """Imports in one API package (`billing_mock/apis/<name>/`) of another API package, or
    of the registry (which imports them all). `apis/base.py`, `apis/binding.py`,
    `apis/registry.py` and the shared packages (`apis/common/`) are no API.
    """
    apis_dir = src / PACKAGE / "apis"
    packages = sorted(path.parent.name for path in apis_dir.glob("*/__init__.py"))
    names = [name for name in packages if name not in SHARED_API_PACKAGES]
    found = []
    for name in packages:
        for path in sorted((apis_dir / name).rglob("*.py")):
            for item in imports(path, src):
                if not _within(item.name, APIS_PACKAGE) or item.name == APIS_PACKAGE:
                    continue
                target = item.name.split(".")[2]
                if target == "registry":
                    what = "the registry of every API"
                elif target in names and target != name:
                    what = f"API {target!r}"
                else:
                    continue
                who = "shared" if name in SHARED_API_PACKAGES else "API"
                found.append(f"{item.where(root or src)}  ({who} {name!r} imports {what})")
    return found


def operation_ids(spec: Path) -> Iterator[tuple[str, str | None]]:
    """(`GET /path`, operationId or None) for every operation of the contract, in order."""
    document = yaml.load(spec.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    for route, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield f"{method.upper()} {route}", operation.get("operationId")


def defined_functions(handlers: Path) -> dict[str, int]:
    """Module-level functions defined (not imported) in the file, with their lines."""
    tree = ast.parse(handlers.read_text(encoding="utf-8"), filename=str(handlers))
    return {
        node.name: node.lineno
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def operation_handler_violations(
    apis: Iterable[ApiSources], openapi_dir: Path, root: Path | None = None
) -> list[str]:
    """Operations whose operationId has no handler function (camelCase -> snake_case, as
    apis/binding.py binds them), public handler functions no operation reaches, and contracts in
    `openapi_dir` that no API serves.
    """
    apis = list(apis)
    found = [problem for api in apis for problem in _binding_violations(api, root or openapi_dir)]
    served = {api.spec.resolve() for api in apis}
    for spec in sorted([*openapi_dir.glob("*.yaml"), *openapi_dir.glob("*.yml")]):
        if spec.resolve() not in served:
            found.append(f"{_shown(spec, root or openapi_dir)}: no registered API serves this spec")
    return found


def _binding_violations(api: ApiSources, root: Path) -> list[str]:
    """One API's operations without a handler, and its handlers without an operation."""
    if not api.spec.is_file():
        return [f"API {api.name!r}: its spec {_shown(api.spec, root)} is missing"]
    handlers = _shown(api.handlers, root)
    functions = defined_functions(api.handlers)
    found, reached = [], set()
    for where, operation_id in operation_ids(api.spec):
        if operation_id is None:
            found.append(f"{_shown(api.spec, root)}: {where} has no operationId")
            continue
        function = snake_case(operation_id)
        reached.add(function)
        if function not in functions:
            found.append(
                f"{_shown(api.spec, root)}: {where} operationId {operation_id!r} has no function "
                f"{function}() in {handlers}"
            )
    found += [
        f"{handlers}:{line}: public function {name}() is no operation of {api.spec.name} "
        "(dead handler? make it _private)"
        for name, line in sorted(functions.items(), key=lambda item: item[1])
        if not name.startswith("_") and name not in reached
    ]
    return found


def _registered() -> list[ApiSources]:
    """The APIs of `apis.registry.APIS`, with their spec and handlers files."""
    return [
        ApiSources(api.name, OPENAPI / api.contract_file, Path(str(api.handlers.__file__)))
        for api in APIS
    ]


def _report(violations: list[str]) -> str:
    return "\n".join(["", *violations])


# --- the real tree -----------------------------------------------------------------------


def test_domain_imports_no_web_framework_and_nothing_outside_the_domain() -> None:
    violations = domain_import_violations(SRC, ROOT)
    assert not violations, _report(violations)


def test_no_api_package_imports_another() -> None:
    violations = cross_api_import_violations(SRC, ROOT)
    assert not violations, _report(violations)


def test_each_layer_imports_only_the_layers_below_it() -> None:
    violations = layer_import_violations(SRC, ROOT)
    assert not violations, _report(violations)


def test_the_top_of_the_package_holds_only_entry_points_and_layers() -> None:
    violations = top_level_violations(SRC)
    assert not violations, _report(violations)


def test_no_module_is_longer_than_the_limit() -> None:
    violations = long_module_violations(SRC)
    assert not violations, _report(violations)


def test_every_operation_has_a_handler_and_every_handler_an_operation() -> None:
    violations = operation_handler_violations(_registered(), OPENAPI, ROOT)
    assert not violations, _report(violations)


def test_the_rules_see_the_real_tree() -> None:
    """Guards the guards: an empty walk (a moved directory) would pass every rule above."""
    domain_files = list((SRC / PACKAGE / "domain").rglob("*.py"))
    assert len(domain_files) > 5
    assert any(imports(path, SRC) for path in domain_files)
    registered = _registered()
    packages = {path.parent.name for path in (SRC / PACKAGE / "apis").glob("*/__init__.py")}
    packages -= SHARED_API_PACKAGES
    assert {api.name for api in registered} == packages, "every API package is registered"
    assert all(defined_functions(api.handlers) for api in registered)
    assert sum(1 for api in registered for _ in operation_ids(api.spec)) > len(registered)
    for layer in LAYERS:
        folder = SRC / PACKAGE / layer
        assert folder.is_dir() or folder.with_suffix(".py").is_file(), f"layer {layer} is gone"
    assert any(imports(path, SRC) for path in (SRC / PACKAGE / "server").rglob("*.py"))


# --- the rules fail on bad trees ---------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_module_names_and_relative_imports_resolve(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "billing_mock/apis/unpod/__init__.py": "from . import handlers\n",
            "billing_mock/apis/unpod/handlers.py": "from ..stripe.wire import invoice\n",
        },
    )
    package = src / "billing_mock/apis/unpod"
    assert [item.name for item in imports(package / "__init__.py", src)] == [
        "billing_mock.apis.unpod.handlers"
    ]
    assert [item.name for item in imports(package / "handlers.py", src)] == [
        "billing_mock.apis.stripe.wire.invoice"
    ]


def test_domain_rule_fails_on_a_framework_or_package_import(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "billing_mock/domain/__init__.py": "",
            "billing_mock/domain/good.py": (
                "import decimal\nfrom dateutil.relativedelta import relativedelta\n"
                "from billing_mock.domain.money import Money\nfrom . import money\n"
                "from billing_mock import domain\n"
            ),
            "billing_mock/domain/bad.py": (
                '"""Bad."""\nimport connexion\n\n'
                "def f():\n    from starlette.requests import Request\n"
                "from billing_mock.apis.stripe import wire\n"
                "from ..naming import snake_case\n"
            ),
        },
    )
    assert domain_import_violations(src) == [
        "billing_mock/domain/bad.py:2: import connexion  (web framework 'connexion')",
        "billing_mock/domain/bad.py:5: from starlette.requests import Request"
        "  (web framework 'starlette')",
        "billing_mock/domain/bad.py:6: from billing_mock.apis.stripe import wire"
        "  (billing_mock.apis.stripe.wire is outside billing_mock.domain)",
        "billing_mock/domain/bad.py:7: from ..naming import snake_case"
        "  (billing_mock.naming.snake_case is outside billing_mock.domain)",
    ]


def test_cross_api_rule_fails_when_one_api_imports_another(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "billing_mock/apis/__init__.py": "",
            "billing_mock/apis/base.py": "from billing_mock.apis.alpha import handlers\n",
            "billing_mock/apis/registry.py": "from billing_mock.apis import alpha, beta\n",
            "billing_mock/apis/alpha/__init__.py": (
                "from billing_mock.apis.base import ApiModule\nfrom . import handlers\n"
            ),
            "billing_mock/apis/alpha/handlers.py": (
                "from billing_mock.apis.alpha import wire\n"
                "from billing_mock.apis.beta import wire\n"
            ),
            "billing_mock/apis/beta/__init__.py": "",
            "billing_mock/apis/beta/wire.py": (
                "from .. import alpha\nfrom billing_mock.apis.registry import APIS\n"
            ),
            "billing_mock/apis/common/__init__.py": "",
            "billing_mock/apis/common/shared.py": "from billing_mock.apis.beta import wire\n",
        },
    )
    assert cross_api_import_violations(src) == [
        "billing_mock/apis/alpha/handlers.py:2: from billing_mock.apis.beta import wire"
        "  (API 'alpha' imports API 'beta')",
        "billing_mock/apis/beta/wire.py:1: from .. import alpha  (API 'beta' imports API 'alpha')",
        "billing_mock/apis/beta/wire.py:2: from billing_mock.apis.registry import APIS"
        "  (API 'beta' imports the registry of every API)",
        "billing_mock/apis/common/shared.py:1: from billing_mock.apis.beta import wire"
        "  (shared 'common' imports API 'beta')",
    ]


SPEC = """\
openapi: 3.0.4
info: {title: t, version: "1"}
paths:
  /things:
    parameters: []
    get: {operationId: listThings, responses: {"200": {description: ok}}}
    post: {operationId: createThing, responses: {"201": {description: ok}}}
  /other:
    get: {responses: {"200": {description: ok}}}
"""

HANDLERS = """\
def list_things(store):
    return _helper()


def _helper():
    return []


def forgotten(store):
    return None
"""


def test_operation_rule_fails_on_a_missing_handler_a_dead_one_and_an_orphan_spec(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            "openapi/things.yaml": SPEC,
            "openapi/orphan.yaml": SPEC,
            "things/handlers.py": HANDLERS,
        },
    )
    api = ApiSources("things", tmp_path / "openapi/things.yaml", tmp_path / "things/handlers.py")
    assert operation_handler_violations([api], tmp_path / "openapi", tmp_path) == [
        "openapi/things.yaml: POST /things operationId 'createThing' has no function "
        "create_thing() in things/handlers.py",
        "openapi/things.yaml: GET /other has no operationId",
        "things/handlers.py:9: public function forgotten() is no operation of things.yaml "
        "(dead handler? make it _private)",
        "openapi/orphan.yaml: no registered API serves this spec",
    ]


def test_operation_rule_fails_on_a_missing_spec(tmp_path: Path) -> None:
    _write(tmp_path, {"things/handlers.py": HANDLERS})
    api = ApiSources("things", tmp_path / "openapi/gone.yaml", tmp_path / "things/handlers.py")
    assert operation_handler_violations([api], tmp_path / "openapi", tmp_path) == [
        "API 'things': its spec openapi/gone.yaml is missing"
    ]


def test_layer_rule_fails_on_an_import_from_above(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "billing_mock/server/good.py": (
                "from billing_mock.domain.store import Store\nfrom billing_mock import settings\n"
                "from billing_mock.server.routing import Mounts\n"
            ),
            "billing_mock/server/bad.py": "from billing_mock.apis.registry import APIS\n",
            "billing_mock/data/bad.py": "def f():\n    from ..server import errors\n",
            "billing_mock/contract/bad.py": "import billing_mock.app\n",
            "billing_mock/settings.py": "from billing_mock.domain import money\n",
        },
    )
    assert layer_import_violations(src) == [
        "billing_mock/contract/bad.py:1: import billing_mock.app  (contract may not import app)",
        "billing_mock/data/bad.py:2: from ..server import errors  (data may not import server)",
        "billing_mock/server/bad.py:1: from billing_mock.apis.registry import APIS"
        "  (server may not import apis)",
        "billing_mock/settings.py:1: from billing_mock.domain import money"
        "  (settings may not import domain)",
    ]


def test_top_level_rule_fails_on_a_loose_module(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {"billing_mock/cli.py": "", "billing_mock/server/x.py": "", "billing_mock/helpers.py": ""},
    )
    assert top_level_violations(src) == [
        f"billing_mock/helpers.py: the top holds only {', '.join(sorted(TOP_LEVEL))}"
    ]


def test_length_rule_fails_on_a_long_module(tmp_path: Path) -> None:
    src = _write(
        tmp_path, {"billing_mock/short.py": "x = 1\n" * 3, "billing_mock/long.py": "x = 1\n" * 4}
    )
    assert long_module_violations(src, limit=3) == ["billing_mock/long.py: 4 lines (at most 3)"]
