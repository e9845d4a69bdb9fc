# SPDX-License-Identifier: GPL-2.0
# make soak's guest (tools/testing/soak writes the settings below, then
# tools/testing/guest/lib.sh, then this): OOMs of every class by the
# thousand, load/unload under readers, a writer and OOMs, malformed query
# writes, and OOMs with fault injection, on the debug kernel.  Prints
# "SOAK <phase> key=value..." lines, which tools/testing/soak adds up;
# run-vm's /init then unloads everything and has kmemleak scan.
#
# Settings: PHASES (names of the phase_* functions below, in order),
# N_SYSRQ, N_MEMCG, N_HOG, N_SCEN (per stress scenario), SCENS
# ("scenario:verdict ..."), N_CYCLES, N_FUZZ, N_FAULT, SEED, SETUP,
# FAULT_SET (soak --fault: "FILE=VALUE ..." for the fault phase).
protect
H=/bin/soak-helper
CG=/sys/fs/cgroup/soak
FI=/sys/kernel/debug

# Keep the console to warnings and worse: thousands of OOM reports (stack
# dumps, Mem-Info, task lists) at 115200 baud would take hours.  Every
# checker's report is a warning or an error, and still reaches it.
echo 0 > /proc/sys/vm/oom_dump_tasks
echo "5 6 1 7" > /proc/sys/kernel/printk

