# shellcheck shell=sh
# Jupyter is whatever `jupyter` the login shell finds.
JUP=$(command -v jupyter 2>/dev/null) || JUP=
# an alias or shell function is no file we can start detached
case $JUP in /*) ;; *) lt_notfound not_on_path;; esac
