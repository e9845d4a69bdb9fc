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
 * One hold for a whole order, when one list holds most of its blocks: walk
 * the non-empty lists in step until all but one are at their end; that one
 * counts nr_free minus the others, read under the same hold, so the counts
 * are exact.  The walk gives up past nr_free / (non-empty lists) entries,
 * which is never more than the longest list: this hold is never longer
 * than the longest of the per-list holds it replaces (the per-list walk is
 * what /proc/pagetypeinfo does).  A single non-empty list is not walked at
 * all.  Called with zone->lock held; returns false if it gave up.
 */
static bool count_order_at_once(struct free_area *area, unsigned long *counts,
				unsigned int n, unsigned long limit,
				unsigned long *nr_free)
{
	struct list_head *pos[MIGRATE_TYPES];
	unsigned long walked = 0, others = 0, budget;
	unsigned int mt, left = 0, big = 0;

	*nr_free = area->nr_free;
	for (mt = 0; mt < n; mt++) {
		counts[mt] = 0;
		pos[mt] = area->free_list[mt].next;
		if (pos[mt] != &area->free_list[mt]) {
			left++;
			big = mt;
		}
	}
	if (!left)
		return true;
	budget = *nr_free / left;
	while (left > 1) {
		for (mt = 0; mt < n; mt++) {
			if (pos[mt] == &area->free_list[mt])
				continue;
			pos[mt] = pos[mt]->next;
			counts[mt]++;
			walked++;
			if (pos[mt] == &area->free_list[mt])
				left--;
		}
		if (walked > budget)
			return false;
	}
	for (mt = 0; mt < n; mt++) {
		if (pos[mt] != &area->free_list[mt])
			big = mt;
		else
			others += counts[mt];
		counts[mt] = min(counts[mt], limit);
	}
	/* The derived count is exact; past the cap it reads as the cap. */
	counts[big] = min(*nr_free - min(others, *nr_free), limit);
	return true;
}

/*
 * Count the blocks on each migratetype's free list of one order, at most
 * @limit per list (a list that reaches @limit reads as @limit: "capped").
 * First in one hold if one list dominates (count_order_at_once()); else,
 * as /proc/pagetypeinfo does (mm/vmstat.c, pagetypeinfo_showfree_print()),
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
	bool done;
	u64 t0;

	might_sleep();
	spin_lock_irqsave(&zone->lock, flags);
	t0 = ktime_get_ns();
	done = count_order_at_once(area, counts, n, limit, &nr_free);
	note_hold(ktime_get_ns() - t0);
	spin_unlock_irqrestore(&zone->lock, flags);
	if (done)
		return nr_free;
	cond_resched();
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
