# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_env and lt_activate are set by the caller
# Jupyter given by the absolute path of its `jupyter` executable.
JUP=$lt_env
[ -x "$JUP" ] || lt_notfound not_executable
if [ "$lt_activate" = 1 ]; then
  PATH="${JUP%/*}:$PATH"
  export PATH
fi
