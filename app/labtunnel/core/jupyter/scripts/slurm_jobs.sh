# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m (this run's marker) is set by run_script
# On the login node: this user's LabTunnel jobs still in the queue or running (JOB lines:
# id|name|comment|state|reason|start|node|gres|limit|left|partition).
lt_need_slurm squeue
SLURM_TIME_FORMAT=%s
export SLURM_TIME_FORMAT
if ! lt_out=$(squeue -h -u "$(id -un)" -o '%i|%j|%k|%T|%r|%S|%N|%b|%l|%L|%P' 2>&1); then
  lt_slurm_missing "$lt_out"
  echo "${lt_m}SQUEUE-FAILED"
  printf '%s\n' "$lt_out"
  exit 0
fi
echo "${lt_m}JOBS"
printf '%s\n' "$lt_out" | while IFS= read -r lt_line; do
  case $lt_line in *"|labtunnel:"*) echo "${lt_m}JOB $lt_line";; esac
done