now() { cut -d' ' -f1 /proc/uptime; }
# cs: uptime in centiseconds.
cs() { read -r u _ < /proc/uptime; echo ${u%.*}${u#*.}; }
stat_get() { sed -n "s/^$1 //p" $D/stats 2>/dev/null; }
# gone PID: wait up to 30 s for PID to exit (a zombie counts), then reap it.
gone() {
	j=0
	while [ $j -lt 600 ]; do
		st=$(cut -d' ' -f3 /proc/$1/stat 2>/dev/null) || break
		[ "$st" = Z ] && break
		j=$((j + 1))
		sleep 0.05
	done
	wait $1 2>/dev/null
	[ $j -lt 600 ]
}
begin() { PH=$1; T0=$(now); echo "SOAK-PHASE-BEGIN $1"; mark "soak-$1"; }
end() { echo "SOAK-PHASE-END $PH secs=$(awk -v a=$T0 -v b=$(now) 'BEGIN {printf "%d", b - a}')"; }
events() { e=$(stat_get events); echo ${e:-0}; }
verdicts() { v=$(stat_get verdict_$1); echo ${v:-0}; }
# vsnap FILE: the stats file's verdict counters; vdelta FILE: the verdicts
# counted since, as "none:3,exhaustion:97" (for the table).
vsnap() { grep '^verdict_' $D/stats > $1 2>/dev/null; }
vdelta() {
	grep '^verdict_' $D/stats 2>/dev/null | awk -v f=$1 'BEGIN {while ((getline l < f) > 0) {split(l, a, " "); b[a[1]] = a[2]}}
		{d = $2 - b[$1]; if (d) {sub("verdict_", "", $1); printf "%s%s:%d", sep, $1, d; sep = ","}}'
}
memcg_setup() {
	mkdir -p $CG
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	echo ${1:-8M} > $CG/memory.max
}
# memcg_hog [make-it-fail]: one hog in the cgroup, until the memcg OOM
# killer kills it: 0 if it was killed (SIGKILL), 1 if not within 60 s.
memcg_hog() {
	timeout 60 sh -c "echo \$\$ > $CG/cgroup.procs; exec $H hog 0 0 ${1:-0}" \
		</dev/null >/dev/null 2>&1
	[ $? = 137 ]
}

# sysrq-f, each with a victim to kill.
phase_sysrq() {
	begin sysrq
	e0=$(events); v0=$(verdicts none); vsnap /tmp/v0
	killed=0 stuck=0 i=0
	while [ $i -lt $N_SYSRQ ]; do
		v=$(victim)
		echo f > /proc/sysrq-trigger
		if gone $v; then killed=$((killed + 1)); else stuck=$((stuck + 1)); kill -9 $v; fi
		i=$((i + 1))
	done
	echo "SOAK oom class=sysrq ooms=$i events=$(($(events) - e0)) expected_verdict=$(($(verdicts none) - v0)) killed=$killed stuck=$stuck verdicts=$(vdelta /tmp/v0)"
	end
}

# Memory-cgroup OOMs: a hog in an 8 MB memory.max cgroup.
phase_memcg() {
	begin memcg
	memcg_setup 8M
	e0=$(events); v0=$(verdicts memcg); vsnap /tmp/v0
	killed=0 stuck=0 i=0
	while [ $i -lt $N_MEMCG ]; do
		if memcg_hog; then killed=$((killed + 1)); else stuck=$((stuck + 1)); fi
		i=$((i + 1))
	done
	echo "SOAK oom class=memcg ooms=$i events=$(($(events) - e0)) expected_verdict=$(($(verdicts memcg) - v0)) killed=$killed stuck=$stuck verdicts=$(vdelta /tmp/v0)"
	end
}

# Real allocation OOMs of a page fault (GFP_HIGHUSER_MOVABLE, order 0):
# an unkillable ballast takes all but ~48 MB and room for KASAN's
# quarantine, then each hog (the OOM killer's first choice) grows until
# killed.  Watermark boosting is left on, as on a user's machine: the
# verdict is exhaustion, or boost when reclaim raised the watermark the
# request failed (both are expected).
phase_hog() {
	begin hog
	avail=$(awk '/^MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
	total=$(awk '/^MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
	# KASAN's quarantine holds freed slab objects, up to 1/32 of memory
	# (QUARANTINE_FRACTION, mm/kasan/quarantine.c), so it is left free
	# too: in a 2 GB guest its 64 MB ate a bare 48 MB, and then even the
	# script's own forks found nothing killable ("System is deadlocked
	# on memory").
	rm -f /tmp/hog.ready
	$H hog $((avail - 48 - total / 32)) -1000 </dev/null >/dev/null 2>&1 &
	ballast=$!
	while [ ! -e /tmp/hog.ready ]; do sleep 0.2; done
	grep -E '^Mem(Free|Available)' /proc/meminfo | tr '\n' ' '; echo
	e0=$(events); v0=$(($(verdicts exhaustion) + $(verdicts boost))); vsnap /tmp/v0
	# A spare victim: while a killed hog's memory is not yet freed (the
	# OOM reaper gave up on it, MMF_OOM_SKIP), the next OOM finds every
	# other task unkillable (-1000, inherited from this script) and the
	# kernel panics "System is deadlocked on memory".  The spare, far
	# smaller than any hog, is killed then instead, and replaced.
	spare=$(victim) spares=0
	killed=0 stuck=0 i=0
	while [ $i -lt $N_HOG ]; do
		timeout 60 $H hog 0 1000 </dev/null >/dev/null 2>&1
		if [ $? = 137 ]; then killed=$((killed + 1)); else stuck=$((stuck + 1)); fi
		st=$(cut -d' ' -f3 /proc/$spare/stat 2>/dev/null)
		if [ -z "$st" ] || [ "$st" = Z ]; then
			wait $spare 2>/dev/null
			spares=$((spares + 1)) spare=$(victim)
		fi
		i=$((i + 1))
	done
	kill -9 $spare; wait $spare 2>/dev/null
	echo "SOAK oom class=alloc_hog ooms=$i events=$(($(events) - e0)) expected_verdict=$(($(verdicts exhaustion) + $(verdicts boost) - v0)) killed=$killed stuck=$stuck spare_kills=$spares verdicts=$(vdelta /tmp/v0)"
	kill -9 $ballast; wait $ballast 2>/dev/null
	end
}

# The stress sample's scenarios (real allocations of each verdict): each
# run gives two OOM events (the first kills the victim, the second gives
# the hoard back).  Without watermark boosting, as in make check: each
# scenario's verdict is then its own.
phase_scenarios() {
	begin scenarios
	echo 0 > /proc/sys/vm/watermark_boost_factor
	insmod $KO/oomfrag_stress.ko || { fail soak_insmod_stress "insmod failed"; end; return; }
	eval "${SETUP:-:}"
	for sv in $SCENS; do
		sc=${sv%%:*} want=${sv#*:}
		# A shape can leave no room for cma= (a fake node smaller than
		# the area): then the scenario is a plain exhaustion.  Say so.
		if [ "$sc" = cma ] && ! grep -q '^CmaTotal: *[1-9]' /proc/meminfo; then
			fail soak_cma_reserved "no CMA area in this shape (see the console's 'cma:' line): the cma scenario cannot give cma"
		fi
		e0=$(events); v0=$(verdicts $want); vsnap /tmp/v0
		killed=0 stuck=0 no_oom=0 i=0
		while [ $i -lt $N_SCEN ]; do
			v=$(victim)
			case $sc in
			fragmentation_*) echo "$sc" | sed 's/_/ /' ;;
			*) echo "$sc" ;;
			esac > $S/run || no_oom=$((no_oom + 1))
			if gone $v; then killed=$((killed + 1)); else stuck=$((stuck + 1)); kill -9 $v; gone $v; fi
			i=$((i + 1))
		done
		echo "SOAK oom class=alloc_$want scenario=$sc ooms=$i events=$(($(events) - e0)) expected_verdict=$(($(verdicts $want) - v0)) killed=$killed stuck=$stuck no_oom=$no_oom verdicts=$(vdelta /tmp/v0)"
	done
	rmmod oomfrag_stress
	end
}

# Load/unload cycles while 4 readers read every file, a writer writes
# query, an opener opens and closes every file, and OOMs (sysrq-f and
# memcg) fire all along.
phase_cycles() {
	begin cycles
	rmmod oomfrag 2>/dev/null
	rm -f /tmp/stop /tmp/gate
	files="$D/zones $D/watermarks $D/query $D/last $D/stats $D/buddy $D/metrics"
	for r in 1 2 3 4; do
		$H readloop /tmp/stop /tmp/gate $files > /tmp/reader$r.out 2>&1 &
	done
	$H writeloop /tmp/stop /tmp/gate $D/query > /tmp/writer.out 2>&1 &
	$H openloop /tmp/stop $files > /tmp/opener.out 2>&1 &
	(n=0 k=0; while [ ! -e /tmp/stop ]; do
		v=$(victim); echo f > /proc/sysrq-trigger
		gone $v && k=$((k + 1)) || kill -9 $v
		n=$((n + 1))
	done; echo "SOAK cycles_sysrq ooms=$n killed=$k") > /tmp/sysrq.out 2>&1 &
	memcg_setup 8M
	(n=0 k=0; while [ ! -e /tmp/stop ]; do
		memcg_hog && k=$((k + 1))
		n=$((n + 1))
	done; echo "SOAK cycles_memcg ooms=$n killed=$k") > /tmp/memcg.out 2>&1 &
	loaded=0 racing=0 gated=0 bad=0 i=0 busy=0 cs_ins=0 cs_rm=0
	while [ $i -lt $N_CYCLES ]; do
		c0=$(cs)
		if insmod $KO/oomfrag.ko; then loaded=$((loaded + 1)); else bad=$((bad + 1)); fi
		cs_ins=$((cs_ins + $(cs) - c0))
		usleep $((RANDOM % 300 * 1000))
		c0=$(cs)
		# An open file pins the module: rmmod fails (EAGAIN) while a
		# reader or the writer holds one.  It is tried 10 times while
		# they go on (an rmmod racing their opens), then with the gate
		# up (no new opens but the opener's), until the files in use
		# are closed.
		t=0
		until rmmod oomfrag 2>/dev/null; do
			t=$((t + 1))
			[ $t -eq 10 ] && touch /tmp/gate
			[ $t -lt 15000 ] || break
			usleep 2000
		done
		if [ $t -lt 10 ]; then racing=$((racing + 1))
		elif [ $t -lt 15000 ]; then gated=$((gated + 1))
		else bad=$((bad + 1)); fi
		rm -f /tmp/gate
		cs_rm=$((cs_rm + $(cs) - c0))
		busy=$((busy + t))
		i=$((i + 1))
	done
	touch /tmp/stop
	wait
	cat /tmp/reader*.out /tmp/writer.out /tmp/opener.out /tmp/sysrq.out /tmp/memcg.out
	echo "SOAK cycles cycles=$i loaded=$loaded unloaded_racing=$racing unloaded_gated=$gated failed=$bad rmmod_busy=$busy insmod_ms=$((cs_ins * 10)) rmmod_ms=$((cs_rm * 10))"
	# The same, deterministically: a file held open across rmmod, closed
	# after (rmmod must refuse, or the close must be harmless).
	load_oomfrag
	sh -c "exec 3< $D/stats; rmmod oomfrag; echo \"SOAK unload_open_file rmmod_status=\$?\"; exec 3<&-; echo SOAK closed_after_unload"
	grep -q '^oomfrag ' /proc/modules || load_oomfrag
	end
}

# Malformed query writes (soak-helper fuzz), then reads of every file with
# tiny buffers and at odd offsets.
phase_fuzz() {
	begin fuzz
	echo 'order=2 gfp=GFP_KERNEL|__GFP_NOWARN' > $D/query
	s0=$(stat_get suppressed_lines)
	$H fuzz $D/query $N_FUZZ $SEED || fail soak_fuzz "a malformed write was not refused, or changed the query"
	grep -q ' order=2 gfp=0x2cc0(GFP_KERNEL|__GFP_NOWARN)' $D/query || fail soak_fuzz_query "query changed: $(sed -n 2p $D/query)"
	$H reads $D/zones $D/watermarks $D/query $D/last $D/stats -- 20 || fail soak_reads "a read failed"
	echo "SOAK lock_hold max_lock_ns=$(stat_get max_lock_ns)"
	end
}

# Loads, reads and OOMs while fail_page_alloc and failslab fail the
# allocations of the tasks that ask (make-it-fail): for insmod, every N-th
# allocation (interval=N, N swept from 1 to 1500, so loads fail at
# different places; busybox insmod tries twice); for readers and for the
# hog the memcg OOM path runs in, 10-49 % of allocations.
phase_fault() {
	begin fault
	rmmod oomfrag 2>/dev/null
	rm -f /tmp/faultreads.out
	for f in fail_page_alloc failslab; do
		echo Y > $FI/$f/task-filter
		echo 1 > $FI/$f/interval
		echo -1 > $FI/$f/times
		echo 0 > $FI/$f/verbose
		echo N > $FI/$f/ignore-gfp-wait
	done
	echo N > $FI/fail_page_alloc/ignore-gfp-highmem
	# soak --fault: the user's settings on top (checked on the host).
	for kv in ${FAULT_SET:-}; do
		echo "${kv#*=}" > "$FI/${kv%%=*}" ||
			fail soak_fault_set "$FI/${kv%%=*} refused '${kv#*=}'"
	done
	echo "SOAK fault_settings ${FAULT_SET:-default}"
	memcg_setup 8M
	loaded=0 refused=0 leftover=0 killed=0 stuck=0 i=0
	e_total=0 o_total=0
	while [ $i -lt $N_FAULT ]; do
		for f in fail_page_alloc failslab; do
			echo 100 > $FI/$f/probability
			echo $((1 + (i * 37) % 1500)) > $FI/$f/interval
			echo -1 > $FI/$f/times
		done
		if sh -c "echo 1 > /proc/self/make-it-fail; exec insmod $KO/oomfrag.ko" 2>/dev/null; then
			loaded=$((loaded + 1))
		else
			refused=$((refused + 1))
			if grep -q '^oomfrag ' /proc/modules || [ -e $D ]; then leftover=$((leftover + 1)); rmmod oomfrag; fi
		fi
		for f in fail_page_alloc failslab; do
			echo 1 > $FI/$f/interval
			echo -1 > $FI/$f/times
			echo $((10 + (i * 7) % 40)) > $FI/$f/probability
		done
		if [ -e $D ]; then
			SOAK_MAKE_IT_FAIL=1 $H reads $D/zones $D/query $D/stats -- 1 >> /tmp/faultreads.out 2>&1
			e0=$(events)
		fi
		if memcg_hog 1; then killed=$((killed + 1)); else stuck=$((stuck + 1)); fi
		if [ -e $D ]; then
			e_total=$((e_total + $(events) - e0))
			o_total=$((o_total + 1))
			rmmod oomfrag
		fi
		i=$((i + 1))
	done
	echo 0 > $FI/fail_page_alloc/probability
	echo 0 > $FI/failslab/probability
	touch /tmp/faultreads.out
	awk '/^SOAK reads/ {for (i = 3; i <= NF; i++) {split($i, kv, "="); s[kv[1]] += kv[2]}}
		END {printf "SOAK fault_reads"; for (k in s) printf " %s=%d", k, s[k]; print ""}' /tmp/faultreads.out
	echo "SOAK oom class=memcg_fault ooms=$i ooms_while_loaded=$o_total events_while_loaded=$e_total killed=$killed stuck=$stuck"
	echo "SOAK fault_insmod tries=$i loaded=$loaded refused=$refused leftover=$leftover"
	load_oomfrag
	end
}

[ -n "${SETUP_EARLY:-}" ] && eval "$SETUP_EARLY"
check soak_insmod load_oomfrag
for ph in $PHASES; do
	"phase_$ph"
done
check soak_rmmod rmmod oomfrag
echo "SOAK-DONE"
exit 0
