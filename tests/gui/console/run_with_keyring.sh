#!/bin/sh
# Runs a test program inside its own D-Bus session with a real Secret Service
# (gnome-keyring-daemon, login keyring created and unlocked) and a fresh HOME, then removes it.
#   run_with_keyring.sh PROGRAM [ARGS...]
set -eu
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "run_with_keyring.sh: dbus-run-session or gnome-keyring-daemon missing; running without a keyring" >&2
  exec "$@"
fi
home=$(mktemp -d "${TMPDIR:-/tmp}/orch-keyring-XXXXXX")
trap 'rm -rf "$home"' EXIT
HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
  XDG_RUNTIME_DIR="$home/run" dbus-run-session -- sh -c '
    mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
    eval "$(printf %s orch-test-keyring | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
    export GNOME_KEYRING_CONTROL
    export ORCH_KEYRING_READY=1
    "$@"
    status=$?
    # The daemonized keyring outlives the session: end exactly the one started here (its
    # environment carries the unique HOME of this run).
    for proc in /proc/[0-9]*; do
      if [ "$(cat "$proc/comm" 2>/dev/null)" = gnome-keyring-d ] &&
         tr "\0" "\n" < "$proc/environ" 2>/dev/null | grep -qx "HOME=$HOME"; then
        kill "${proc#/proc/}" 2>/dev/null || true
      fi
    done
    exit $status
  ' sh "$@"
