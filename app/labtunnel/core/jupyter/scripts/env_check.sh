# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m is set by the caller
# After the env_* script: is the Jupyter about to run outside the user's home in a place
# someone else can change (a folder others can write to, or one another user owns, on the
# way to it or to what it links to)? Then anyone with that access decides what runs as
# this user: report "<marker>UNSAFE <path>" (LabTunnel warns; it does not refuse).
lt_check_unsafe() {
  lt_real=$(readlink -f -- "$1" 2>/dev/null) || lt_real=
  set --
  for lt_q in "$JUP" "$lt_real"; do
    case $lt_q in /*) ;; *) continue;; esac
    case $lt_q/ in "$HOME"/*) continue;; esac
    while [ -n "$lt_q" ]; do
      set -- "$@" "$lt_q"
      lt_q=${lt_q%/*}
    done
    set -- "$@" /
  done
  [ "$#" -gt 0 ] || return 0
  # owned by neither the user nor root; or writable by group or others (not a symlink,
  # whose mode means nothing, and not a sticky folder such as /tmp)
  lt_bad=$(find "$@" -prune \( \( ! -user "$(id -u)" ! -user 0 \) -o \( ! -type l \
    \( -perm -0020 -o -perm -0002 \) ! -perm -1000 \) \) -print 2>/dev/null | head -n 1)
  if [ -n "$lt_bad" ]; then echo "${lt_m}UNSAFE $lt_bad"; fi
}
lt_check_unsafe "$JUP"
