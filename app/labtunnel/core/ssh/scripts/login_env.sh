# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m (this run's marker) is set by the caller
# Every script starts here. It takes on the environment the user's own terminal has: it
# runs their login shell ($SHELL) interactive and login, as a terminal login does (so
# PATH set in ~/.zshrc, ~/.zprofile, ~/.zshenv, by `conda init` after ~/.bashrc's "not
# interactive" guard, in config.fish... counts), and imports what that shell exports.
# What the startup files print is thrown away; a dump framed by this run's marker is all
# that is read. Falls back to a plain login shell when the interactive one fails, and
# reports how it went: "<marker>SHELL terminal|login|none <shell>".
lt_login_env() {
  lt_shell=${SHELL:-}
  case $lt_shell in /*) ;; *) lt_shell=/bin/sh;; esac
  [ -x "$lt_shell" ] || lt_shell=/bin/sh
  lt_limit=
  if command -v timeout >/dev/null 2>&1; then lt_limit="timeout 15"; fi
  case ${lt_shell##*/} in
    # tcsh takes -l only as its sole option; its PATH lives in ~/.tcshrc (read anyway)
    csh|tcsh) set -- "terminal:-c";;
    *) set -- "terminal:-i -l -c" "login:-l -c";;
  esac
  for lt_try in "$@"; do
    # shellcheck disable=SC2086  # lt_limit and the options are lists of words
    lt_dump=$($lt_limit "$lt_shell" ${lt_try#*:} 'exec /bin/sh -s' 2>/dev/null <<LT_DUMPER
echo "${lt_m}ENV-BEGIN"
awk -v q="'" 'BEGIN {
  for (k in ENVIRON) {
    if (k !~ /^[A-Za-z_][A-Za-z0-9_]*\$/ || k ~ /^(PWD|OLDPWD|SHLVL|_)\$/) continue
    v = ENVIRON[k]
    gsub(q, q "\"" q "\"" q, v)
    print "export " k "=" q v q
  }
}'
echo "${lt_m}ENV-END"
LT_DUMPER
)
    lt_status=$?
    case $lt_dump in
      *"${lt_m}ENV-BEGIN"*"${lt_m}ENV-END"*)
        lt_dump=${lt_dump#*"${lt_m}ENV-BEGIN"}
        lt_dump=${lt_dump%"${lt_m}ENV-END"*}
        # only a dump that is nothing but exports (a background job of a startup file
        # could have printed into it)
        if (eval "$lt_dump") >/dev/null 2>&1; then
          eval "$lt_dump"
          echo "${lt_m}SHELL ${lt_try%%:*} $lt_shell"
          unset lt_dump
          return 0
        fi;;
    esac
    # a shell that hung once would hang again
    [ "$lt_status" = 124 ] && break
  done
  unset lt_dump
  echo "${lt_m}SHELL none $lt_shell"
  return 1
}
lt_login_env
