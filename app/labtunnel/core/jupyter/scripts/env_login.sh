# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m and lt_activate are set by the caller
# Jupyter is whatever `jupyter` the user's terminal finds (login_env.sh took on its
# environment), else one in the places conda-style installs go (the base environment's,
# or the only environment there that has one), else NOTFOUND.
JUP=$(command -v jupyter 2>/dev/null) || JUP=
case $JUP in
  /*) ;;
  *)
    # an alias or shell function is no file we can start detached
    JUP=
    for lt_root in "$HOME/miniconda3" "$HOME/anaconda3" "$HOME/miniforge3" \
        "$HOME/mambaforge" /opt/conda; do
      if [ -x "$lt_root/bin/jupyter" ]; then
        JUP=$lt_root/bin/jupyter
        break
      fi
    done
    if [ -z "$JUP" ]; then
      lt_n=0
      for lt_c in "$HOME"/miniconda3/envs/*/bin/jupyter "$HOME"/anaconda3/envs/*/bin/jupyter \
          "$HOME"/miniforge3/envs/*/bin/jupyter "$HOME"/mambaforge/envs/*/bin/jupyter \
          /opt/conda/envs/*/bin/jupyter "$HOME"/.conda/envs/*/bin/jupyter; do
        if [ -x "$lt_c" ]; then
          lt_n=$((lt_n + 1))
          JUP=$lt_c
        fi
      done
      # several: which one is the user's to say (the "not found" report lists them)
      [ "$lt_n" = 1 ] || lt_notfound not_on_path
    fi
    lt_prefix=${JUP%/bin/jupyter}
    echo "${lt_m}KNOWN-PLACE $lt_prefix"
    if [ "$lt_activate" = 1 ]; then
      lt_root=${lt_prefix%/envs/*}
      # conda's own activation when it is a conda install, else its bin on PATH
      # shellcheck disable=SC1091  # conda's own script, found at run time
      if ! { [ -f "$lt_root/etc/profile.d/conda.sh" ] \
          && . "$lt_root/etc/profile.d/conda.sh" >/dev/null 2>&1 \
          && conda activate "$lt_prefix" >/dev/null 2>&1; }; then
        PATH="$lt_prefix/bin:$PATH"
        export PATH
      fi
    fi;;
esac
