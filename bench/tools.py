"""wrk (apt-get) and Stoplight Prism (npm, into bench/.tools): installed when missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from paths import RESULTS, ROOT, TOOLS
from progress import say

PRISM = TOOLS / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5"


@dataclass
class Tools:
    """What the run could use, and why not where it could not."""

    wrk: str | None = None
    prism: str | None = None
    wrk_version: str = ""
    prism_version: str = ""
    node_version: str = ""
    failures: list[str] = field(default_factory=list)


def _run_quietly(command: Sequence[str], log: Path) -> tuple[bool, str]:
    """Run `command` with its output in `log`; (succeeded, last lines of output)."""
    say(f"$ {' '.join(command)}")
    try:
        completed = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.write_text(str(error), encoding="utf-8")
        return False, str(error)
    output = completed.stdout + completed.stderr
    log.write_text(output, encoding="utf-8")
    tail = "\n".join(output.strip().splitlines()[-8:])
    return completed.returncode == 0, f"exit {completed.returncode}: {tail}"


def ensure_wrk(tools: Tools) -> None:
    """Install wrk from Debian's package with apt-get when it is not on PATH."""
    if shutil.which("wrk") is None:
        prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
        ok, detail = _run_quietly([*prefix, "apt-get", "update"], RESULTS / "apt-update.log")
        if ok:
            ok, detail = _run_quietly(
                [*prefix, "apt-get", "install", "-y", "wrk"], RESULTS / "apt-install.log"
            )
        if not ok:
            tools.failures.append(f"wrk: apt-get failed ({detail})")
    tools.wrk = shutil.which("wrk")
    if tools.wrk:
        probe = subprocess.run([tools.wrk, "--version"], capture_output=True, text=True)
        first = (probe.stdout + probe.stderr).splitlines()[0]
        tools.wrk_version = first.split(" [")[0].strip()


def ensure_prism(tools: Tools) -> None:
    """Prism from npm into bench/.tools, when it is not there yet."""
    if not PRISM.exists():
        if shutil.which("npm") is None:
            tools.failures.append("prism: npm is not installed")
            return
        TOOLS.mkdir(parents=True, exist_ok=True)
        command = ["npm", "install", "--prefix", str(TOOLS), PRISM_PACKAGE]
        ok, detail = _run_quietly(command, RESULTS / "npm-install.log")
        if not ok or not PRISM.exists():
            tools.failures.append(f"prism: npm install failed ({detail})")
            return
    # The installed tools are not the project's: keep them out of `git status`.
    ignore = TOOLS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    tools.prism = str(PRISM)
    version = subprocess.run([tools.prism, "--version"], capture_output=True, text=True)
    tools.prism_version = version.stdout.strip()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True)
    tools.node_version = node.stdout.strip()
