# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench` (tools/testing/bench): measures oomfrag beside
# the kernel's own work in this boot and prints raw figures as "BENCH ..."
# and "READLOOP ..." lines, which the host turns into ratios.  The caller
# prepends tools/testing/guest/lib.sh and sets:
#   MODE      main (reads, lock holds, OOM classes) or scale (sysrq only)
#   READS     whole reads per file (main)
#   EVENTS    OOM events per class
#   RL        path of the static readloop program
# Nothing here asserts a time: figures are only printed.
protect
B=/sys/kernel/debug/oomfrag_bench
insmod $KO/oomfrag.ko || { echo "BENCH error insmod oomfrag"; exit 1; }
# After oomfrag: its notifiers and kprobe must sit around oomfrag's.
insmod $KO/oomfrag_bench.ko || { echo "BENCH error insmod oomfrag_bench"; exit 1; }
insmod $KO/oomfrag_stress.ko || { echo "BENCH error insmod oomfrag_stress"; exit 1; }

nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
zones=$(grep -c '^zone ' $D/buddy)
echo "BENCH shape nodes=$nodes zones=$zones memtotal_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo) cmdline=$(tr ' ' ',' < /proc/cmdline)"
echo "BENCH size coresize=$(cat /sys/module/oomfrag/coresize)"
p=$(dmesg | grep 'oomfrag: preallocated' | tail -1)
echo "BENCH prealloc per_zone=$(echo "$p" | sed -n 's/.*preallocated \([0-9]*\) bytes per zone for \([0-9]*\) zones.*/\1 slots=\2/p') snapshot=$(echo "$p" | sed -n 's/.*ZoneSnapshot \([0-9]*\) B.*/\1/p') verdict=$(echo "$p" | sed -n 's/.*ZoneVerdict \([0-9]*\) B.*/\1/p')"

# oom_class CLASS: run $EVENTS OOM events of CLASS and print what the bench
# module measured (oomfrag's own lines are read from the console by the
# host, after the mark).  The kernel reports at most 10 OOMs per 5 s and so
# does oomfrag: events come in bursts, at most 10 OOM calls per 6 s, so that
# every event is reported by both (a memcg or stress event makes about 2).
oom_class() {
	echo reset > $B/oom
	mark "bench-$1"
	burst=10
	[ "$1" = sysrq ] || burst=4
	bstart=$(date +%s)
	# (not $i: lib.sh's victim and wait_log use it)
	ev=0
	while [ $ev -lt "$EVENTS" ]; do
		ev=$((ev + 1))
		case $1 in
		sysrq)
			v=$(victim)
			echo f > /proc/sysrq-trigger
			wait_log "Killed process $v " || echo "BENCH warn sysrq event $ev: no kill seen"
			;;
		memcg)
			memcg_oom oomfrag-bench 8M
			;;
		stress)
			# exhaustion and fragmentation in turn; each run's first
			# OOM is reported and kills the victim, its second is
			# answered by the sample's notifier (no report).
			v=$(victim)
			if [ $((ev % 2)) = 1 ]; then sc=exhaustion; else sc="fragmentation order=3"; fi
			echo "$sc" > $S/run || echo "BENCH warn stress event $ev ($sc): no OOM"
			kill $v 2>/dev/null
			;;
		esac
		if [ $((ev % burst)) = 0 ]; then
			w=$((bstart + 6 - $(date +%s)))
			[ $w -gt 0 ] && sleep $w
			bstart=$(date +%s)
		fi
	done
	sleep 1
	# oomfrag's own lines (compute_ns) are read from the console by the
	# host, after the mark above.
	sed -n "s/^event /BENCH oom class=$1 /p" $B/oom
	echo "BENCH suppressed class=$1 $(grep suppressed_lines $D/stats | tr ' ' '=')"
	sleep 5.5
}

if [ "$MODE" = main ]; then
	# Reads: every file, interleaved, in one process.
	EXTFRAG=/sys/kernel/debug/extfrag/unusable_index
	[ -r $EXTFRAG ] || echo "BENCH warn $EXTFRAG missing (CONFIG_COMPACTION, CONFIG_DEBUG_FS)"
	$RL "$READS" /proc/buddyinfo /proc/pagetypeinfo /proc/zoneinfo $EXTFRAG \
		$D/buddy $D/zones $D/watermarks $D/query $D/last $D/stats

	# Lock holds with long free lists: thin memory so that every other
	# page is free (order-0 lists of tens of thousands of blocks).
	echo "hold order=1" > $S/run || echo "BENCH warn hold failed"
	grep -m1 'Node' /proc/buddyinfo | sed 's/^/BENCH buddyinfo_held /'
	# One read per arming: the longest hold of each read.  Rounds
	# interleave the readers, so that lists growing or shrinking while
	# held (per-CPU lists drain) touch every reader alike.
	for r in 1 2 3 4 5; do
		for f in /proc/pagetypeinfo /proc/buddyinfo /proc/zoneinfo $EXTFRAG \
			$D/zones $D/query $D/buddy $D/watermarks $D/last $D/stats; do
			echo on > $B/lock || echo "BENCH warn lock timing unavailable"
			$RL 1 $f >/dev/null
			echo off > $B/lock
			echo "BENCH lock file=$f $(cat $B/lock)"
		done
	done
	echo "BENCH lock oomfrag_$(grep max_lock_ns $D/stats | tr ' ' '=')"
	echo release > $S/run

	oom_class sysrq
	oom_class memcg
	oom_class stress
else
	oom_class sysrq
fi
rmmod oomfrag_stress
rmmod oomfrag_bench
rmmod oomfrag
echo "BENCH done"
exit 0
