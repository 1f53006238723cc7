# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m, LT_TOKEN, lt_api_* are set by the caller
# After functions.sh and a PY: the user's kernels and their processes (jupyter_api.py
# says what it prints). The token reaches python on stdin, never in argv.
if [ -n "$PY" ]; then
  # lt_api_args: words of letters, digits and dashes (kernel ids, a pid), split on purpose
  # shellcheck disable=SC2086
  printf '%s' "$LT_TOKEN" | LT_M=$lt_m "$PY" -c "$lt_api_snippet" "$lt_api_action" "$lt_api_target" \
    "$lt_api_base" "$lt_api_scheme" $lt_api_args
else
  echo "${lt_m}KERNELS-NOPY"
fi
