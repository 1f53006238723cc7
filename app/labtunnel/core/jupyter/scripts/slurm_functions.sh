# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m (this run's marker) is set by run_script
# Helpers the login-node Slurm scripts start with. A machine with Slurm's commands but no
# cluster behind them (no configuration to be found) counts as one without Slurm.
lt_need_slurm() {
  for lt_cmd in "$@"; do
    command -v "$lt_cmd" >/dev/null 2>&1 || { echo "${lt_m}NO-SLURM"; exit 0; }
  done
}
lt_slurm_missing() {
  case $1 in
    *"configuration source"*|*"Unable to process configuration file"*|*"slurm_conf_init"*)
      echo "${lt_m}NO-SLURM"
      exit 0;;
  esac
}
