"""The habits of the house, checked with the tools the test extras install: ruff's lint and
format, and mypy on the maths, the answer types and the API family authors use."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed: .ci/run installs '.[test]'")
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return str(path)


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_code_is_ruff_clean():
    result = run(tool("ruff"), "check", ".")
    assert result.returncode == 0, result.stdout


def test_the_code_is_ruff_formatted():
    result = run(tool("ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout


def test_the_typed_modules_pass_mypy():
    result = run(tool("mypy"), "--cache-dir", str(ROOT / ".mypy_cache"))
    assert result.returncode == 0, result.stdout
