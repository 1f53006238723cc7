# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_job, lt_base, lt_nonce: set by the caller
# On the login node: the state of one LabTunnel job (STATE, squeue's view), and once it
# is over also what accounting says (SACCT, where the cluster keeps it) and its log's end.
SLURM_TIME_FORMAT=%s
export SLURM_TIME_FORMAT
lt_state=
if lt_out=$(squeue -h -j "$lt_job" -t all -o '%T|%r|%S|%N|%b|%l|%L' 2>&1); then
  lt_state=$lt_out
  [ -n "$lt_state" ] && echo "${lt_m}STATE $lt_state"
else
  case $lt_out in
    *"nvalid job id"*) ;;
    *) echo "${lt_m}UNKNOWN $lt_out"; exit 0;;
  esac
fi
case $lt_state in
  PENDING*|RUNNING*|CONFIGURING*|SUSPENDED*|REQUEUED*|RESIZING*) exit 0;;
esac
# over: its Jupyter files (the runtime file and config hold the token) go; the log stays
rm -rf "$lt_base/job-$lt_nonce"
if command -v sacct >/dev/null 2>&1; then
  lt_acct=$(sacct -j "$lt_job" -X -n -P -o State,Reason 2>/dev/null | head -n 1)
  [ -n "$lt_acct" ] && echo "${lt_m}SACCT $lt_acct"
fi
echo "${lt_m}LOG"
# each line quoted: the job's own markers in its log must not pass for ours
tail -n 40 "$lt_base/job-$lt_nonce.log" 2>/dev/null | sed 's/^/| /'
exit 0
