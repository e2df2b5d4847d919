"""Every command the README and docs/ show at a `$ ` prompt runs, in order, in a fresh
folder per document, with the installed console scripts: a renamed option or a changed
default breaks the suite, not a reader's copy-paste. A command is expected to exit 0 unless
its line ends with `# exits N`.

Where a document shows a command's output, its first line must be the command's first line:
the examples are real runs, not impressions of one."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_EXIT = re.compile(r"#\s*exits\s+(\d+)\s*$")


def shown_commands(text: str) -> list[tuple[str, list[str]]]:
    """Each `$ ` command in the document's fenced blocks, with the output lines shown
    under it (up to the next command or the block's end)."""
    commands: list[tuple[str, list[str]]] = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            continue
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands and not line.startswith("$"):
            commands[-1][1].append(line)
    return commands


DOCUMENTS = [
    document
    for document in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted(ROOT.glob("docs/*.md"))]
    if shown_commands(document.read_text())
]


def test_the_documents_show_commands_to_run():
    assert len(shown_commands((ROOT / "README.md").read_text())) >= 10


def test_a_shown_command_is_found_with_its_output():
    text = "x\n```console\n$ examgen families\nactivation_identities  ...\n$ ls # exits 2\n```\n"
    assert shown_commands(text) == [
        ("examgen families", ["activation_identities  ..."]),
        ("ls # exits 2", []),
    ]


def scripts_folder() -> Path:
    folder = Path(sys.executable).parent
    if not (folder / "examgen").exists():
        if os.environ.get("EXAMGEN_REQUIRE_INSTALLED"):
            pytest.fail("the examgen console script is not installed beside this Python")
        pytest.skip("examgen is not installed as a console script (pip install .)")
    return folder


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.name for d in DOCUMENTS])
def test_every_command_a_document_shows_runs(document, tmp_path):
    commands = shown_commands(document.read_text())
    bash = shutil.which("bash")
    environment = {
        **os.environ,
        "PATH": f"{scripts_folder()}{os.pathsep}{os.environ.get('PATH', '')}",
        "EXAMGEN_PROGRESS": str(tmp_path / "drill.json"),
        "HOME": str(tmp_path),
    }
    for command, shown in commands:
        result = subprocess.run(
            [bash, "-c", command],
            cwd=tmp_path,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )
        wanted = EXPECTED_EXIT.search(command)
        code = int(wanted[1]) if wanted else 0
        where = f"{document.name}: $ {command}"
        assert result.returncode == code, f"{where}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, f"{where}\n{result.stderr}"
        first = next((line for line in shown if line.strip() and line.strip() != "..."), None)
        if first is not None:
            got = (result.stdout + result.stderr).splitlines()
            assert got and got[0].rstrip() == first.rstrip(), f"{where}\n{got[:3]}"
