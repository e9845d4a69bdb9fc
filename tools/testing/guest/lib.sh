# SPDX-License-Identifier: GPL-2.0
# Helpers for oomfrag's guest scripts (busybox sh).  Source, don't run.

D=/sys/kernel/debug/oomfrag
KO=/lib/oomfrag

# The page size in kB, from the ELF auxiliary vector's AT_PAGESZ (6), as
# the kernel hands it to every program: no architecture's size assumed.
page_kb() { od -An -v -tu8 -w16 /proc/self/auxv | awk '$1 == 6 {print $2 / 1024; exit}'; }

# Results that tools/testing/check-console counts.
ok() { echo "GUEST-TEST ok $1"; }
fail() { echo "GUEST-TEST not ok $1 $2"; }
# check NAME CMD...: ok if CMD succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name" "command failed: $*"; fi
}

# The script and its parent must survive OOM kills.
protect() { echo -1000 > /proc/$$/oom_score_adj; }

# Start a process the OOM killer will choose; prints its pid.
victim() {
	sh -c 'echo 1000 > /proc/self/oom_score_adj; exec sleep 100000' \
		</dev/null >/dev/null 2>&1 &
	vp=$!
	# Until it has raised its score and become `sleep`, the OOM killer
	# would find nobody to kill.
	i=0
	while [ $i -lt 200 ]; do
		read -r adj < /proc/$vp/oom_score_adj
		read -r comm < /proc/$vp/comm
		[ "$adj" = 1000 ] && [ "$comm" = sleep ] && break
		i=$((i + 1))
		sleep 0.05
	done
	echo $vp
}

# Kernel log lines since the marker line MARK was written to /dev/kmsg.
mark() { echo "oomfrag-test: mark $1" > /dev/kmsg; }
since() { dmesg | sed -n "/oomfrag-test: mark $1\$/,\$p"; }

# wait_log PATTERN: wait up to 20 s for a kernel log line matching PATTERN
# (sysrq-f runs from a workqueue, after the write has returned).
wait_log() {
	i=0
	while ! dmesg | grep -q "$1"; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.2
	done
}

# load_oomfrag: insmod oomfrag.ko (it carries no test code).
load_oomfrag() { insmod $KO/oomfrag.ko; }

# Results printed so far of the KUnit suite $1.
suite_results() { dmesg | grep -c "] \(not \)\{0,1\}ok [0-9]* $1\$"; }

# run_kunit: load oomfrag_kunit.ko, whose suites run at load and print KTAP
# asynchronously, wait until both have printed their result (so nothing the
# script prints lands among their KTAP lines), and unload it.
run_kunit() {
	e=$(suite_results oomfrag_engine)
	l=$(suite_results oomfrag_live)
	insmod $KO/oomfrag_kunit.ko || return 1
	i=0
	while [ "$(suite_results oomfrag_engine)" -le "$e" ] || [ "$(suite_results oomfrag_live)" -le "$l" ]; do
		i=$((i + 1))
		[ $i -gt 300 ] && return 1
		sleep 0.1
	done
	rmmod oomfrag_kunit
}

# value KEY LINE: the value of key=value in LINE (an oomfrag line or a
# debugfs row).  The guest's one parser of oomfrag's output; the host's is
# tools/testing/oomfrag_log.py (its tests check that the two agree).
value() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }

# kernel_kb KEY LINE: N of " KEY:NkB" in a line of the kernel's OOM report
# ("Node 0 DMA32 free:2636kB boost:0kB min:2744kB ... free_cma:0kB").
kernel_kb() { printf '%s\n' "$2" | sed -n "s/.* $1:\([0-9]*\)kB.*/\1/p" | head -1; }

# Free memory moves between oomfrag's snapshot and the kernel's slower
# print of its report (kswapd reclaims, per-CPU lists drain): a zone's two
# free sizes agree if they differ by at most 1/DRIFT_DIV of the larger
# plus DRIFT_KB kB.  The same numbers as drift_ok() in
# tools/testing/oomfrag_log.py (a test checks that they are equal).
DRIFT_DIV=20
DRIFT_KB=2048
# drift_ok A B: true if free sizes A and B (kB) agree within that drift.
drift_ok() {
	[ -n "$1" ] && [ -n "$2" ] || return 1
	[ $(($1 > $2 ? $1 - $2 : $2 - $1)) -le $(( ($1 > $2 ? $1 : $2) / DRIFT_DIV + DRIFT_KB )) ]
}

