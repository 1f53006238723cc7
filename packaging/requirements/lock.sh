#!/usr/bin/env bash
# Locks what the release bundles and the workflow's test jobs install, with hashes, for
# every platform at once (uv's universal resolution) on the Python the bundles use:
#
#   bash packaging/requirements/lock.sh        # needs uv (pip install uv)
#
# bundle.txt: pyproject.toml's dependencies + bundle.in (PyInstaller, Pillow)
# test.txt:   pyproject.toml's dependencies + its "test" extra
# The workflow installs them with `pip install --require-hashes`; tests/unit/test_lock_files.py
# checks that they still satisfy pyproject.toml.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON_VERSION=3.11
UV="${UV:-uv}"
cd "$ROOT"
common=(--universal --python-version "$PYTHON_VERSION" --generate-hashes --quiet
    --no-header --annotation-style line)
"$UV" pip compile "${common[@]}" pyproject.toml packaging/requirements/bundle.in \
    -o packaging/requirements/bundle.txt
"$UV" pip compile "${common[@]}" pyproject.toml --extra test \
    -o packaging/requirements/test.txt
