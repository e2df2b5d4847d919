"""Gradescope: an autograder zip (``instructor/gradescope-autograder.zip``) that grades the
``submission.json`` a student uploads to a Gradescope programming assignment.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once when it
builds the assignment's image and ``run_autograder`` for each upload (its autograder
specification, docs/gradescope.md). The zip holds::

    setup.sh                        a Python of at least 3.11 in a venv, the requirements, examgen
    run_autograder                  grading one upload: python -m generator.grading.autograder
    requirements.txt                examgen's dependencies, pinned to the versions exported with
    examgen-VERSION-py3-none-any.whl  the examgen that made the zip (``exports.wheel``)
    keys/index.json                 the exam, its [gradescope] settings and roster (no seed)
    keys/variants/ID.json           each variant's grading key (``grading.variant_key``)

The keys are what grading reads and nothing more: no seed, givens or worked steps. Both
scripts honour ``AUTOGRADER_ROOT`` (default ``/autograder``), so the zip can be tried in
any folder; ``setup.sh`` also honours ``EXAMGEN_PYTHON``, the interpreter to build its venv
with.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from collections.abc import Iterable
from typing import Any

from generator.exam.gradescope_settings import (
    AUTOGRADER_FAILED,
    AUTOGRADER_FORMAT,
    AUTOGRADER_INDEX,
    AUTOGRADER_VARIANTS,
    DEFAULTS,
)
from generator.exam.manifest import roster_entry
from generator.exports.wheel import (
    examgen_wheel,
    installed_requirements,
    installed_version,
    zip_bytes,
)
from generator.files.encoding import to_json

AUTOGRADER_ZIP = "instructor/gradescope-autograder.zip"
VENV = "examgen-venv"  # under the autograder's root, made by setup.sh


def autograder_zip(manifest: dict[str, Any], grading_keys: Iterable[dict[str, Any]]) -> bytes:
    """The autograder of the exam ``manifest``, grading against ``grading_keys`` (each
    variant's, ``grading.variant_key``)."""
    wheel, wheel_bytes = examgen_wheel()
    members = [
        ("setup.sh", SETUP.replace("{wheel}", wheel).encode()),
        ("run_autograder", RUN.encode()),
        ("requirements.txt", "".join(f"{pin}\n" for pin in pinned_requirements()).encode()),
        (wheel, wheel_bytes),
        (AUTOGRADER_INDEX, to_json(autograder_index(manifest), compact=True).encode()),
    ]
    members += [
        (f"{AUTOGRADER_VARIANTS}/{key['variant_id']}.json", to_json(key, compact=True).encode())
        for key in grading_keys
    ]
    return zip_bytes(members, executable=frozenset({"setup.sh", "run_autograder"}))


def autograder_index(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the autograder knows of the exam: its questions and points, how Gradescope is
    to show results, and who sat which variant, with the emails and sids the roster gave."""
    return {
        "format": AUTOGRADER_FORMAT,
        "examgen": installed_version(),
        "exam_id": manifest["exam_id"],
        "title": manifest["title"],
        "questions": [
            {name: q[name] for name in ("id", "title", "points")} for q in manifest["questions"]
        ],
        "dropped": manifest.get("dropped", []),
        "gradescope": manifest.get("gradescope") or DEFAULTS,
        "variants": [roster_entry(v) for v in manifest["variants"]],
    }


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def pinned_requirements() -> list[str]:
    """examgen's requirements and theirs, each pinned to the version installed here: the
    container grades with the libraries the instructor's examgen was tested with. A
    requirement under a marker (an extra, a platform) is left to pip."""
    pins: dict[str, str] = {}
    wanted = [r for r in installed_requirements() if ";" not in r]
    while wanted:
        found = _NAME.match(wanted.pop())
        if found is None:
            continue
        name = re.sub(r"[-_.]+", "-", found[0]).lower()
        if name in pins:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # not installed here (examgen runs without it): pip chooses
        pins[name] = f"{distribution.metadata['Name']}=={distribution.version}"
        wanted += [r for r in distribution.requires or [] if ";" not in r]
    return sorted(pins.values(), key=str.lower)


SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, building the assignment's image: a venv with examgen in it.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
source="$root/source"
python="${EXAMGEN_PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      python="$candidate"
      break
    fi
  done
fi
if [ -z "$python" ]; then
  # Gradescope's Ubuntu 22.04 image has Python 3.10; examgen needs 3.11
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11 python3.11-venv
  python=python3.11
fi
"$python" -m venv --clear "$root/VENV"
pip=("$root/VENV/bin/python" -m pip --disable-pip-version-check --no-input)
"${pip[@]}" install -r "$source/requirements.txt"
# examgen itself: the exact version that made this zip, from the wheel in it
"${pip[@]}" install --no-index --no-deps --force-reinstall "$source/{wheel}"
""".replace("VENV", VENV)

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each upload: examgen grades it into results/results.json, and
# says why in the results (never a failed run) when the upload cannot be graded.
root="${AUTOGRADER_ROOT:-/autograder}"
mkdir -p "$root/results"
rm -f "$root/results/results.json"
if ! "$root/VENV/bin/python" -P -m generator.grading.autograder "$root" ||
  [ ! -s "$root/results/results.json" ]; then
  # Python itself could not start (was setup.sh run?): the instructor sees why above
  printf '%s\\n' 'FALLBACK' >"$root/results/results.json"
fi
exit 0
""".replace("VENV", VENV).replace("FALLBACK", json.dumps(AUTOGRADER_FAILED))
