# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_workdir, lt_log_dir, lt_log_name, lt_app: set by the caller
# Starts Jupyter detached (setsid + nohup, output to a private log) on a port picked free
# on the server, listening on the server's 127.0.0.1 only. Jupyter makes its own token:
# none is ever on a command line.
cd "$lt_workdir" 2>/dev/null || { echo "@@LT:WORKDIR-MISSING"; exit 5; }
[ -n "$PY" ] || { echo "@@LT:NO-PYTHON"; exit 6; }
lt_log="$lt_log_dir/$lt_log_name"
# the log is private (it shows the token); Jupyter keeps the user's umask for notebooks
(umask 077 && mkdir -p "$lt_log_dir" && : >"$lt_log" && chmod 600 "$lt_log") \
  || { echo "@@LT:LAUNCH-FAILED log"; exit 7; }
lt_port=$("$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()") \
  || { echo "@@LT:LAUNCH-FAILED port"; exit 7; }
set -- "$@" "$lt_app" --no-browser --ip=127.0.0.1 --port="$lt_port" --port-retries=0
[ "$(id -u)" = 0 ] && set -- "$@" --allow-root
if command -v setsid >/dev/null 2>&1; then set -- setsid nohup "$@"; else set -- nohup "$@"; fi
"$@" >"$lt_log" 2>&1 </dev/null &
echo "@@LT:STARTED $! $lt_port"
echo "@@LT:LOG $lt_log"
