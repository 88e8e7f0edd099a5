#!/usr/bin/env bash
# Starts a single-node SLURM on this machine (munged, slurmctld, slurmd on localhost) for the
# SLURM executor's tests and for trying emstream's SLURM workflows without a cluster.
# Needs root and Debian's slurm-wlm + munge. Idempotent: a running cluster whose node answers
# is left alone; daemons that are missing are started. Waits until `sinfo` shows the node idle.
#
# Accounting: Debian's slurm-wlm 22.05 has no filetxt accounting storage, and slurmdbd needs a
# MySQL server, so AccountingStorageType=accounting_storage/none: `sacct` reports
# "accounting storage is disabled" and the executor tracks jobs with squeue and
# `scontrol show job` (which keeps finished jobs for MinJobAge seconds). Finished jobs are also
# written to $SLURM_STATE/jobcomp.txt by jobcomp/filetxt.
set -euo pipefail

SLURM_CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
SLURM_STATE=${SLURM_STATE:-/var/spool/emstream-slurm}
PARTITION=${SLURM_PARTITION:-debug}
CTLD_PORT=${SLURMCTLD_PORT:-6817}
SLURMD_PORT=${SLURMD_PORT:-6818}
# Cores may be shared by this many jobs: tests run short, mostly idle jobs side by side.
OVERSUBSCRIBE=${SLURM_OVERSUBSCRIBE:-4}
WAIT_S=${SLURM_WAIT_S:-60}

log() { echo "start-local-slurm: $*" >&2; }

node_idle() {
  # -h: no header; %T: long state ("idle", "mixed", "allocated" are all usable).
  local state
  state=$(timeout 10 sinfo -h -n localhost -o '%T' 2>/dev/null | head -n1) || return 1
  [[ $state == idle || $state == mixed || $state == allocated ]]
}

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (slurmd and munged need it)"
  exit 1
fi
for cmd in munged slurmctld slurmd sinfo scontrol; do
  command -v "$cmd" >/dev/null || { log "missing $cmd: apt-get install -y slurm-wlm munge"; exit 1; }
done

# Running = its pid file names a live process (not a zombie left by an earlier run).
running() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ -n $pid ]] && ps -o stat= -p "$pid" 2>/dev/null | grep -qv '^Z'
}

start_munge() {
  if running /run/munge/munged.pid; then return; fi
  install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
  install -d -o munge -g munge -m 0755 /run/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  runuser -u munge -- /usr/sbin/munged
  log "munged started"
}

# Writes $SLURM_CONF; returns 1 when it was already so.
write_conf() {
  # This machine's CPUs and memory, as slurmd itself detects them.
  local detected cpus mem
  detected=$(slurmd -C | head -n1)
  cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$detected")
  mem=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$detected")
  install -d -m 0755 "$(dirname "$SLURM_CONF")" "$SLURM_STATE" "$SLURM_STATE/ctld" "$SLURM_STATE/d" /run/slurm
  cat >"$SLURM_CONF.tmp" <<EOF
# Written by emstream scripts/slurm/start-local-slurm.sh: a single-node test cluster.
ClusterName=emstream-local
SlurmctldHost=localhost
SlurmUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
# The credential lifetime is also how long a requeued (pre-empted) job waits before it may
# start again: 120 s by default, 10 s here so requeue tests stay short.
AuthInfo=cred_expire=10
StateSaveLocation=$SLURM_STATE/ctld
SlurmdSpoolDir=$SLURM_STATE/d
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=$SLURM_STATE/slurmctld.log
SlurmdLogFile=$SLURM_STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
# Pending jobs are looked at every 2 s (default 60 s), so a requeued job starts once its BeginTime passes.
SchedulerParameters=sched_interval=2,bf_interval=2
JobRequeue=1
ReturnToService=2
# Finished jobs stay visible to scontrol for 5 minutes; SIGKILL 2 s after SIGTERM on time-out or cancel.
MinJobAge=300
KillWait=2
OverTimeLimit=0
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
MpiDefault=none
JobAcctGatherType=jobacct_gather/linux
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_STATE/jobcomp.txt
DefMemPerCPU=$((mem / cpus / OVERSUBSCRIBE))
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:$OVERSUBSCRIBE
EOF
  if cmp -s "$SLURM_CONF.tmp" "$SLURM_CONF"; then
    rm "$SLURM_CONF.tmp"
    return 1
  fi
  mv "$SLURM_CONF.tmp" "$SLURM_CONF"
}

export SLURM_CONF
changed=0
write_conf && changed=1
if ((!changed)) && running /run/slurm/slurmctld.pid && running /run/slurm/slurmd.pid && node_idle; then
  log "already running: $(sinfo -h -o '%P %D %T %C')"
  exit 0
fi

start_munge
# Some settings (AuthInfo, ports) need a restart, not `scontrol reconfigure`.
if ((changed)); then
  for daemon in slurmd slurmctld; do
    running "/run/slurm/$daemon.pid" || continue
    pid=$(cat "/run/slurm/$daemon.pid")
    kill "$pid" && log "configuration changed: stopping $daemon"
    while running "/run/slurm/$daemon.pid"; do sleep 0.2; done
  done
fi
if ! running /run/slurm/slurmctld.pid; then
  slurmctld
  log "slurmctld started"
fi
if ! running /run/slurm/slurmd.pid; then
  slurmd -N localhost
  log "slurmd started"
fi

for ((i = 0; i < WAIT_S * 2; i++)); do
  if node_idle; then
    log "ready: $(sinfo -h -o '%P %D %T %C')"
    exit 0
  fi
  # A node left DOWN by an earlier run comes back once the daemons answer.
  scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
  sleep 0.5
done
log "node not idle after ${WAIT_S}s: $(sinfo -h 2>&1 || true); see $SLURM_STATE/slurmctld.log and slurmd.log"
exit 1
