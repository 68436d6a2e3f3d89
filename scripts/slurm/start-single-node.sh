#!/usr/bin/env bash
# Start a single-node Slurm on this machine: munge, slurmctld and slurmd, as root, without
# systemd (a CI machine, a container, a workstation). For tests/slurm.rs and for trying the array
# scripts of this directory by hand; a real cluster needs none of this.
#
#   sudo scripts/slurm/start-single-node.sh      # then: sinfo; sbatch ...; scripts/slurm/stop-single-node.sh
#
# What it does, each step only when needed (it can be run again: it says what it found):
#   1. installs Debian's `slurm-wlm` and `munge` with apt-get when slurmctld, slurmd, sbatch or
#      munged is missing;
#   2. munge: creates /etc/munge/munge.key (1024 random bytes, owner munge, mode 400) when there is
#      none, its directories, and starts munged as the munge user; checks `munge -n | unmunge`;
#   3. writes /etc/slurm/slurm.conf and /etc/slurm/cgroup.conf for one node (this host's short
#      name, `nproc` CPUs, 90 % of its memory, one partition `pactsim`). A file it did not write
#      (without the first line below) is never changed: the script stops and says so;
#   4. starts slurmctld, then slurmd (or restarts the ones it started when 3. changed a file), and
#      waits (at most PACTSIM_SLURM_WAIT seconds, default 60) until `sinfo` shows the node idle;
#      prints sinfo.
# The daemons it starts are recorded (name and pid) in /run/pactsim-slurm/started, which
# stop-single-node.sh reads. If a Slurm configured otherwise already answers with a node up,
# nothing is done.
# Tested on Debian 12 (slurm-wlm 22.05) under gVisor, cgroup v1 and v2 mounted, no systemd.
set -euo pipefail

MARK="# Written by pactsim scripts/slurm/start-single-node.sh (a single-node Slurm for tests)."
STATE=/run/pactsim-slurm
WAIT=${PACTSIM_SLURM_WAIT:-60}
CONF=/etc/slurm

say() { echo "start-single-node: $*"; }
die() {
  echo "start-single-node: error: $*" >&2
  exit 1
}

# Is the daemon of this pid file running? (the pid's command name must match: pids are reused)
running() { # NAME PIDFILE
  local pid
  [[ -r $2 ]] || return 1
  pid=$(cat "$2" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/comm ]] && [[ $(cat "/proc/$pid/comm") == "$1" ]]
}

record() { # NAME PIDFILE
  mkdir -p "$STATE"
  echo "$1 $(cat "$2")" >>"$STATE/started"
  say "started $1 (pid $(cat "$2"))"
}

node_state() { timeout 10 sinfo -h -N -o '%T' 2>/dev/null | head -n 1; }
# The node takes jobs: idle, or already running some.
node_up() { [[ $(node_state || true) =~ ^(idle|mixed|allocated)$ ]]; }

[[ $(id -u) == 0 ]] || die "run me as root (sudo $0): I install packages and start daemons"

if command -v sinfo >/dev/null && node_up && [[ $(head -n 1 "$CONF/slurm.conf" 2>/dev/null) != "$MARK" ]]; then
  say "a Slurm not configured by this script already answers with a node up ($(node_state)): using it as it is"
  sinfo
  exit 0
fi

# 1. Packages.
export PATH=$PATH:/usr/sbin
missing=()
for tool in slurmctld slurmd sbatch munged; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  command -v apt-get >/dev/null || die "${missing[*]} missing and no apt-get: install Slurm (slurmctld, slurmd, the client) and munge with this system's package manager"
  say "installing slurm-wlm and munge (missing: ${missing[*]})"
  t0=$SECONDS
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
  say "installed in $((SECONDS - t0)) s: $(dpkg-query -W -f '${Package} ${Version}\n' slurm-wlm munge | paste -sd ';' - | sed 's/;/, /g')"
else
  say "slurm-wlm and munge are installed"
fi

# 2. munge.
for d in /etc/munge /var/log/munge /run/munge /var/lib/munge; do
  mkdir -p "$d"
  chown munge:munge "$d"
done
chmod 700 /etc/munge /var/log/munge /var/lib/munge
chmod 755 /run/munge
if [[ ! -s /etc/munge/munge.key ]]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  say "created /etc/munge/munge.key"
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
if running munged /run/munge/munged.pid; then
  say "munged is running (pid $(cat /run/munge/munged.pid))"
else
  runuser -u munge -- munged
  for _ in $(seq 50); do running munged /run/munge/munged.pid && break; sleep 0.1; done
  running munged /run/munge/munged.pid || die "munged did not start: see /var/log/munge/munged.log"
  record munged /run/munge/munged.pid
fi
munge -n | unmunge | grep -q 'STATUS: *Success' || die "munge -n | unmunge fails: see /var/log/munge/munged.log"

# 3. Configuration.
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
mkdir -p "$CONF" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
slurm_conf="$MARK
ClusterName=pactsim
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# A test machine, not a busy cluster: start a job as soon as a CPU is free, and forget finished
# jobs after 10 s (sbatch --wait then asks every 8 s rather than after 2, 10, 42, 74 s, ...).
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
MinJobAge=10
ReturnToService=2
MpiDefault=none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MaxArraySize=1001
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=pactsim Nodes=$host Default=YES MaxTime=INFINITE State=UP"
cgroup_conf="$MARK
CgroupPlugin=autodetect
IgnoreSystemd=yes"
changed=0
write_conf() { # FILE CONTENT
  if [[ -e $1 ]] && [[ $(head -n 1 "$1") != "$MARK" ]]; then
    die "$1 exists and was not written by this script: I leave it alone. If this machine has a Slurm of its own, start it as usual; tests/slurm.rs uses any Slurm whose sinfo answers"
  fi
  if [[ ! -e $1 ]] || [[ $(cat "$1") != "$2" ]]; then
    printf '%s\n' "$2" >"$1"
    changed=1
    say "wrote $1"
  else
    say "$1 is up to date"
  fi
}
write_conf "$CONF/slurm.conf" "$slurm_conf"
write_conf "$CONF/cgroup.conf" "$cgroup_conf"

# 4. The daemons (restarted when their configuration changed).
for d in slurmctld slurmd; do
  if running "$d" "/run/$d.pid" && ((changed)); then
    say "configuration changed: stopping $d (pid $(cat "/run/$d.pid")) to start it again"
    kill "$(cat "/run/$d.pid")"
    for _ in $(seq 100); do running "$d" "/run/$d.pid" || break; sleep 0.1; done
  fi
  if running "$d" "/run/$d.pid"; then
    say "$d is running (pid $(cat "/run/$d.pid"))"
  else
    "$d"
    for _ in $(seq 100); do running "$d" "/run/$d.pid" && break; sleep 0.1; done
    running "$d" "/run/$d.pid" || die "$d did not start: see /var/log/slurm/$d.log"
    record "$d" "/run/$d.pid"
  fi
done

t0=$SECONDS
until node_up; do
  # A node left down or drained by an earlier stop: return it to service.
  if ((SECONDS - t0 >= 5)) && [[ $(node_state || true) =~ ^(down|drain|drained)$ ]]; then
    was=$(node_state || true)
    if scontrol update NodeName="$host" State=RESUME 2>/dev/null; then say "resumed node $host (it was $was)"; fi
  fi
  if ((SECONDS - t0 >= WAIT)); then
    echo "start-single-node: error: the node is not idle after $WAIT s (state: $(node_state || echo 'no answer'))" >&2
    tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
    exit 1
  fi
  sleep 1
done
say "node $host $(node_state) after $((SECONDS - t0)) s"
sinfo
