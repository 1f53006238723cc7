# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m, LT_TOKEN and the lt_http_* values: set by the caller
# One HTTP request to Jupyter, made on the server: prints "<marker>HTTP <status>". The token
# reaches the python helper on stdin, never in argv (`ps` on a shared server shows argv).
lt_http=NOPY
if [ -n "$PY" ]; then
  lt_http=$(printf '%s' "$LT_TOKEN" | "$PY" -c "$lt_http_snippet" \
    "$lt_http_host" "$lt_http_port" "$lt_http_path" "$lt_http_scheme" "$lt_http_method")
fi
echo "${lt_m}$lt_http"
