# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m, lt_sock_snippet and lt_probe_name: set by the caller
# After functions.sh and a PY: the private folder for Jupyter's Unix socket and a
# short-lived listener in it (sock_prepare.py says what it prints).
if [ -n "$PY" ]; then
  LT_M=$lt_m "$PY" -c "$lt_sock_snippet" "$lt_probe_name" </dev/null
else
  echo "${lt_m}SOCK-UNUSABLE no_python"
fi
