"""pyproject.toml ships every package, contract and fixture the source tree has.

`[tool.setuptools] packages` is a hand-written list (a package mapped from outside
`src/` cannot be found by `packages.find`), so a new package under `src/billing_mock` is
easy to forget: the editable install and every other test still work, and only the
installed wheel breaks. `packaging_problems` compares the list with the tree, and the
package-data globs with the data files (YAML, and the Schemathesis rules' TOML) in
`openapi/` and `fixtures/`, the way setuptools
resolves them (`glob` relative to the package's folder); tests/e2e/test_wheel.py proves
the built wheel itself.
"""

from __future__ import annotations

import glob
import json
import textwrap
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT

TOP = "billing_mock"
DATA_PACKAGES = {"billing_mock.openapi": "openapi", "billing_mock.fixtures": "fixtures"}
"""Packages mapped from folders at the repository root, by the folder each lives in."""

DATA_FILES = ("*.yaml", "*.toml")
"""What a data package holds that the wheel must ship: contracts and fixtures, and
`openapi/schemathesis.toml` (contract-test's business rules)."""


def packages_in(folder: Path, name: str) -> set[str]:
    """Dotted names of `folder` (as `name`) and every directory below it with an
    `__init__.py`.
    """
    return {
        ".".join([name, *init.parent.relative_to(folder).parts])
        for init in folder.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def packaging_problems(root: Path) -> list[str]:
    """What `root/pyproject.toml` would leave out of (or wrongly put in) the wheel; empty
    when the packages list, package-dir and package-data match the tree under `root`.
    """
    with (root / "pyproject.toml").open("rb") as file:
        setuptools = tomllib.load(file)["tool"]["setuptools"]
    listed: list[str] = setuptools.get("packages", [])
    package_dir: dict[str, str] = setuptools.get("package-dir", {})
    package_data: dict[str, list[str]] = setuptools.get("package-data", {})
    problems = [
        f"{name} is listed {count} times" for name, count in Counter(listed).items() if count > 1
    ]

    source = root / "src" / TOP
    folders = {name: source.joinpath(*name.split(".")[1:]) for name in packages_in(source, TOP)}
    if package_dir.get("") != "src":
        problems.append(f'package-dir does not map "" to "src": {package_dir.get("")!r}')
    for name, folder in DATA_PACKAGES.items():
        if package_dir.get(name) != folder:
            problems.append(f"package-dir does not map {name} to {folder!r}")
        if not (root / folder / "__init__.py").is_file():
            problems.append(f"{folder}/ has no __init__.py, so {name} is not a package")
        folders |= {
            sub: (root / folder).joinpath(*sub.split(".")[2:])
            for sub in packages_in(root / folder, name)
        }
    for name in sorted(folders.keys() - set(listed)):
        where = folders[name].relative_to(root).as_posix()
        problems.append(f"{name} ({where}) is not in [tool.setuptools] packages")
    for name in sorted(set(listed) - folders.keys() - DATA_PACKAGES.keys()):
        problems.append(f"{name} is in [tool.setuptools] packages but no such package exists")
    for module in sorted(source.rglob("*.py")):
        if not (module.parent / "__init__.py").is_file():
            problems.append(f"{module.relative_to(root)}: its folder has no __init__.py")

    for name, folder in DATA_PACKAGES.items():
        patterns = [*package_data.get("*", []), *package_data.get(name, [])]
        shipped = {
            Path(match)
            for pattern in patterns
            for match in glob.glob(pattern, root_dir=root / folder, recursive=True)
        }
        found = {data for pattern in DATA_FILES for data in (root / folder).rglob(pattern)}
        for data in sorted(found):
            relative = data.relative_to(root / folder)
            if relative not in shipped:
                problems.append(
                    f"{folder}/{relative.as_posix()} is not matched by package-data "
                    f"for {name}: {patterns}"
                )
    return problems


def test_the_packages_list_is_exactly_the_source_packages_and_the_data_packages() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        listed = tomllib.load(file)["tool"]["setuptools"]["packages"]
    found = packages_in(ROOT / "src" / TOP, TOP)
    assert {TOP, "billing_mock.apis.unpod", "billing_mock.domain.scenarios"} <= found
    expected = found | DATA_PACKAGES.keys()
    assert sorted(expected - set(listed)) == []  # missing from the list
    assert sorted(listed) == sorted(expected)


def test_pyproject_ships_every_package_contract_and_fixture() -> None:
    assert packaging_problems(ROOT) == []
    assert len(list((ROOT / "openapi").glob("*.yaml"))) == 5
    assert (ROOT / "openapi" / "schemathesis.toml").is_file()
    assert len(list((ROOT / "fixtures").glob("*.yaml"))) == 4


PACKAGES = [TOP, "billing_mock.apis", "billing_mock.apis.unpod", *DATA_PACKAGES]


def _tree(root: Path, packages: list[str], data: list[str] | None = None) -> Path:
    """A small repository: src/billing_mock with apis and apis/unpod, openapi/ and
    fixtures/ with one YAML each, and a pyproject.toml listing `packages`.
    """
    for folder in ("src/billing_mock", "src/billing_mock/apis/unpod", "openapi", "fixtures"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for init in ("src/billing_mock", "src/billing_mock/apis", "src/billing_mock/apis/unpod"):
        (root / init / "__init__.py").write_text('"""A package."""\n')
    for folder, name in (("openapi", "unpod-billing.yaml"), ("fixtures", "users.yaml")):
        (root / folder / "__init__.py").write_text('"""Package data."""\n')
        (root / folder / name).write_text("a: 1\n")
    globs = json.dumps(data or ["*.yaml"])
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [tool.setuptools]
            packages = {json.dumps(packages)}

            [tool.setuptools.package-dir]
            "" = "src"
            "billing_mock.openapi" = "openapi"
            "billing_mock.fixtures" = "fixtures"

            [tool.setuptools.package-data]
            "billing_mock.openapi" = {globs}
            "billing_mock.fixtures" = {globs}
            """
        )
    )
    return root


def test_a_complete_tree_has_no_problems(tmp_path: Path) -> None:
    assert packaging_problems(_tree(tmp_path, PACKAGES)) == []


def test_a_package_missing_from_the_list_is_named_with_its_folder(tmp_path: Path) -> None:
    root = _tree(tmp_path, PACKAGES)
    (root / "src/billing_mock/apis/stripe").mkdir()
    (root / "src/billing_mock/apis/stripe/__init__.py").write_text('"""New."""\n')
    assert packaging_problems(root) == [
        "billing_mock.apis.stripe (src/billing_mock/apis/stripe) is not in "
        "[tool.setuptools] packages"
    ]


def _add_yaml_in_a_subfolder(root: Path) -> None:
    (root / "openapi" / "schemas").mkdir()
    (root / "openapi" / "schemas" / "money.yaml").write_text("Money: {}\n")


def _add_rules(root: Path) -> None:
    (root / "openapi" / "schemathesis.toml").write_text("[[project]]\ntitle = 't'\n")


def _add_modules_without_init(root: Path) -> None:
    (root / "src/billing_mock/apis/loose").mkdir()
    (root / "src/billing_mock/apis/loose/handlers.py").write_text('"""Loose."""\n')


def _drop_fixtures_init(root: Path) -> None:
    (root / "fixtures" / "__init__.py").unlink()


BROKEN: dict[str, tuple[list[str], Callable[[Path], None] | None, list[str]]] = {
    "a data package left out": (
        [p for p in PACKAGES if p != "billing_mock.fixtures"],
        None,
        ["billing_mock.fixtures (fixtures) is not in [tool.setuptools] packages"],
    ),
    "a package listed that does not exist": (
        [*PACKAGES, "billing_mock.gone"],
        None,
        ["billing_mock.gone is in [tool.setuptools] packages but no such package exists"],
    ),
    "a package listed twice": (
        [*PACKAGES, TOP],
        None,
        ["billing_mock is listed 2 times"],
    ),
    "a contract the globs do not reach": (
        PACKAGES,
        _add_yaml_in_a_subfolder,
        [
            "openapi/schemas/money.yaml is not matched by package-data "
            "for billing_mock.openapi: ['*.yaml']"
        ],
    ),
    "rules the globs do not reach": (
        PACKAGES,
        _add_rules,
        [
            "openapi/schemathesis.toml is not matched by package-data "
            "for billing_mock.openapi: ['*.yaml']"
        ],
    ),
    "modules in a folder without __init__.py": (
        PACKAGES,
        _add_modules_without_init,
        ["src/billing_mock/apis/loose/handlers.py: its folder has no __init__.py"],
    ),
    "a data folder without __init__.py": (
        PACKAGES,
        _drop_fixtures_init,
        [
            "fixtures/ has no __init__.py, so billing_mock.fixtures is not a package",
        ],
    ),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_each_packaging_mistake_is_reported(broken: str, tmp_path: Path) -> None:
    packages, change, expected = BROKEN[broken]
    root = _tree(tmp_path, packages)
    if change is not None:
        change(root)
    assert packaging_problems(root) == expected


def test_a_recursive_glob_reaches_a_contract_in_a_subfolder(tmp_path: Path) -> None:
    root = _tree(tmp_path, PACKAGES, data=["*.yaml", "**/*.yaml"])
    _add_yaml_in_a_subfolder(root)
    assert packaging_problems(root) == []