# nr_orders: the number of page orders (count columns of /proc/buddyinfo).
nr_orders() { awk '/^Node/ {print NF - 4; exit}' /proc/buddyinfo; }

S=/sys/kernel/debug/oomfrag_stress

# scenario NAME EXPECTED-VERDICT [EXPECTED-CONSTRAINT]: announce, set up a
# victim, provoke the OOM NAME names (a stress-sample scenario, or memcg /
# sysrq / cpuset / mempolicy), clean up.  If
# oomfrag reports drift=1 (memory came back between the failure and its
# snapshot, so no class can be read), the scenario is announced and run
# again, up to 3 times; oom-crosscheck checks that every earlier run did
# report drift=1, and judges the last.
scenario() {
	name=$1
	expect=$2
	constraint=${3:+ constraint=$3}
	try=1
	while :; do
		# Through the kernel log: written to the console by the shell, the
		# line could be cut by a kernel message printed meanwhile (seen:
		# "expect=fragmentat[ 2.5] ...").
		echo "SCENARIO $name expect=$expect$constraint" > /dev/kmsg
		mark "scenario-$name-$try"
		provoke "$name"
		rc=$?
		first=$(since "scenario-$name-$try" | grep 'oomfrag: event=oom' | head -1)
		[ "$(value drift "$first")" = 1 ] && [ $try -lt 3 ] || break
		echo "SCENARIO-DRIFT $name try=$try: $first"
		try=$((try + 1))
		sleep 1
	done
	if [ $rc = 0 ]; then ok "scenario_$name"; else fail "scenario_$name" "exit $rc"; fi
	cat $S/status 2>/dev/null | tail -1
	# oomfrag prints at most 10 events per 5 s: after a scenario of many
	# events (each retry of an allocation is one), let the window pass so
	# the next scenario's line is printed.
	n=$(since "scenario-$name-$try" | grep -c 'oomfrag: event=oom')
	[ "$n" -lt 5 ] || sleep 5
}

# memcg_oom NAME LIMIT: one memory-cgroup OOM: a hog joins a new cgroup
# NAME limited to LIMIT, becomes killable and grows until it is killed.
memcg_oom() {
	cg=/sys/fs/cgroup/$1
	mkdir -p $cg
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	echo $2 > $cg/memory.max
	sh -c "echo \$\$ > $cg/cgroup.procs; echo 0 > /proc/self/oom_score_adj; exec tail /dev/zero" \
		</dev/null >/dev/null 2>&1
	rmdir $cg
}

# provoke NAME: one OOM of the kind NAME names, with a victim to kill.
provoke() {
	v=$(victim)
	case $1 in
	sysrq)
		echo f > /proc/sysrq-trigger && wait_log "Killed process $v " ;;
	memcg)
		memcg_oom oomfrag-test 16M ;;
	cpuset)
		# A cgroup v2 cpuset of node 1 only; the hog's page faults
		# (GFP_HIGHUSER_MOVABLE, __GFP_HARDWALL) may use no other node.
		cg=/sys/fs/cgroup/oomfrag-cpuset
		mkdir -p $cg
		echo +cpuset > /sys/fs/cgroup/cgroup.subtree_control
		echo 1 > $cg/cpuset.mems
		sh -c "echo \$\$ > $cg/cgroup.procs; echo 0 > /proc/self/oom_score_adj; exec hog" \
			</dev/null >/dev/null 2>&1
		rmdir $cg ;;
	mempolicy)
		# set_mempolicy(MPOL_BIND, {1}); killed (137) in the end.
		sh -c "echo 0 > /proc/self/oom_score_adj; exec hog --bind 1" </dev/null >/dev/null 2>&1
		[ $? = 137 ] ;;
	nofs)
		# out_of_memory() kills nothing for GFP_NOFS: the victim lives.
		echo nofs > $S/run && kill -0 $v ;;
	fragmentation*)
		echo "$1" | sed 's/_/ /' > $S/run ;;
	*)
		echo "$1" > $S/run ;;
	esac
	prc=$?
	sleep 1
	kill $v 2>/dev/null
	return $prc
}
