// SPDX-License-Identifier: GPL-2.0
/*
 * What live.rs cannot express through the kernel's Rust bindings: the
 * kernel's inline helpers that read a zone (node_online(), NODE_DATA(),
 * populated_zone(), zone_page_state(), list_empty()), and walking a buddy
 * free list, which needs list_for_each() under zone->lock with interrupts
 * off, as /proc/pagetypeinfo does.  Fields that differ between kernel
 * versions are read here.
 */
#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/vmstat.h>
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

/*
 * nr_node_ids: a variable with CONFIG_NUMA (MAX_NUMNODES > 1), a constant
 * 1 without, which Rust would read in two ways.
 */
unsigned int oomfrag_nr_node_ids(void)
{
	return nr_node_ids;
}

bool oomfrag_node_online(unsigned int nid)
{
	return nid < MAX_NUMNODES && node_online(nid);
}

/*
 * What build_all_zonelists() (mm/page_alloc.c) decides grouping by
 * mobility from, as it was at boot: the pages of the zones a
 * GFP_HIGHUSER_MOVABLE request may use (every populated zone of every
 * node), counted by nr_free_zone_pages() as managed pages above the high
 * mark.  At that point of boot (mm_core_init(), before memblock_free_all())
 * free_area_init_core() has set each zone's managed pages to its present
 * pages and no watermark is set yet, so the sum is the present pages.  A
 * memory hot-add decides again, from the managed pages then: not
 * followed here.  pageblock_order and MIGRATE_TYPES are this kernel's.
 */
void oomfrag_platform_read(struct oomfrag_platform *p)
{
	unsigned long total = 0;
	unsigned int nid, idx;

	for (nid = 0; nid < nr_node_ids; nid++) {
		if (!oomfrag_node_online(nid))
			continue;
		for (idx = 0; idx < MAX_NR_ZONES; idx++)
			total += NODE_DATA(nid)->node_zones[idx].present_pages;
	}
	p->boot_total_pages = total;
	p->pageblock_shift = pageblock_order;
	p->migrate_types = MIGRATE_TYPES;
}

/* The populated zone @idx of node @nid if the node is online, else NULL. */
struct zone *oomfrag_populated_zone(unsigned int nid, unsigned int idx)
{
	struct zone *zone;

	if (idx >= MAX_NR_ZONES || !oomfrag_node_online(nid))
		return NULL;
	zone = &NODE_DATA(nid)->node_zones[idx];
	return populated_zone(zone) ? zone : NULL;
}

/*
 * What __zone_watermark_ok() and its callers read of @zone, without
 * zone->lock: each field once (READ_ONCE() or the counter's own read), and
 * for each order the kernel migratetypes whose free list is not empty.
 */
void oomfrag_zone_read(struct zone *zone, struct oomfrag_zone *z)
{
	unsigned int o, mt, w;

	z->present = READ_ONCE(zone->present_pages);
	z->managed = zone_managed_pages(zone);
	z->free = zone_page_state(zone, NR_FREE_PAGES);
	z->free_cma = IS_ENABLED(CONFIG_CMA) ?
		zone_page_state(zone, NR_FREE_CMA_PAGES) : 0;
#ifdef CONFIG_UNACCEPTED_MEMORY
	z->unaccepted = zone_page_state(zone, NR_UNACCEPTED);
#else
	z->unaccepted = 0;
#endif
	z->free_highatomic = READ_ONCE(zone->nr_free_highatomic);
	z->reserved_highatomic = READ_ONCE(zone->nr_reserved_highatomic);
	for (w = 0; w < OOMFRAG_NR_WMARK; w++)
		z->wmark[w] = READ_ONCE(zone->_watermark[w]);
	z->boost = READ_ONCE(zone->watermark_boost);
	for (w = 0; w < MAX_NR_ZONES; w++)
		z->lowmem_reserve[w] = READ_ONCE(zone->lowmem_reserve[w]);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		const struct free_area *area = &zone->free_area[o];

		z->nr_free[o] = READ_ONCE(area->nr_free);
		z->nonempty[o] = 0;
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			if (!list_empty(&area->free_list[mt]))
				z->nonempty[o] |= 1U << mt;
	}
}
