# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_base, lt_name, lt_tag, lt_nonce, lt_job_script: set by the caller
# On the login node: this user's LabTunnel job for the profile (pending or running) if
# there is one, else a new one, its script on sbatch's stdin. Under a lock, so two
# LabTunnels of the same user never submit twice.
lt_need_slurm sbatch squeue
(umask 077 && mkdir -p "$lt_base") || { echo "${lt_m}LAUNCH-FAILED dir"; exit 7; }
# what ended jobs left (their folder and log), after a month
find "$lt_base" -maxdepth 1 -name 'job-*' -mtime +30 -exec rm -rf {} + 2>/dev/null
if command -v flock >/dev/null 2>&1 && exec 9>"$lt_base/.submit.lock"; then
  flock -w 30 9 || true
fi
# a queue we cannot read could hide the job we look for: never submit blind
if ! lt_queue=$(squeue -h -u "$(id -un)" \
    -t PENDING,RUNNING,CONFIGURING,SUSPENDED,REQUEUED,RESIZING -o '%i|%j|%k' 2>&1); then
  lt_slurm_missing "$lt_queue"
  echo "${lt_m}SQUEUE-FAILED"
  printf '%s\n' "$lt_queue"
  exit 0
fi
# ours: made by LabTunnel (comment labtunnel:PROFILE:NONCE) for this profile, found by its
# id or, from another computer of the same user, by the job name
lt_found=$(printf '%s\n' "$lt_queue" | while IFS='|' read -r lt_id lt_jname lt_comment; do
  case $lt_comment in
    "labtunnel:$lt_tag:"*) echo "$lt_id $lt_comment"; break;;
    labtunnel:*) if [ "$lt_jname" = "$lt_name" ]; then echo "$lt_id $lt_comment"; break; fi;;
  esac
done)
if [ -n "$lt_found" ]; then
  echo "${lt_m}FOUND $lt_found"
  exit 0
fi
# the job's log: private, named after this submission (job ids restart when a cluster's
# state is wiped, so a name with one in it could be a stranger's leftover)
lt_log="$lt_base/job-$lt_nonce.log"
(umask 077 && : >"$lt_log") || { echo "${lt_m}LAUNCH-FAILED log"; exit 7; }
if lt_out=$(printf '%s\n' "$lt_job_script" \
    | sbatch --parsable --output="$lt_log" --open-mode=append 2>&1); then
  echo "${lt_m}SUBMITTED"
  printf '%s\n' "$lt_out"
else
  echo "${lt_m}SBATCH-FAILED"
  printf '%s\n' "$lt_out"
fi
