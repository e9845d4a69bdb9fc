# SPDX-License-Identifier: GPL-2.0
# Guest checks of `make check`: debugfs against /proc, the query file with
# good and hostile input, a sysrq-f verdict against the kernel's own report,
# and load/unload in a loop.  Prints GUEST-TEST lines.
# (tools/testing/guest/lib.sh is prepended by the caller.)
protect

check kunit run_kunit
check insmod load_oomfrag
# The formats' version, as the metrics file gives it to Prometheus: every
# file's first line names the same one (the host tests pin its value).
fv=$(sed -n 's/^oomfrag_format_info{version="\([0-9][0-9]*\)"} 1$/\1/p' $D/metrics)
check debugfs_format_version test -n "$fv"
for f in zones watermarks query last stats metrics; do
	check "debugfs_$f" test -r $D/$f
	check "debugfs_${f}_root_only" sh -c "ls -l $D/$f | grep -q '^-r[w-]-------'"
	check "debugfs_${f}_version" sh -c "head -1 $D/$f | grep -q '^# oomfrag $f v$fv\$'"
done

pk=$(page_kb)
check page_size_known test -n "$pk"
# The platform the engine decides with, against the kernel's own: the page
# size the kernel gives programs, and build_all_zonelists()'s boot line
# "Built N zonelists, mobility grouping on|off.  Total pages: T" (the
# module's mobility_grouping is decided from what that line was).
plat=$(dmesg | sed -n 's/.*oomfrag: platform: //p' | tail -1)
kmob=$(dmesg | sed -n 's/.*mobility grouping \(on\|off\)\.  Total pages: \([0-9]*\).*/\1 \2/p' | head -1)
omob="$(value mobility_grouping "$plat") $(value boot_total_pages "$plat")"
if [ -n "$kmob" ] && [ "$kmob" = "$omob" ]; then ok platform_mobility_matches_boot_line
else fail platform_mobility_matches_boot_line "kernel [$kmob] oomfrag [$omob]"; fi
if [ -n "$pk" ] && [ "$(value page_kb "$plat")" = "$pk" ]; then ok platform_page_size_matches_auxv
else fail platform_page_size_matches_auxv "auxv [$pk kB] oomfrag [$plat]"; fi

# zones vs /proc/zoneinfo: the same zones, in the same order, with the same
# watermarks (both include the boost).
zi=$(awk -v pk="$pk" '/^Node/ {n=$2; sub(",","",n); z=$4} /^  pages free/ {p=1} \
	/^        min / && p {mn=$2} /^        low / && p {lo=$2} \
	/^        high / && p {print "node=" n " zone=" z " min_kb=" mn*pk " low_kb=" lo*pk " high_kb=" $2*pk; p=0}' /proc/zoneinfo)
# zoneinfo lists empty zones too; oomfrag lists populated ones only.
zi=$(echo "$zi" | while read l; do
	n=$(value node "$l"); z=$(value zone "$l")
	awk -v n=$n -v z=$z '/^Node/ {m=($2==n"," && $4==z)} m && /present/ {print $2; exit}' /proc/zoneinfo | grep -qv '^0$' && echo "$l"
done)
oz=$(grep '^zone ' $D/zones | while read l; do
	echo "node=$(value node "$l") zone=$(value zone "$l") min_kb=$(value min_kb "$l") low_kb=$(value low_kb "$l") high_kb=$(value high_kb "$l")"
done)
if [ -n "$zi" ] && [ "$zi" = "$oz" ]; then ok zones_match_zoneinfo
else fail zones_match_zoneinfo "zoneinfo [$zi] oomfrag [$oz]"; fi

# blocks_rows FILE: each "  blocks WHAT COUNTS..." row of oomfrag's zones
# file (in FILE, among other lines) as "NODE ZONE WHAT COUNTS...", with
# NODE and ZONE read by `value` from the zone's "zone node=N zone=Z ..." row.
blocks_rows() {
	while read -r l; do
		case "$l" in
		"zone "*) bn=$(value node "$l"); bz=$(value zone "$l") ;;
		"blocks "*) set -- $l; shift; echo "$bn $bz $*" ;;
		esac
	done < "$1"
}

# zones vs /proc/buddyinfo: per-order totals agree exactly (retry: the
# guest is quiet but not frozen).
agree=0
for try in 1 2 3 4 5; do
	# One process reads both, back to back: no fork in between.
	cat $D/zones /proc/buddyinfo > /tmp/both
	b=$(awk '/^Node/ {n=$2; sub(",", "", n); printf "%s %s total", n, $4; for (i=5; i<=NF; i++) printf " %s", $i; print ""}' /tmp/both)
	o=$(blocks_rows /tmp/both | awk '$3 == "total"')
	if [ "$b" = "$o" ]; then agree=1; break; fi
done
if [ $agree = 1 ]; then ok zones_match_buddyinfo
else fail zones_match_buddyinfo "buddyinfo [$b] oomfrag [$o]"; fi

