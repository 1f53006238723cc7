# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m and lt_watch_pid are set by the caller
# Is the Jupyter being waited on still running?
if lt_running "$lt_watch_pid"; then echo "${lt_m}WATCH alive"; else echo "${lt_m}WATCH dead"; fi
