# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_pid is set by the caller (empty: pid unknown)
# Before http_call.sh: a server whose process is gone is reported dead without asking it.
if [ -n "$lt_pid" ] && ! lt_running "$lt_pid"; then echo "@@LT:DEAD"; exit 0; fi
