"""The built wheel, installed into a fresh venv outside the checkout, works on its own.

The wheel is built from a clean copy of the source tree (so no stale `build/` or
`*.egg-info` in the checkout can leak into it), installed with its dependencies into a new
venv in a temporary directory, and then driven only through that venv's `billing-mock`
console script from a working directory outside the checkout: `serve` answers the seed's
request and serves the contract as written, `spec bundle` writes every contract, and
`contract-test` finds the installed server conforming. The imported package and its
contracts and fixtures must resolve inside the venv, never to /work/main's `src/`,
`openapi/` or `fixtures/`.

Building and installing take about 20 s, once per module.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.conftest import FIXTURES, OPENAPI, ROOT
from tests.e2e.test_serve import wait_until_answering

SEED_REQUEST = "/api/v2/platform/organisation/billing/?page=1&page_size=10"
CONTRACTS = sorted(path.name for path in OPENAPI.glob("*.yaml"))
FIXTURE_FILES = sorted(path.name for path in FIXTURES.glob("*.yaml"))

# Generated or machine-local: never part of what a clean checkout builds from.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    ".schemathesis",
    "reports",
)


@dataclass(frozen=True)
class Installed:
    """A venv with the wheel installed, and a working directory outside the checkout."""

    wheel: Path
    venv: Path
    site_packages: Path
    workdir: Path
    env: dict[str, str]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def script(self) -> Path:
        return self.venv / "bin" / "billing-mock"

    def run(self, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run the venv's console script with `arguments` in the outside working directory."""
        return subprocess.run(
            [str(self.script), *arguments],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _checked(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _outside_env(venv: Path) -> dict[str, str]:
    """The environment with nothing that points Python back at the checkout or its venv."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    }
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    return env


@pytest.fixture(scope="module")
def installed() -> Iterator[Installed]:
    with tempfile.TemporaryDirectory(
        prefix="billing-mock-wheel-", ignore_cleanup_errors=True
    ) as scratch:
        base = Path(scratch).resolve()
        assert not base.is_relative_to(ROOT), f"temporary directory {base} is inside {ROOT}"
        source, dist, venv, workdir = (base / name for name in ("source", "dist", "venv", "cwd"))
        shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
        workdir.mkdir()
        env = _outside_env(venv)

        started = time.perf_counter()
        _checked(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(source)],
            cwd=base,
            timeout=300,
        )
        built = time.perf_counter()
        (wheel,) = dist.glob("billing_mock-*.whl")
        _checked([sys.executable, "-m", "venv", str(venv)], cwd=base, timeout=120)
        _checked(
            [str(venv / "bin" / "python"), "-m", "pip", "install", str(wheel)],
            cwd=workdir,
            env=env,
            timeout=600,
        )
        done = time.perf_counter()
        print(
            f"wheel built in {built - started:.1f}s; venv made and wheel installed "
            f"with its dependencies in {done - built:.1f}s",
            file=sys.stderr,
        )
        (site_packages,) = (venv / "lib").glob("python3*/site-packages")
        yield Installed(wheel, venv, site_packages, workdir, env)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(installed: Installed) -> Iterator[str]:
    """`billing-mock serve` from the venv on a free loopback port; yields its origin."""
    port = _free_port()
    log_path = installed.workdir.parent / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(installed.script), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=installed.workdir,
            env=installed.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        origin = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(origin, process, 60, lambda: log_path.read_text(errors="replace"))
            yield origin
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def test_the_wheel_holds_every_module_contract_and_fixture(installed: Installed) -> None:
    dist_info = "-".join(installed.wheel.name.split("-")[:2]) + ".dist-info"
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode()
    modules = {
        "billing_mock/" + path.relative_to(ROOT / "src" / "billing_mock").as_posix()
        for path in (ROOT / "src" / "billing_mock").rglob("*.py")
    }
    data = {
        f"billing_mock/{folder}/{name}"
        for folder, files in (("openapi", CONTRACTS), ("fixtures", FIXTURE_FILES))
        for name in [*files, "__init__.py"]
    }
    assert sorted(modules - names) == []
    assert sorted(data - names) == []
    assert {name.split("/")[0] for name in names} == {"billing_mock", dist_info}
    assert "billing-mock = billing_mock.cli:main" in entry_points


def test_the_installed_package_and_its_resources_are_the_venvs(installed: Installed) -> None:
    probe = textwrap.dedent(
        """
        import json, sys
        from importlib import metadata, resources
        import billing_mock
        from billing_mock.contract.documents import contract, openapi_directory
        from billing_mock.data.fixtures import default_fixtures, load_fixtures

        with contract("unpod-billing.yaml").as_file() as unpod:
            unpod_path = str(unpod)
        print(json.dumps({
            "prefix": sys.prefix,
            "package": billing_mock.__file__,
            "openapi": str(resources.files("billing_mock.openapi")),
            "openapi_directory": str(openapi_directory()),
            "fixtures": str(default_fixtures()),
            "unpod": unpod_path,
            "organisations": len(load_fixtures().organisations),
            "direct_url": metadata.distribution("billing-mock").read_text("direct_url.json"),
        }))
        """
    )
    result = _checked(
        [str(installed.python), "-c", probe], cwd=installed.workdir, env=installed.env, timeout=60
    )
    found = json.loads(result.stdout)
    package = installed.site_packages / "billing_mock"
    assert Path(found["prefix"]) == installed.venv
    assert Path(found["package"]) == package / "__init__.py"
    assert Path(found["openapi"]) == Path(found["openapi_directory"]) == package / "openapi"
    assert Path(found["fixtures"]) == package / "fixtures"
    assert Path(found["unpod"]) == package / "openapi" / "unpod-billing.yaml"
    for key in ("package", "openapi", "fixtures", "unpod"):
        assert not Path(found[key]).is_relative_to(ROOT), (key, found[key])
    organisations = yaml.safe_load((FIXTURES / "organisations.yaml").read_text())
    assert found["organisations"] == len(organisations["organisations"])
    # Installed from the wheel file, not from the source tree (no editable install).
    direct_url = json.loads(found["direct_url"])
    assert direct_url["url"] == installed.wheel.as_uri()
    assert "dir_info" not in direct_url
    # What shipped is what is in the repository, byte for byte.
    for folder, names in (("openapi", CONTRACTS), ("fixtures", FIXTURE_FILES)):
        for name in names:
            shipped = (package / folder / name).read_bytes()
            assert shipped == (ROOT / folder / name).read_bytes(), f"{folder}/{name}"
    assert installed.script.read_text().splitlines()[0] == f"#!{installed.python}"


def test_serve_answers_the_seed_request_and_serves_the_contract_as_written(
    server: str, users: dict[str, Any]
) -> None:
    seed = requests.get(
        server + SEED_REQUEST,
        headers={
            "accept": "application/json",
            "Org-Handle": "recalll.co",
            "Product-Id": "unpod.dev",
            "Authorization": f"jwt {users['priya.sharma@recalll.co']['jwt']}",
        },
        timeout=10,
    )
    contract = requests.get(server + "/openapi/unpod-billing.yaml", timeout=10)
    docs = requests.get(server + "/api/v2/platform/ui/", timeout=10)
    assert seed.status_code == 200, seed.text
    body = seed.json()
    assert (body["count"], len(body["data"])) == (17, 10)
    assert body["data"][0]["invoice_number"] == "INV-00118"
    assert contract.status_code == 200
    assert contract.content == (OPENAPI / "unpod-billing.yaml").read_bytes()
    assert docs.status_code == 200  # the swagger-ui extra came along
    assert "swagger" in docs.text.lower()


def test_spec_bundle_writes_every_contract_as_yaml_and_json(installed: Installed) -> None:
    out = installed.workdir.parent / "bundle"
    result = installed.run("spec", "bundle", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    stems = [name.removesuffix(".yaml") for name in CONTRACTS]
    assert len(stems) == 5
    expected = {f"{stem}.{suffix}" for stem in stems for suffix in ("yaml", "json")}
    assert {path.name for path in out.iterdir()} == expected
    assert {Path(line).name for line in result.stdout.split()} == expected
    for name in CONTRACTS:
        written = yaml.safe_load((out / name).read_text())
        assert written == yaml.safe_load((OPENAPI / name).read_text()), name
        assert json.loads((out / name.replace(".yaml", ".json")).read_text()) == written


def test_contract_test_finds_the_installed_server_conforming(
    installed: Installed, server: str, users: dict[str, Any]
) -> None:
    result = installed.run(
        "contract-test",
        "--base-url",
        server,
        "--api",
        "unpod",
        "--max-examples",
        "5",
        "--seed",
        "7",
        "--header",
        f"Authorization: jwt {users['priya.sharma@recalll.co']['jwt']}",
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"{server}/api/v2/platform conforms to unpod-billing.yaml" in result.stdout
    # Schemathesis read the installed contract (its report wraps long paths: unwrap them).
    installed_contract = installed.site_packages / "billing_mock" / "openapi" / "unpod-billing.yaml"
    assert str(installed_contract) in "".join(result.stdout.split()), output
