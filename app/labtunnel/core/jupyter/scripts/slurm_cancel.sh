# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_job, lt_base, lt_nonce: set by the caller (lt_nonce may be empty)
# On the login node: cancel one of this user's jobs (scancel refuses other users' jobs);
# its Jupyter files (the runtime file and config hold the token) go with it, the log stays.
if lt_out=$(scancel --user="$(id -un)" "$lt_job" 2>&1); then
  echo "${lt_m}CANCELLED"
  [ -n "$lt_nonce" ] && rm -rf "$lt_base/job-$lt_nonce"
else
  echo "${lt_m}CANCEL-FAILED"
  printf '%s\n' "$lt_out"
fi
