# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_base, lt_job, lt_nonce, lt_known, lt_ticks, lt_state_every
# On the login node, while a job waits or starts: returns as soon as Jupyter is up
# (READY: its connection file and Jupyter's runtime file), the job ended (ENDED, with the
# log's tail), or the queue state differs from lt_known (STATE); else after lt_ticks
# ticks of 0.2 s. The job's files are checked every tick, squeue (which costs slurmctld
# a request) only every lt_state_every ticks.
lt_dir="$lt_base/job-$lt_nonce"
SLURM_TIME_FORMAT=%s
export SLURM_TIME_FORMAT
lt_i=0
lt_state=$lt_known
while :; do
  for lt_f in "$lt_dir"/runtime/jpserver-*.json "$lt_dir"/runtime/nbserver-*.json; do
    if [ -f "$lt_f" ] && [ -f "$lt_dir/info" ]; then
      echo "${lt_m}READY"
      cat "$lt_dir/info"
      echo "${lt_m}SERVER ${lt_f##*/}"
      cat "$lt_f"
      echo
      exit 0
    fi
  done
  if [ $((lt_i % lt_state_every)) = 0 ]; then
    if ! lt_state=$(squeue -h -j "$lt_job" -t all -o '%T|%r|%S|%N|%b|%l|%L' 2>&1); then
      # a job slurmctld has forgotten is "invalid"; anything else is a passing failure
      case $lt_state in *"nvalid job id"*) lt_state=;; *) lt_state="UNKNOWN|$lt_state";; esac
    fi
    case $lt_state in
      ''|BOOT_FAIL*|CANCELLED*|COMPLETED*|COMPLETING*|DEADLINE*|FAILED*|NODE_FAIL*|OUT_OF_MEMORY*|PREEMPTED*|REVOKED*|SPECIAL_EXIT*|STOPPED*|TIMEOUT*)
        echo "${lt_m}ENDED $lt_state"
        # over: its Jupyter files (runtime file and config hold the token) go; the log stays
        case $lt_state in COMPLETING*) ;; *) rm -rf "$lt_dir";; esac
        echo "${lt_m}LOG"
        # each line quoted: the job's own markers in its log must not pass for ours
        tail -n 40 "$lt_dir.log" 2>/dev/null | sed 's/^/| /'
        exit 0;;
    esac
    # the time left (last field) changes every second: not a change worth returning for
    if [ "${lt_state%|*}" != "${lt_known%|*}" ]; then
      echo "${lt_m}STATE $lt_state"
      exit 0
    fi
  fi
  lt_i=$((lt_i + 1))
  if [ "$lt_i" -ge "$lt_ticks" ]; then
    echo "${lt_m}STATE $lt_state"
    exit 0
  fi
  sleep 0.2
done
