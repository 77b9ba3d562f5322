#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for the Slurm executor's tests and for trying it out:
# Debian's slurm-wlm and munge, slurmctld and slurmd started as plain daemons (no systemd), configured
# in a folder of their own. It comes up in a few seconds.
#
#   scripts/slurm-cluster.sh up      install (Debian) when missing, configure, start; waits until idle
#   scripts/slurm-cluster.sh down    stop the daemons
#   scripts/slurm-cluster.sh status  sinfo
#
# The cluster's configuration lives in $SLURM_CLUSTER_DIR (default /tmp/contrastlab-slurm); the Slurm
# commands find it through /etc/slurm/slurm.conf, which `up` writes (only when it is missing or ours).
set -euo pipefail

dir="${SLURM_CLUSTER_DIR:-/tmp/contrastlab-slurm}"
conf=/etc/slurm/slurm.conf
marker="# written by contrastlab scripts/slurm-cluster.sh"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

install() {
  if command -v slurmctld >/dev/null && command -v munged >/dev/null; then return; fi
  echo "== installing Debian's slurm-wlm and munge"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null
}

write_config() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  # Slurm refuses a node that claims more memory than it has: a little under what there is.
  mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10))
  $SUDO mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  if [ -f "$conf" ] && ! grep -q "$marker" "$conf"; then
    echo "slurm-cluster: $conf exists and is not ours; leaving it (and this machine's cluster) alone" >&2
    exit 1
  fi
  $SUDO tee "$conf" >/dev/null <<EOF
$marker
ClusterName=contrastlab
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups in containers: track a job's processes by their parent ids.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# Finished jobs stay visible to scontrol for an hour: there is no accounting database (slurmdbd) here.
MinJobAge=3600
# A job past its time limit gets SIGTERM, then SIGKILL this many seconds later.
KillWait=10
SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MaxArraySize=10001
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
}

start_munge() {
  if pgrep -x munged >/dev/null; then return; fi
  if [ ! -s /etc/munge/munge.key ]; then
    $SUDO mungekey --create --force 2>/dev/null || $SUDO /usr/sbin/create-munge-key -f
  fi
  $SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge
  $SUDO chown -R munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge 2>/dev/null || true
  $SUDO chmod 0700 /etc/munge
  $SUDO chmod 0400 /etc/munge/munge.key
  $SUDO -u munge /usr/sbin/munged 2>/dev/null || $SUDO runuser -u munge -- /usr/sbin/munged
}

up() {
  install
  write_config
  start_munge
  pgrep -x slurmctld >/dev/null || $SUDO slurmctld
  pgrep -x slurmd >/dev/null || $SUDO slurmd
  for _ in $(seq 1 60); do
    # grep without -q reads all of sinfo's output: under pipefail, one that stops early can fail the pipe.
    if sinfo -h -o '%T' 2>/dev/null | grep -E '^(idle|mixed|allocated)' >/dev/null; then
      echo "== slurm: $(sinfo -h -o '%P %D node(s) %T' | sed -n 1p)"
      return 0
    fi
    # A node left down by an earlier run comes back.
    $SUDO scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true
    sleep 0.5
  done
  echo "slurm-cluster: the node did not become idle within 30 s; see $dir/log" >&2
  sinfo >&2 || true
  exit 1
}

down() {
  $SUDO pkill -x slurmd || true
  $SUDO pkill -x slurmctld || true
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) sinfo ;;
  *)
    echo "usage: scripts/slurm-cluster.sh up|down|status" >&2
    exit 2
    ;;
esac