# Per-migratetype counts vs /proc/pagetypeinfo, same way.
agree=0
for try in 1 2 3 4 5; do
	cat $D/zones /proc/pagetypeinfo > /tmp/both
	p=$(awk '/^Node +[0-9]+, zone +[A-Za-z0-9]+, type +[A-Za-z]+ / && NF > 8 {
		n=$2; z=$4; sub(",", "", n); sub(",", "", z)
		printf "%s %s %s", n, z, $6; for (i=7; i<=NF; i++) printf " %s", $i; print ""}' /tmp/both)
	o=$(blocks_rows /tmp/both | awk '$3 != "total"')
	# pagetypeinfo lists only the types configured in; compare those.
	pt=$(echo "$p" | awk '{print $3}' | sort -u)
	o=$(echo "$o" | while read l; do t=$(echo "$l" | awk '{print $3}'); echo "$pt" | grep -qx "$t" && echo "$l"; done)
	if [ -n "$p" ] && [ "$p" = "$o" ]; then agree=1; break; fi
done
if [ $agree = 1 ]; then ok zones_match_pagetypeinfo
else fail zones_match_pagetypeinfo "pagetypeinfo [$p] oomfrag [$o]"; fi

# A row per zone, order and request kind (nocma, cma); the orders are the
# kernel's (NR_PAGE_ORDERS depends on the architecture and config).
nz=$(grep -c '^zone ' $D/zones)
nw=$(grep -c '^wmark ' $D/watermarks)
no=$(nr_orders)
check watermarks_rows test "${no:-0}" -gt 0 -a "$nw" -eq $((nz * ${no:-0} * 2))
check watermarks_fields sh -c "grep '^wmark ' $D/watermarks | grep -vq ' min=\(pass\|fail\):[a-z_]* low=\(pass\|fail\):[a-z_]* high=\(pass\|fail\):[a-z_]* largest_usable=' && exit 1 || exit 0"

# query: good input is taken, hostile input is refused with EINVAL and
# leaves the previous query in place.
q=$D/query
check query_default sh -c "grep -q '^event=oom .*trigger=query .* order=0 gfp=0xcc0(GFP_KERNEL)' $q"
check query_names sh -c "echo 'order=3 gfp=GFP_KERNEL|__GFP_NOWARN' > $q && grep -q ' order=3 gfp=0x2cc0(GFP_KERNEL|__GFP_NOWARN)' $q"
check query_hex sh -c "echo 'gfp=0x100cca order=2' > $q && grep -q ' order=2 gfp=0x100cca(GFP_HIGHUSER_MOVABLE)' $q"
# node=N is a nodemask: zones of other nodes are listed, not eligible.
check query_node sh -c "echo 'order=1 gfp=GFP_KERNEL node=0' > $q && grep -q '^event=oom .* nodemask=0 ' $q && ! grep '^event=zone' $q | grep -v ' node=0 ' | grep -q ' eligible=1 '"
echo 'order=1 gfp=GFP_ATOMIC' > $q
# The query's state is its request (order, gfp, nodemask); the rest of the
# line (verdict, free_ineligible_kb, compute_ns) follows live memory.
qreq() { head -2 $q | tail -1 | sed -n 's/.* \(order=[^ ]* gfp=[^ ]*\).* constraint=[^ ]*\( nodemask=[^ ]*\)\{0,1\}.*/\1\2/p'; }
good=$(qreq)
check query_state_read test "$good" = "order=1 gfp=0x820(GFP_ATOMIC)"
long=$(head -c 300 /dev/zero | tr '\0' 'a')
i=0
for bad in 'order=99' 'order=-1' 'order=' 'order=1x' 'gfp=GFP_BOGUS' 'gfp=0x3' \
	'gfp=__GFP_DMA|__GFP_DMA32' 'node=999' 'node=-1' 'bogus' 'order=1 order=2' \
	'=1' 'order=1 gfp' "$long" "$(printf 'order=1\001')" 'gfp=0x1ffffffff'; do
	i=$((i + 1))
	if printf '%s' "$bad" > $q 2>/dev/null; then
		fail "query_rejects_$i" "accepted: $bad"
	else
		now=$(qreq)
		if [ "$now" = "$good" ]; then ok "query_rejects_$i"
		else fail "query_rejects_$i" "query changed after: $bad"; fi
	fi
done
check query_reject_logged sh -c "dmesg | grep -q 'oomfrag: query rejected: '"
# Binary junk of every byte value, many times: never an oops.
for n in 1 2 3 4 5 6 7 8; do head -c 200 /dev/urandom > $q 2>/dev/null; done
ok query_fuzz_survived

