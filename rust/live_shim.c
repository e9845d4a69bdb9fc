// SPDX-License-Identifier: GPL-2.0
/*
 * What live.rs cannot express through the kernel's Rust bindings: walking a
 * buddy free list needs list_for_each() under zone->lock with interrupts
 * off, as /proc/pagetypeinfo does.
 */
#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/mmzone.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "shim.h"

/* The longest zone->lock hold of oomfrag_count_order(), in ns, since load. */
static atomic64_t max_lock_ns = ATOMIC64_INIT(0);

u64 oomfrag_max_lock_ns(void)
{
	return atomic64_read(&max_lock_ns);
}

static void note_hold(u64 ns)
{
	s64 old = atomic64_read(&max_lock_ns);

	while ((u64)old < ns &&
	       !atomic64_try_cmpxchg(&max_lock_ns, &old, (s64)ns))
		;
}

/*
 * Count the blocks on each migratetype's free list of one order, at most
 * @limit per list (a list that reaches @limit reads as @limit: "capped").
 * As /proc/pagetypeinfo does (mm/vmstat.c, pagetypeinfo_showfree_print()),
 * zone->lock is taken, with interrupts off, for one list at a time, and
 * dropped with a cond_resched() between lists, so one hold lasts at most
 * one list walk of @limit entries.  Returns the order's nr_free, read under
 * the lock of the last list; the sum of @counts equals it only if nothing
 * changed the lists in between.  Process context only: it may sleep.
 */
unsigned long oomfrag_count_order(struct zone *zone, unsigned int order,
				  unsigned long *counts, unsigned int nr_mt,
				  unsigned long limit)
{
	struct free_area *area = &zone->free_area[order];
	unsigned long flags, nr_free = 0;
	unsigned int mt, n = min_t(unsigned int, nr_mt, MIGRATE_TYPES);
	struct list_head *pos;
	u64 t0;

	might_sleep();
	for (mt = 0; mt < n; mt++) {
		unsigned long c = 0;

		spin_lock_irqsave(&zone->lock, flags);
		t0 = ktime_get_ns();
		list_for_each(pos, &area->free_list[mt])
			if (++c >= limit)
				break;
		if (mt == n - 1)
			nr_free = area->nr_free;
		note_hold(ktime_get_ns() - t0);
		spin_unlock_irqrestore(&zone->lock, flags);
		counts[mt] = c;
		cond_resched();
	}
	return nr_free;
}
