#!/usr/bin/env bash
# Stop the daemons start-single-node.sh started (slurmd, slurmctld, munged), by the process ids it
# recorded in /run/pactsim-slurm/started, and nothing else: a daemon it found already running is
# left alone, and so is a pid now used by another program. Waits (at most 10 s each) until they
# have exited. Packages and configuration files stay; start-single-node.sh starts them again.
set -euo pipefail

STATE=/run/pactsim-slurm/started

say() { echo "stop-single-node: $*"; }

if [[ ! -s $STATE ]]; then
  say "nothing to stop ($STATE lists no daemon started by start-single-node.sh)"
  exit 0
fi
# The last started first: slurmd, slurmctld, then munged (slurm needs munge to say goodbye).
tac "$STATE" | while read -r name pid; do
  if [[ ! $pid =~ ^[0-9]+$ ]] || [[ ! -r /proc/$pid/comm ]] || [[ $(cat "/proc/$pid/comm") != "$name" ]]; then
    say "$name (pid $pid) is no longer running"
    continue
  fi
  kill "$pid"
  for _ in $(seq 100); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
  if [[ -d /proc/$pid ]]; then
    say "$name (pid $pid) did not exit within 10 s of SIGTERM: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  else
    say "stopped $name (pid $pid)"
  fi
done
rm -f "$STATE"
