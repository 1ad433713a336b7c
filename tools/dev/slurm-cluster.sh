#!/usr/bin/env bash
# A throwaway single-node Slurm cluster on this machine, for the scale-out
# test (tests/slurm/test_slurm_array.sh):
#
#   tools/dev/slurm-cluster.sh start DIR   writes DIR/slurm.conf, starts munged,
#                                          slurmctld and slurmd (pids in DIR),
#                                          waits until the node is idle
#   tools/dev/slurm-cluster.sh stop DIR    stops the three by pid
#
# Then SLURM_CONF=DIR/slurm.conf sbatch/squeue/scancel use it. Everything the
# daemons write (state, spool, logs) stays in DIR; /etc/slurm is not touched.
# Runs as root (as CI does): SlurmUser=root, ProctrackType=proctrack/linuxproc
# and TaskPlugin=task/none, so no cgroups are needed. Debian packages: slurmd
# slurmctld slurm-client munge (tools/install-deps.sh --slurm).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

stop_pid() { # name: kill the daemon whose pid is in DIR/name.pid, wait for it
  local f="$dir/$1.pid" pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

if [ "$cmd" = stop ]; then
  stop_pid slurmd
  stop_pid slurmctld
  stop_pid munged
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$0: must run as root (SlurmUser=root)" >&2; exit 1; }
for b in munged slurmctld slurmd sinfo; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] ||
    { echo "$0: $b not installed (tools/install-deps.sh --slurm)" >&2; exit 1; }
done
export PATH="$PATH:/usr/sbin"

mkdir -p "$dir"/{state,spool,munge}
dir=$(cd "$dir" && pwd)
node=$(hostname -s)
cpus=$(nproc)

# munge: its own key, socket and pid file in DIR, so a system munged (if any)
# is left alone.
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
chmod 700 "$dir/munge"
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"

cat >"$dir/slurm.conf" <<EOF
ClusterName=clxci
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmctldPort=$((16817))
SlurmdPort=$((16818))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
MaxArraySize=1001
NodeName=$node CPUs=$cpus State=UNKNOWN
PartitionName=clx Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

for _ in $(seq 100); do
  state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && { echo "slurm-cluster: node $node idle ($cpus CPUs), SLURM_CONF=$SLURM_CONF"; exit 0; }
  sleep 0.3
done
echo "slurm-cluster: node $node did not come up (state '${state:-none}'); logs:" >&2
tail -n 20 "$dir"/slurmctld.log "$dir"/slurmd.log "$dir"/munged.log >&2 || true
"$0" stop "$dir"
exit 1