# sysrq-f: our lines come before the kernel's report and agree with it.
v=$(victim)
mark sysrq
echo f > /proc/sysrq-trigger
check sysrq_victim_killed wait_log "Out of memory: Killed process $v ("
log=$(since sysrq)
sum=$(echo "$log" | grep 'oomfrag: event=oom ' | head -1)
check sysrq_summary test -n "$sum"
check sysrq_trigger test "$(value trigger "$sum") $(value order "$sum") $(value gfp "$sum")" = "sysrq -1 0xcc0(GFP_KERNEL)"
missing=
for k in event verdict order gfp comm pid; do
	[ -n "$(value $k "$sum")" ] || missing="$missing $k"
done
check sysrq_fields test -z "$missing"
first_ours=$(echo "$log" | grep -n 'oomfrag: event=oom' | head -1 | cut -d: -f1)
first_kernel=$(echo "$log" | grep -n 'invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1' | head -1 | cut -d: -f1)
check sysrq_before_kernel_report test -n "$first_kernel" -a -n "$first_ours" -a "${first_ours:-0}" -lt "${first_kernel:-0}"
# Each zone line against the kernel's "Node N ZONE free:..kB boost:..kB
# min:..kB" line: watermarks without boost exactly (kswapd may end a boost
# between the two prints), free within drift (drift_ok, reported).  The
# kernel prints only the zones the request may use (eligible=1).
echo "$log" | grep 'oomfrag: event=zone' | while read -r l; do
	[ "$(value eligible "$l")" = 1 ] || continue
	n=$(value node "$l"); z=$(value zone "$l")
	# ("ZONE free:" right after the timestamp without CONFIG_NUMA.)
	k=$(echo "$log" | grep -E "(Node $n |\] )$z free:" | head -1)
	kfree=$(kernel_kb free "$k")
	kboost=$(kernel_kb boost "$k")
	oboost=$(value boost_kb "$l")
	for w in min low high free_cma; do
		kv=$(kernel_kb $w "$k")
		ov=$(value ${w}_kb "$l")
		if [ $w != free_cma ] && [ -n "$kv" ]; then
			kv=$((kv - kboost)); ov=$((ov - oboost))
		fi
		if [ -n "$kv" ] && [ "$kv" = "$ov" ]; then ok "sysrq_${n}_${z}_$w"
		else fail "sysrq_${n}_${z}_$w" "kernel $kv oomfrag $ov"; fi
	done
	ofree=$(value free_kb "$l")
	d=$((ofree > kfree ? ofree - kfree : kfree - ofree))
	echo "drift node=$n zone=$z oomfrag_free_kb=$ofree kernel_free_kb=$kfree diff_kb=$d"
	if drift_ok "$ofree" "$kfree"; then ok "sysrq_${n}_${z}_free"
	else fail "sysrq_${n}_${z}_free" "kernel $kfree oomfrag $ofree"; fi
done
check sysrq_in_last sh -c "grep -q '^event=oom seq=1 trigger=sysrq' $D/last"
check sysrq_in_stats sh -c "grep -qx 'events 1' $D/stats && grep -qx 'kprobe 1' $D/stats"
check sysrq_constraint_kill test "$(value constraint "$sum") $(value kill "$sum")" = "none 1"
check sysrq_stats_by_kind sh -c "grep -qx 'trigger_sysrq 1' $D/stats && grep -qx 'constraint_none 1' $D/stats && grep -qx 'kill 1' $D/stats"

check rmmod rmmod oomfrag
check debugfs_gone test ! -e $D
for i in 1 2 3 4 5; do
	load_oomfrag && cat $D/zones $D/watermarks $D/query $D/last $D/stats $D/metrics > /dev/null && rmmod oomfrag || { fail load_loop "iteration $i"; break; }
	[ $i = 5 ] && ok load_loop
done
# Without the kprobe (as on a kernel without CONFIG_KPROBES): the request
# is unknown, so the verdict is too (missing=order,gfp); the zones are shown
# at order 0 with GFP_KERNEL.
check load_no_kprobe insmod $KO/oomfrag.ko kprobe=0
check no_kprobe_warned sh -c "dmesg | grep -q 'oomfrag: loaded without the out_of_memory kprobe'"
check no_kprobe_stats sh -c "grep -qx 'kprobe 0' $D/stats"
v=$(victim)
mark nokprobe
echo f > /proc/sysrq-trigger
check no_kprobe_victim_killed wait_log "Out of memory: Killed process $v ("
if since nokprobe | grep -q 'oomfrag: event=oom seq=1 trigger=unknown verdict=unknown missing=order,gfp order=unknown gfp=unknown eval_order=0 eval_gfp=0xcc0(GFP_KERNEL) '; then
	ok no_kprobe_summary
else
	fail no_kprobe_summary "$(since nokprobe | grep 'oomfrag: event=oom' | head -1)"
fi
check rmmod_no_kprobe rmmod oomfrag
# A bad parameter is refused by the kernel's parser; nothing is loaded.
check bad_param_refused sh -c "! insmod $KO/oomfrag.ko kprobe=maybe 2>/dev/null && test ! -e $D"
exit 0
