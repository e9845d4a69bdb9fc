# SPDX-License-Identifier: GPL-2.0
# `make demo`: load oomfrag, show its debugfs files, trigger an OOM with
# sysrq-f and a real CMA OOM, and show the verdict lines next to the
# kernel's own report.
# (tools/testing/guest/lib.sh is prepended by the caller.)
protect
# Kernel messages go to the log, not over the demo's output.
dmesg -n 1
say() { printf '\n===== %s\n' "$*"; }

say "insmod oomfrag.ko"
load_oomfrag || exit 1
ls -l $D
say "$D/zones (per-zone snapshot, blocks per order and migratetype)"
cat $D/zones
say "$D/watermarks (order 0-3 of each zone, both request kinds)"
grep '^#\|order=[0-3] ' $D/watermarks
say "$D/query: what would an order-3 GFP_KERNEL request get now?"
echo 'order=3 gfp=GFP_KERNEL' > $D/query
cat $D/query
say "a hostile query is refused with EINVAL and logged"
echo 'order=42 gfp=GFP_BOGUS' > $D/query || echo "write failed as expected: $?"
dmesg | grep 'oomfrag: query rejected' | tail -1

say "echo f > /proc/sysrq-trigger (the OOM killer, by hand)"
v=$(victim)
mark demo
echo f > /proc/sysrq-trigger
wait_log "Out of memory: Killed process $v "
say "verdict lines, and the kernel's own report right after them"
since demo | grep -E 'oomfrag: event=|invoked oom-killer|Node [0-9]+ [A-Za-z0-9]+ free:|Out of memory: Killed'
say "a real OOM: hoard what GFP_KERNEL can get (the rest is CMA), then one more page"
insmod $KO/oomfrag_stress.ko || exit 1
grep -E 'MemFree|CmaFree' /proc/meminfo
# If memory comes back before oomfrag's snapshot it says drift=1 rather
# than guess a class; then the demo tries once more.
for try in 1 2 3; do
	mark cma$try
	provoke cma
	[ "$(value drift "$(since cma$try | grep 'oomfrag: event=oom' | head -1)")" = 1 ] || break
	echo "(memory came back before the snapshot: drift=1; again)"
done
since cma$try | grep -E 'oomfrag: event=|invoked oom-killer|Node [0-9]+ [A-Za-z0-9]+ free:|Node [0-9]+ [A-Za-z0-9]+: |Out of memory: Killed' | awk '/oomfrag: event=oom/ {n++} n <= 1' | head -12
rmmod oomfrag_stress

say "$D/last and $D/stats"
cat $D/last $D/stats
rmmod oomfrag
