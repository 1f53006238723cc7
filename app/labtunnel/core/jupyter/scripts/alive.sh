# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m and lt_pid (empty: pid unknown) are set by the caller
# Before http_call.sh: a server whose process is gone is reported dead without asking it.
if [ -n "$lt_pid" ] && ! lt_running "$lt_pid"; then echo "${lt_m}DEAD"; exit 0; fi
