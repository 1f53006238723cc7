# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_watch_pid is set by the caller
# Is the Jupyter being waited on still running?
if lt_running "$lt_watch_pid"; then echo "@@LT:WATCH alive"; else echo "@@LT:WATCH dead"; fi
