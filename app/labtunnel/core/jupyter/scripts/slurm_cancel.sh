# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_job is set by the caller
# On the login node: cancel one of this user's jobs (scancel refuses other users' jobs).
if lt_out=$(scancel --user="$(id -un)" "$lt_job" 2>&1); then
  echo "@@LT:CANCELLED"
else
  echo "@@LT:CANCEL-FAILED"
  printf '%s\n' "$lt_out"
fi
