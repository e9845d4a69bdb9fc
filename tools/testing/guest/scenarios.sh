# SPDX-License-Identifier: GPL-2.0
# Provoke real OOMs of each kind with the stress sample; the caller sets
# SCENARIOS="name:verdict ..." and SYSCTLS (one "PATH VALUE" record a line,
# written to /proc/sys/PATH first), from the harness's typed shapes
# (tools/testing/oomfrag_harness/shapes.py), and checks the console with
# tools/testing/oom-crosscheck.
# (tools/testing/guest/lib.sh is prepended by the caller.)
protect
check kunit run_kunit
check insmod_oomfrag load_oomfrag
check insmod_stress insmod $KO/oomfrag_stress.ko
# Watermark boost (raised after fragmenting fallbacks, cleared by kswapd
# when it balances) comes and goes with kswapd's timing: with it, the same
# hoard ends below a boosted min and is judged boost, without it
# exhaustion.  Off here, so each scenario's class is deterministic; the
# boost verdict is tested on the host and shown from a real run in
# Documentation/oomfrag.rst.
echo 0 > /proc/sys/vm/watermark_boost_factor
printf '%s\n' "${SYSCTLS:-}" | while read -r key value; do
	[ -z "$key" ] && continue
	check "sysctl_$key" sh -c "echo '$value' > /proc/sys/$key"
done
grep -E 'MemTotal|MemFree|CmaTotal|CmaFree' /proc/meminfo
# Each of SCENARIOS is NAME:VERDICT or NAME:VERDICT:CONSTRAINT.
for s in $SCENARIOS; do
	sname=${s%%:*}
	rest=${s#*:}
	sverdict=${rest%%:*}
	sconstraint=
	[ "$rest" = "$sverdict" ] || sconstraint=${rest#*:}
	scenario "$sname" "$sverdict" "$sconstraint"
done
check oomfrag_counted sh -c "grep -qx 'events [1-9][0-9]*' $D/stats"
# The metrics and stats files read back to back, then printed for
# tools/testing/metrics-check (exposition parser, counters against stats).
check metrics_read sh -c "cat $D/metrics > /tmp/metrics && cat $D/stats > /tmp/stats"
# Kernel messages stay off the console meanwhile (printed into the middle
# of the long file, 10k lines with 65 zones, one cut a sample in two);
# what the kernel said meanwhile is printed right after, for check-console.
mark metrics-dump
read -r cl rest < /proc/sys/kernel/printk
echo 1 > /proc/sys/kernel/printk
echo METRICS-BEGIN; cat /tmp/metrics; echo METRICS-END
echo STATS-BEGIN; cat /tmp/stats; echo STATS-END
echo "$cl" > /proc/sys/kernel/printk
since metrics-dump | sed 1d
check rmmod_stress rmmod oomfrag_stress
check rmmod_oomfrag rmmod oomfrag
exit 0
