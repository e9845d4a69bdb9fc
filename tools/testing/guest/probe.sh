# SPDX-License-Identifier: GPL-2.0
# Does oomfrag predict real allocations?  For every order, the stress
# sample's `probe` makes one __GFP_NORETRY | __GFP_NOWARN allocation (no
# reclaim, no compaction: only the watermark checks and the free lists
# decide); oomfrag's `query` for that very mask predicts it (verdict none:
# some zone passes).  `watermarks`, read at the same moment, must agree with
# `query` for GFP_KERNEL (its alloc=nocma rows at min).  Quiescent, and
# with memory thinned to one page per 2^N-page block.
# (tools/testing/guest/lib.sh is prepended by the caller.)
protect
check kunit run_kunit
check insmod_oomfrag load_oomfrag
check insmod_stress insmod $KO/oomfrag_stress.ko

agreement() {
	state=$1
	agree=0
	first=0
	total=0
	consistent=0
	for o in 0 1 2 3 4 5 6 7 8 9 10; do
		# Shell builtins only from the query to the probe: a forked
		# process would itself take and give back an order-2 block.  The
		# rest of the guest still runs (exiting processes free memory
		# that can merge into large blocks), so a disagreement is tried
		# again, up to 3 times; the rate reported counts first tries.
		try=1
		while :; do
			echo "order=$o gfp=__GFP_NORETRY|__GFP_NOWARN" > $D/query
			{ read -r _hdr; read -r q; } < $D/query
			echo "order=$o" > $S/probe
			read -r pl < $S/probe
			got=$(value allocated "$pl")
			want=0
			[ "$(value verdict "$q")" = none ] && want=1
			[ "$want" = "$got" ] && break
			echo "disagree state=$state order=$o try=$try predicted=$want allocated=$got [$q]"
			[ $try -ge 3 ] && break
			try=$((try + 1))
		done
		total=$((total + 1))
		[ $try = 1 ] && [ "$want" = "$got" ] && first=$((first + 1))
		[ "$want" = "$got" ] && agree=$((agree + 1))
		# watermarks vs query, both for GFP_KERNEL, read back to back; the
		# probe's freed block may still drain from a per-CPU list, so a
		# pair that differs is read again (up to 3 times).
		try=0
		while :; do
			# One process reads both files back to back: a fork in between
			# would itself take an order-2 block (a kernel stack).
			echo "order=$o gfp=GFP_KERNEL" > $D/query
			cat $D/query $D/watermarks > /tmp/pair
			k=$(value verdict "$(grep '^event=oom' /tmp/pair)")
			w=0
			grep "^wmark .* order=$o alloc=nocma .* eligible=1 min=pass" /tmp/pair >/dev/null && w=1
			if { [ $k = none ] && [ $w = 1 ]; } || { [ $k != none ] && [ $w = 0 ]; }; then
				consistent=$((consistent + 1))
				break
			fi
			try=$((try + 1))
			echo "inconsistent state=$state order=$o try=$try query=$k watermarks_min_pass=$w"
			[ $try -ge 3 ] && break
		done
	done
	echo "WATERMARKS-AGREEMENT state=$state agree=$first total=$total agree_within_3_tries=$agree watermarks_query_consistent=$consistent"
	# Each pair of reads races with the rest of the guest; a quiet guest
	# must agree on every order.
	if [ $agree = $total ]; then ok "allocations_agree_$state"
	else fail "allocations_agree_$state" "$agree of $total"; fi
	if [ $consistent = $total ]; then ok "watermarks_query_agree_$state"
	else fail "watermarks_query_agree_$state" "$consistent of $total"; fi
}

agreement quiescent
for n in 3 2 1; do
	check "hold_$n" sh -c "echo 'hold order=$n' > $S/run"
	agreement "held_order$n"
	check "release_$n" sh -c "echo release > $S/run"
done
check rmmod_stress rmmod oomfrag_stress
check rmmod_oomfrag rmmod oomfrag
exit 0
