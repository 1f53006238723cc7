# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m (this run's marker) is set by run_script
# Helpers every Jupyter script starts with. lt_notfound reports why Jupyter was not
# found, with the PATH searched and the places where a jupyter does exist, and exits.
lt_notfound() {
  echo "${lt_m}NOTFOUND $1"
  echo "${lt_m}PATH $PATH"
  lt_n=0
  for lt_c in "$HOME"/.local/bin/jupyter "$HOME"/*/bin/jupyter "$HOME"/*/*/bin/jupyter \
      "$HOME"/*/envs/*/bin/jupyter "$HOME"/.[!.]*/bin/jupyter "$HOME"/.[!.]*/*/bin/jupyter \
      "$HOME"/.[!.]*/envs/*/bin/jupyter "$HOME"/.pyenv/versions/*/bin/jupyter \
      /opt/*/bin/jupyter /opt/*/*/bin/jupyter /opt/*/envs/*/bin/jupyter /usr/local/bin/jupyter \
      /usr/bin/jupyter; do
    if [ -x "$lt_c" ] && [ "$lt_n" -lt 12 ]; then
      echo "${lt_m}CANDIDATE $lt_c"
      lt_n=$((lt_n + 1))
    fi
  done
  exit 3
}
# Is process $1 running? A zombie (killed, but not yet reaped by its parent: where PID 1
# does not reap, a killed Jupyter stays one) is not.
lt_running() {
  kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/stat" ] || return 0
  lt_state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
  [ "$lt_state" != Z ]
}
# Sets PY to the first absolute, executable path among the arguments (or empty).
lt_find_py() {
  for lt_p in "$@"; do
    case $lt_p in /*) if [ -x "$lt_p" ]; then PY=$lt_p; return 0; fi;; esac
  done
  PY=
}
# shellcheck disable=SC2034  # PY is used by the scripts that follow
PY=
# Sets lt_app for "auto": JupyterLab when the environment has it, else the Notebook app.
lt_pick_app() {
  [ "$lt_app" = auto ] || return 0
  lt_app=lab
  if [ ! -x "${JUP%/*}/jupyter-lab" ] && ! command -v jupyter-lab >/dev/null 2>&1; then
    if [ -x "${JUP%/*}/jupyter-notebook" ] || command -v jupyter-notebook >/dev/null 2>&1; then
      lt_app=notebook
    fi
  fi
}
