# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m, lt_pid, lt_rest_ticks, lt_term_ticks, lt_http: set before
# After the REST shutdown (http_call.sh): wait for the process (only if Jupyter accepted
# the request), then SIGTERM, then SIGKILL; never signal a pid that is not Jupyter's
# (a stale runtime file whose pid was reused by another process of the user).
lt_gone() {
  lt_i=0
  while lt_running "$lt_pid"; do
    [ "$lt_i" -lt "$1" ] || return 1
    sleep 0.2
    lt_i=$((lt_i + 1))
  done
}
case $lt_http in "HTTP 2"*) lt_rest=$lt_rest_ticks;; *) lt_rest=0;; esac
if lt_gone "$lt_rest"; then echo "${lt_m}GONE rest"; exit 0; fi
if [ -r "/proc/$lt_pid/cmdline" ] && ! tr '\0' ' ' <"/proc/$lt_pid/cmdline" | grep -q jupyter; then
  echo "${lt_m}NOT-JUPYTER"
  exit 0
fi
kill -TERM "$lt_pid" 2>/dev/null
if lt_gone "$lt_term_ticks"; then echo "${lt_m}GONE term"; exit 0; fi
kill -KILL "$lt_pid" 2>/dev/null
if lt_gone 10; then echo "${lt_m}GONE kill"; exit 0; fi
echo "${lt_m}ALIVE"
