# shellcheck shell=sh
# After env_login/conda/venv/executable: the positional parameters become the command
# that runs jupyter (no word splitting needed: a login profile may `exec zsh`), and PY a
# python for small helpers, preferably the one beside jupyter.
set -- "$JUP"
lt_find_py "${JUP%/*}/python3" "${JUP%/*}/python" \
  "$(command -v python3 2>/dev/null)" "$(command -v python 2>/dev/null)"
