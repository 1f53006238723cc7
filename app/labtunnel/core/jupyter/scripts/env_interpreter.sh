# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_env and lt_activate are set by the caller
# Jupyter installed in a given python: run as `python -m jupyter`.
JUP=$lt_env
[ -x "$JUP" ] || lt_notfound not_executable
"$JUP" -c 'import jupyter_core' >/dev/null 2>&1 || lt_notfound env_has_no_jupyter
# shellcheck disable=SC2034  # PY is used by the scripts that follow
PY=$JUP
if [ "$lt_activate" = 1 ]; then
  PATH="${JUP%/*}:$PATH"
  export PATH
fi
set -- "$JUP" -m jupyter
