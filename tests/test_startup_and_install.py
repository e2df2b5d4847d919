"""Start-up stays light, and the installed console scripts work end to end."""

import json
import os
import shutil
import subprocess
import sys

import pytest


def test_help_does_not_import_sympy_numpy_or_jinja():
    code = (
        "import sys\n"
        "from generator.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sympy', 'numpy', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_grading_imports_no_numpy_sympy_or_jinja():
    code = (
        "import sys\n"
        "import generator.cli, generator.grading.scoring, generator.exam.manifest\n"
        "import generator.grading.submission\n"
        "print(sorted(m for m in ('sympy', 'numpy', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_grading_one_submission_imports_no_numpy_sympy_or_jinja(run, tmp_path):
    run("generate", "--variants", "1", "--seed", "light")
    (exam,) = (tmp_path / "output").iterdir()
    submission = exam / "students" / "v001" / "submission.json"
    code = (
        "import sys\n"
        "from generator.cli import grade_main\n"
        f"try:\n    grade_main([{str(submission)!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sympy', 'numpy', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "Total: 0 / 100" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_grading_a_class_with_feedback_imports_no_numpy_sympy_or_jinja(run, tmp_path):
    """Feedback pages are filled from the shards, never rendered: a class's grading, in one
    process here as in each worker, imports no template engine or maths library."""
    run("generate", "--variants", "2", "--seed", "light")
    (exam,) = (tmp_path / "output").iterdir()
    code = (
        "import sys\n"
        "from generator.cli import grade_main\n"
        f"try:\n    grade_main([{str(exam / 'students')!r}, '--workers', '1'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sympy', 'numpy', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "Graded 2 submissions" in out.stdout
    assert (tmp_path / "grades" / "feedback" / "v001.html").is_file()
    assert out.stdout.strip().splitlines()[-1] == "[]"


def installed(name):
    path = shutil.which(name)
    if path is None:
        if os.environ.get("EXAMGEN_REQUIRE_INSTALLED"):
            pytest.fail(f"console script {name!r} is not installed")
        pytest.skip(f"console script {name!r} is not installed (pip install .)")
    return path


def test_installed_console_scripts_generate_and_grade_from_any_directory(tmp_path):
    examgen, grade = installed("examgen"), installed("grade")
    env = {**os.environ, "PYTHONPATH": ""}  # use the installed package, not the checkout

    def call(*args):
        return subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, env=env)

    result = call(examgen, "generate", "--variants", "2", "--seed", "e2e")
    assert result.returncode == 0, result.stderr
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    submission = json.loads((exam / "students" / "v001" / "submission.json").read_text())
    for question in key["variants"][0]["questions"]:
        for part in question["parts"]:
            submission["answers"][question["id"]][part["id"]] = part["key"]
    (tmp_path / "filled.json").write_text(json.dumps(submission))
    result = call(grade, "filled.json")
    assert result.returncode == 0, result.stderr
    assert "(100.0%)" in result.stdout
    result = call(
        examgen,
        "solve",
        "conv_params",
        "-g",
        "in_channels=1",
        "-g",
        "out_channels=10",
        "-g",
        "kernel=5",
        "--json",
    )
    assert json.loads(result.stdout) == {"weights": 250, "biases": 10, "params": 260}
    result = call(grade, "missing.json")
    assert result.returncode == 2 and result.stderr.strip() == "error: missing.json: no such file"


def test_every_template_file_is_in_the_package_data():
    """A file under templates/ that pyproject's package-data misses works from the checkout
    and is absent from an installed examgen (the default exam's question file once was)."""
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).parent.parent
    globs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["templates"]
    templates = root / "templates"
    missing = [
        path.relative_to(templates).as_posix()
        for path in templates.rglob("*")
        if path.is_file()
        and path.suffix not in (".py", ".pyc")
        and "__pycache__" not in path.parts
        and not any(fnmatch.fnmatch(path.relative_to(templates).as_posix(), g) for g in globs)
    ]
    assert not missing, missing
