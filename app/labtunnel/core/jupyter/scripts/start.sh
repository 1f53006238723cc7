# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m, lt_workdir, lt_log_dir, lt_log_name, lt_app, lt_sock,
# lt_cuda_set, lt_cuda: set by the caller
# Starts Jupyter detached (setsid + nohup, output to a private log) on the Unix socket
# lt_sock, or (lt_sock empty) on a port picked free on the server's 127.0.0.1 only.
# Jupyter makes its own token: none is ever on a command line. lt_app "auto" takes
# JupyterLab when the environment has it, else the Notebook app.
cd "$lt_workdir" 2>/dev/null || { echo "${lt_m}WORKDIR-MISSING"; exit 5; }
[ -n "$PY" ] || { echo "${lt_m}NO-PYTHON"; exit 6; }
lt_pick_app
echo "${lt_m}APP $lt_app"
# The log is private (it shows the token), in a folder that is the user's own and 0700,
# and never written through a symlink: an old log is removed and a new one made with
# O_EXCL (noclobber). Jupyter itself keeps the user's umask for notebooks.
if [ -L "$lt_log_dir" ]; then echo "${lt_m}LOG-DIR-UNSAFE $lt_log_dir"; exit 7; fi
(umask 077 && mkdir -p "$lt_log_dir") || { echo "${lt_m}LAUNCH-FAILED log"; exit 7; }
if [ -L "$lt_log_dir" ] || [ ! -d "$lt_log_dir" ] || [ ! -O "$lt_log_dir" ]; then
  echo "${lt_m}LOG-DIR-UNSAFE $lt_log_dir"
  exit 7
fi
lt_log="$lt_log_dir/$lt_log_name"
(chmod 700 "$lt_log_dir" && rm -f "$lt_log" && umask 077 && set -C && : >"$lt_log") \
  || { echo "${lt_m}LAUNCH-FAILED log"; exit 7; }
if [ -n "$lt_sock" ]; then
  # a private Unix socket (its folder is 0700, Jupyter makes it 0600); --ip keeps a
  # Jupyter too old for --sock, which ignores it, on 127.0.0.1 (LabTunnel then stops it)
  lt_port=0
  set -- "$@" "$lt_app" --no-browser --sock="$lt_sock" --ip=127.0.0.1 --port-retries=0
else
  lt_port=$("$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()") \
    || { echo "${lt_m}LAUNCH-FAILED port"; exit 7; }
  set -- "$@" "$lt_app" --no-browser --ip=127.0.0.1 --port="$lt_port" --port-retries=0
fi
# the GPUs picked for it (kernels inherit them); unset: as the login shell has it
if [ "$lt_cuda_set" = 1 ]; then
  CUDA_VISIBLE_DEVICES=$lt_cuda
  export CUDA_VISIBLE_DEVICES
fi
[ "$(id -u)" = 0 ] && set -- "$@" --allow-root
if command -v setsid >/dev/null 2>&1; then set -- setsid nohup "$@"; else set -- nohup "$@"; fi
"$@" >>"$lt_log" 2>&1 </dev/null &
echo "${lt_m}STARTED $! $lt_port"
echo "${lt_m}LOG $lt_log"
