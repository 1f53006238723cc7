# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_env and lt_activate are set by the caller
# Jupyter in a directory with bin/jupyter (a venv, or a conda env given by its prefix).
[ -d "$lt_env" ] || lt_notfound env_missing
JUP="$lt_env/bin/jupyter"
[ -x "$JUP" ] || lt_notfound env_has_no_jupyter
if [ "$lt_activate" = 1 ]; then
  PATH="$lt_env/bin:$PATH"
  VIRTUAL_ENV=$lt_env
  export PATH VIRTUAL_ENV
fi
