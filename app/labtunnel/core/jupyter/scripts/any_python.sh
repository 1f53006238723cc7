# shellcheck shell=sh
# After functions.sh, for scripts that need no Jupyter environment: PY is any python3
# (or python) on PATH.
lt_find_py "$(command -v python3 2>/dev/null)" "$(command -v python 2>/dev/null)"
