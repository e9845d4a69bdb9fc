// SPDX-License-Identifier: GPL-2.0
/*
 * What live.rs cannot express through the kernel's Rust bindings: walking a
 * buddy free list needs list_for_each() under zone->lock with interrupts
 * off, as /proc/pagetypeinfo does.
 */
#include <linux/mmzone.h>
#include <linux/spinlock.h>

#include "shim.h"

/*
 * Count the blocks on each migratetype's free list of one order, at most
 * @limit per list, under zone->lock, and return the order's nr_free read
 * under the same lock.
 */
unsigned long oomfrag_count_order(struct zone *zone, unsigned int order,
				  unsigned long *counts, unsigned int nr_mt,
				  unsigned long limit)
{
	struct free_area *area = &zone->free_area[order];
	unsigned long flags, nr_free;
	struct list_head *pos;
	unsigned int mt;

	spin_lock_irqsave(&zone->lock, flags);
	for (mt = 0; mt < nr_mt && mt < MIGRATE_TYPES; mt++) {
		counts[mt] = 0;
		list_for_each(pos, &area->free_list[mt])
			if (++counts[mt] >= limit)
				break;
	}
	nr_free = area->nr_free;
	spin_unlock_irqrestore(&zone->lock, flags);
	return nr_free;
}
