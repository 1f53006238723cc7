# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_base, lt_nonce, lt_workdir, lt_app, lt_*_py: set by the caller
# The body of LabTunnel's batch job, on the compute node, after the environment prologue
# (which found Jupyter: JUP, PY, "$@"). Jupyter listens on the node's cluster address with
# a token always set. The token is made here and written only to 0600 files in the user's
# home (a config file for Jupyter, then Jupyter's own runtime file, which LabTunnel reads
# back on the login node): never on a command line, never in an environment.
lt_dir="$lt_base/job-$lt_nonce"
lt_log="$lt_dir.log"
(umask 077 && mkdir -p "$lt_dir/runtime") || { echo "${lt_m}LAUNCH-FAILED dir"; exit 7; }
cd "$lt_workdir" 2>/dev/null || { echo "${lt_m}WORKDIR-MISSING"; exit 5; }
[ -n "$PY" ] || { echo "${lt_m}NO-PYTHON"; exit 6; }
lt_pick_app
lt_addr=$("$PY" -c "$lt_address_py" "${SLURMD_NODENAME:-}") \
  || { echo "${lt_m}LAUNCH-FAILED address"; exit 7; }
(umask 077 && "$PY" -c "$lt_config_py" "$lt_dir/labtunnel_config.py") \
  || { echo "${lt_m}LAUNCH-FAILED config"; exit 7; }
JUPYTER_RUNTIME_DIR="$lt_dir/runtime"
export JUPYTER_RUNTIME_DIR
lt_run() {
  if [ "$(id -u)" = 0 ]; then "$@" --allow-root </dev/null; else "$@" </dev/null; fi
}
lt_try=0
while :; do
  lt_try=$((lt_try + 1))
  lt_port=$("$PY" -c "$lt_port_py" "$lt_addr") || { echo "${lt_m}LAUNCH-FAILED port"; exit 7; }
  printf 'job=%s\nnode=%s\naddress=%s\nport=%s\ngpus=%s\n' "$SLURM_JOB_ID" "$(hostname)" \
    "$lt_addr" "$lt_port" "${CUDA_VISIBLE_DEVICES:-}" >"$lt_dir/info.tmp" \
    && mv "$lt_dir/info.tmp" "$lt_dir/info"
  echo "${lt_m}JUPYTER $lt_addr $lt_port"
  lt_mark=$(wc -c <"$lt_log" 2>/dev/null) || lt_mark=0
  lt_run "$@" "$lt_app" --no-browser --ip="$lt_addr" --port="$lt_port" --port-retries=0 \
    --config="$lt_dir/labtunnel_config.py"
  lt_status=$?
  echo "${lt_m}JUPYTER-EXITED $lt_status"
  # another process took the port between our pick and Jupyter's bind: pick another
  if [ "$lt_status" != 0 ] && [ "$lt_try" -lt 3 ] && tail -c +"$((lt_mark + 1))" "$lt_log" \
      2>/dev/null | grep -q 'is not available\|already in use'; then
    continue
  fi
  exit "$lt_status"
done
