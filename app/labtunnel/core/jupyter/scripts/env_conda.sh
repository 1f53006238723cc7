# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_envname and lt_activate are set by the caller
# Jupyter in the conda environment named $lt_envname. With lt_activate=1 the environment
# is activated (PATH, conda's activation scripts) for Jupyter and its kernels; listing
# only needs the path of its jupyter and skips conda's slow activation when the env is
# where conda keeps envs by default.
lt_conda=
for lt_c in "${CONDA_EXE:-}" "$(command -v conda 2>/dev/null)" \
    "$HOME"/miniconda3/bin/conda "$HOME"/anaconda3/bin/conda "$HOME"/miniforge3/bin/conda \
    "$HOME"/mambaforge/bin/conda /opt/conda/bin/conda /opt/miniconda3/bin/conda \
    /opt/anaconda3/bin/conda /opt/miniforge3/bin/conda; do
  case $lt_c in /*) if [ -x "$lt_c" ]; then lt_conda=$lt_c; break; fi;; esac
done
[ -n "$lt_conda" ] || lt_notfound conda_missing
lt_base=${lt_conda%/*}
lt_base=${lt_base%/*}
[ -f "$lt_base/etc/profile.d/conda.sh" ] || lt_base=$("$lt_conda" info --base 2>/dev/null)
lt_conda_activate() {
  # shellcheck disable=SC1091  # conda's own script, found at run time
  if [ -f "$lt_base/etc/profile.d/conda.sh" ] \
      && . "$lt_base/etc/profile.d/conda.sh" >/dev/null 2>&1 \
      && conda activate "$lt_envname" >/dev/null 2>&1 && [ -n "${CONDA_PREFIX:-}" ]; then
    lt_prefix=$CONDA_PREFIX
  else
    lt_notfound conda_env_missing
  fi
}
lt_prefix=
if [ "$lt_activate" = 1 ]; then
  lt_conda_activate
else
  if [ "$lt_envname" = base ]; then
    lt_prefix=$lt_base
  else
    for lt_d in "$lt_base/envs/$lt_envname" "$HOME/.conda/envs/$lt_envname"; do
      if [ -d "$lt_d" ]; then lt_prefix=$lt_d; break; fi
    done
  fi
  [ -n "$lt_prefix" ] || lt_conda_activate
fi
JUP="$lt_prefix/bin/jupyter"
[ -x "$JUP" ] || lt_notfound env_has_no_jupyter
