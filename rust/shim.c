// SPDX-License-Identifier: GPL-2.0
/*
 * The few things oomfrag's Rust code cannot express through the kernel's
 * Rust bindings: struct kprobe and struct oom_control are not in them, and
 * walking a buddy free list needs list_for_each() under zone->lock with
 * interrupts off.  Each function is a few lines; everything else is Rust.
 */
#include <linux/kprobes.h>
#include <linux/mmzone.h>
#include <linux/oom.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "shim.h"

#ifdef CONFIG_KPROBES
/* Runs at out_of_memory() entry, before the notifier chain and the report. */
static int oomfrag_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct oom_control *oc =
		(const void *)regs_get_kernel_argument(regs, 0);

	oomfrag_oom_entry(oc->order, (__force unsigned int)oc->gfp_mask,
			  oc->memcg != NULL,
			  /* nodes 0..63; an unrestricted request is all ones */
			  oc->nodemask ? oc->nodemask->bits[0] : ~0UL,
			  current->comm, task_pid_nr(current));
	return 0;
}

static struct kprobe oomfrag_kp = {
	.symbol_name = "out_of_memory",
	.pre_handler = oomfrag_pre,
};

int oomfrag_kprobe_register(void)
{
	return register_kprobe(&oomfrag_kp);
}

void oomfrag_kprobe_unregister(void)
{
	unregister_kprobe(&oomfrag_kp);
}
#else
int oomfrag_kprobe_register(void)
{
	return -EOPNOTSUPP;
}

void oomfrag_kprobe_unregister(void)
{
}
#endif

/* The current task's name and pid, for a notifier without the kprobe. */
void oomfrag_current(char *comm, int *pid)
{
	strscpy(comm, current->comm, TASK_COMM_LEN);
	*pid = task_pid_nr(current);
}

/*
 * Count the blocks on each migratetype's free list of one order, at most
 * @limit per list, under zone->lock (as /proc/pagetypeinfo does), and
 * return the order's nr_free read under the same lock.
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
