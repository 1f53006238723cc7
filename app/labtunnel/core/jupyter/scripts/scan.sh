# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m (this run's marker) is set by run_script
# Lists the user's running servers from the runtime files `jupyter server list` reads
# (jpserver-PID.json; nbserver-PID.json for Notebook 6 and older), newest first,
# skipping those whose process is gone. Much faster than `jupyter server list --json`,
# which imports all of jupyter_server (2.5 s on the test machine); that and the notebook
# listings remain the fallback when `jupyter --runtime-dir` does not work.
# First the folder jupyter_core picks on Linux when nothing says otherwise: if a live
# server is there, no Python has to start on the server just to name the folder (about
# a third of a connect's time on the test server). Otherwise Jupyter itself says.
lt_rt=${JUPYTER_RUNTIME_DIR:-${JUPYTER_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/jupyter}/runtime}
lt_live=
for lt_f in "$lt_rt"/jpserver-*.json "$lt_rt"/nbserver-*.json; do
  lt_pid=${lt_f##*server-}
  lt_pid=${lt_pid%.json}
  case $lt_pid in ''|*[!0-9]*) continue;; esac
  if lt_running "$lt_pid"; then lt_live=1; break; fi
done
if [ -n "$lt_live" ] || { lt_rt=$("$@" --runtime-dir 2>/dev/null) && [ -n "$lt_rt" ]; }; then
  echo "${lt_m}RUNTIME $lt_rt"
  if [ -d "$lt_rt" ]; then
    # shellcheck disable=SC2012  # names are jpserver-<digits>.json: ls -t orders them
    ls -t "$lt_rt" 2>/dev/null | while IFS= read -r lt_f; do
      case $lt_f in jpserver-*.json|nbserver-*.json) ;; *) continue;; esac
      lt_pid=${lt_f#*server-}
      lt_pid=${lt_pid%.json}
      case $lt_pid in ''|*[!0-9]*) continue;; esac
      lt_running "$lt_pid" || continue
      echo "${lt_m}SERVER $lt_f"
      cat "$lt_rt/$lt_f"
      echo
    done
  fi
else
  echo "${lt_m}LEGACY"
  if lt_out=$("$@" server list --json 2>/dev/null); then
    echo "${lt_m}LIST server list --json"
  elif lt_out=$("$@" notebook list --json 2>/dev/null); then
    echo "${lt_m}LIST notebook list --json"
  elif lt_out=$("$@" notebook list 2>/dev/null); then
    echo "${lt_m}LIST notebook list"
  else
    echo "${lt_m}BROKEN"
    lt_out=$("$@" --version 2>&1 | tail -n 8)
  fi
  printf '%s\n' "$lt_out"
fi
