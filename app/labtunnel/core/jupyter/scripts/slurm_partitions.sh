# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m (this run's marker) is set by run_script
# On the login node: the partitions this user may submit to (PART lines:
# name|availability|time limit|nodes|gres; the default partition's name ends with "*").
lt_need_slurm sinfo
if ! lt_out=$(sinfo -h -o '%P|%a|%l|%D|%G' 2>&1); then
  lt_slurm_missing "$lt_out"
  echo "${lt_m}SINFO-FAILED"
  printf '%s\n' "$lt_out"
  exit 0
fi
echo "${lt_m}PARTITIONS"
printf '%s\n' "$lt_out" | while IFS= read -r lt_line; do
  echo "${lt_m}PART $lt_line"
done
