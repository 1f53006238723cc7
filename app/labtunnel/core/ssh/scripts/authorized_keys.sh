# shellcheck shell=sh
# shellcheck disable=SC2154  # lt_m, lt_action, lt_b64, lt_line, lt_tag, lt_created_*, lt_undo_newline
# are set by the caller
# Adds one public key to ~/.ssh/authorized_keys (lt_action=install) or removes the lines
# LabTunnel added for it (lt_action=remove), keeping every other line as it is. The file
# is rewritten through a temporary file in the same folder and renamed over it, so sshd
# (and the user) see the old file or the new one, never half of one. Reports, one per
# line, each starting with the marker lt_m:
#   MODE <ls -ldn mode> <uid> <path>     home, ~/.ssh and the file, as they were
#   UID <uid>                            whose home this is
#   PRESENT | ADDED <created dir 0|1> <created file 0|1> <added a newline 0|1> | REMOVED <lines>
#   FAIL <what> <path>, then ERR <the system's message>
LC_ALL=C
export LC_ALL
umask 077
lt_say() { printf '%s%s\n' "$lt_m" "$*"; }
lt_fail() { lt_say "FAIL $1 $2"; lt_say "ERR $(printf '%s' "$3" | tail -n 1)"; }

lt_home=${HOME:-}
if [ -z "$lt_home" ] || [ ! -d "$lt_home" ]; then
  lt_say "FAIL no_home -"
  exit 0
fi
lt_dir=$lt_home/.ssh
lt_file=$lt_dir/authorized_keys
lt_tmp=$lt_dir/.authorized_keys.labtunnel.$$
lt_say "UID $(id -u)"
for lt_p in "$lt_home" "$lt_dir" "$lt_file"; do
  if [ -e "$lt_p" ] || [ -L "$lt_p" ]; then
    # shellcheck disable=SC2012  # ls -ldn is the portable way to read a mode and owner
    lt_say "MODE $(ls -ldn -- "$lt_p" | awk '{print $1, $3}') $lt_p"
  fi
done
if [ -L "$lt_file" ]; then
  lt_say "FAIL symlink $lt_file"
  exit 0
fi

# lines of the file that carry our key (a field equal to its base64) and, with
# lt_tag set, a comment starting with it after the key
# shellcheck disable=SC2016  # an awk program: its $i are awk's
lt_awk_ours='
  { ours = 0
    if ($0 !~ /^[ \t]*#/) for (i = 1; i <= NF; i++) if ($i == b) {
      rest = ""; for (j = i + 1; j <= NF; j++) rest = rest (j > i + 1 ? " " : "") $j
      ours = (tag == "" || index(rest, tag) == 1); break
    }
  }'

lt_write() {
  # the new content from stdin into the temporary file, checked, then renamed over
  # 2>&1 first: a file that cannot be made is reported by the shell on that stderr
  if ! lt_err=$(cat 2>&1 >"$lt_tmp"); then
    rm -f -- "$lt_tmp"
    lt_fail write "$lt_file" "$lt_err"
    return 1
  fi
  if [ "$(($(wc -c <"$lt_tmp")))" -ne "$1" ]; then
    rm -f -- "$lt_tmp"
    lt_fail write "$lt_file" "the new file came out short (disk full?)"
    return 1
  fi
  chmod 600 -- "$lt_tmp"
  if ! lt_err=$(mv -f -- "$lt_tmp" "$lt_file" 2>&1); then
    rm -f -- "$lt_tmp"
    lt_fail rename "$lt_file" "$lt_err"
    return 1
  fi
}

lt_install() {
  lt_made_dir=0
  lt_made_file=0
  lt_newline=0
  if [ -f "$lt_file" ] && awk -v b="$lt_b64" -v tag="" "$lt_awk_ours"' ours { found = 1 }
      END { exit !found }' "$lt_file"; then
    lt_say PRESENT
    return
  fi
  if [ ! -d "$lt_dir" ]; then
    if ! lt_err=$(mkdir -m 700 -- "$lt_dir" 2>&1); then
      lt_fail mkdir "$lt_dir" "$lt_err"
      return
    fi
    lt_made_dir=1
  fi
  [ -e "$lt_file" ] || lt_made_file=1
  # a last line without its newline must not run into ours
  if [ -s "$lt_file" ] && [ "$(tail -c 1 -- "$lt_file" | wc -l)" -eq 0 ]; then
    lt_newline=1
  fi
  lt_new=$(
    if [ -f "$lt_file" ]; then cat -- "$lt_file"; fi
    if [ "$lt_newline" = 1 ]; then echo; fi
    printf '%s\n' "$lt_line"
    printf x
  )
  lt_new=${lt_new%x}
  lt_size=$(($(printf '%s' "$lt_new" | wc -c)))
  if printf '%s' "$lt_new" | lt_write "$lt_size"; then
    lt_say "ADDED $lt_made_dir $lt_made_file $lt_newline"
  elif [ "$lt_made_dir" = 1 ]; then
    rmdir -- "$lt_dir" 2>/dev/null
  fi
}

lt_remove() {
  if [ ! -f "$lt_file" ]; then
    lt_say "REMOVED 0"
    return
  fi
  lt_count=$(awk -v b="$lt_b64" -v tag="$lt_tag" "$lt_awk_ours"' ours { n++ }
      END { print n + 0 }' "$lt_file")
  if [ "$lt_count" -gt 0 ]; then
    lt_last_ours=$(tail -n 1 -- "$lt_file" | awk -v b="$lt_b64" -v tag="$lt_tag" \
      "$lt_awk_ours"' ours { print 1 }')
    lt_new=$(awk -v b="$lt_b64" -v tag="$lt_tag" "$lt_awk_ours"' !ours { print }' \
      "$lt_file"; printf x)
    lt_new=${lt_new%x}
    # undoing an install that put a newline after a last line without one: take it off
    if [ "${lt_undo_newline:-0}" = 1 ] && [ "$lt_last_ours" = 1 ]; then
      lt_new=${lt_new%"
"}
    fi
    lt_size=$(($(printf '%s' "$lt_new" | wc -c)))
    printf '%s' "$lt_new" | lt_write "$lt_size" || return
  fi
  # undoing an install that just failed: leave no file or folder that was not there
  if [ "${lt_created_file:-0}" = 1 ] && [ ! -s "$lt_file" ]; then rm -f -- "$lt_file"; fi
  if [ "${lt_created_dir:-0}" = 1 ]; then rmdir -- "$lt_dir" 2>/dev/null; fi
  lt_say "REMOVED $lt_count"
}

case $lt_action in
  install) lt_install;;
  remove) lt_remove;;
  *) lt_say "FAIL action $lt_action";;
esac
