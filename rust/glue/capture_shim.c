// SPDX-License-Identifier: GPL-2.0
/*
 * What oomfrag's Rust cannot express through the kernel's Rust bindings:
 * struct kprobe and struct oom_control are not in them, and task_struct's
 * fields read wrong through them.  A kprobe at out_of_memory() entry hands
 * the request to Rust (capture.rs).
 */
#include <linux/cpuset.h>
#include <linux/irq_work.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/oom.h>
#include <linux/sched.h>
#include <linux/sched/rt.h>
#include <linux/sched/signal.h>
#include <linux/version.h>

#include "shim.h"

/*
 * MMF_OOM_SKIP of @mm: mm->flags became a bitmap, read with mm_flags_test(),
 * in 6.18.
 */
static bool oomfrag_mm_oom_skip(struct mm_struct *mm)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
	return mm_flags_test(MMF_OOM_SKIP, mm);
#else
	return test_bit(MMF_OOM_SKIP, &mm->flags);
#endif
}

/*
 * task_will_free_mem(current) (mm/oom_kill.c, static there), up to the walk
 * over other processes sharing the mm, which is left undecided (-1).
 */
static int oomfrag_will_free_mem(struct task_struct *task)
{
	struct signal_struct *sig = task->signal;
	struct mm_struct *mm = task->mm;

	if (!mm)
		return 0;
	/* __task_will_free_mem() */
	if (sig->core_state)
		return 0;
	if (!(sig->flags & SIGNAL_GROUP_EXIT) &&
	    !(thread_group_empty(task) && (task->flags & PF_EXITING)))
		return 0;
	if (oomfrag_mm_oom_skip(mm))
		return 0;
	if (atomic_read(&mm->mm_users) <= 1)
		return 1;
	return -1;
}

/*
 * cpuset_current_node_allowed(node, gfp_mask) (kernel/cgroup/cpuset.c; not
 * exported), for a task context.  The cgroup v1 walk up to the nearest
 * hardwalled ancestor is not reachable from a module: a non-hardwall
 * request is taken to be allowed every node, as on cgroup v2.
 */
static bool oomfrag_node_allowed(int node, bool hardwall)
{
	if (!IS_ENABLED(CONFIG_CPUSETS))
		return true;
	if (node_isset(node, cpuset_current_mems_allowed))
		return true;
	if (tsk_is_oom_victim(current))
		return true;
	if (current->flags & PF_EXITING)
		return true;
	return !hardwall;
}

/* The allocating task as the allocator and the OOM killer see it. */
void oomfrag_current(struct oomfrag_task *t)
{
	struct task_struct *tsk = current;
	int nid;

	memset(t, 0, sizeof(*t));
	strscpy(t->comm, tsk->comm, TASK_COMM_LEN);
	t->pid = task_pid_nr(tsk);
	t->rt = rt_or_dl_task(tsk);
	t->memalloc = tsk->flags & PF_MEMALLOC;
	t->oom_victim = tsk_is_oom_victim(tsk);
	t->kswapd = tsk->flags & PF_KSWAPD;
	t->will_free_mem = oomfrag_will_free_mem(tsk);
	/*
	 * cpusets_enabled() is not visible to modules; with only the root
	 * cpuset, mems_allowed holds every node with memory, so applying the
	 * rule gives the allocator's answer.
	 */
	t->cpusets = IS_ENABLED(CONFIG_CPUSETS);
	bitmap_copy(t->mems_allowed, nodes_addr(cpuset_current_mems_allowed), MAX_NUMNODES);
	for_each_node(nid) {
		if (oomfrag_node_allowed(nid, true))
			__set_bit(nid, t->hardwall);
		if (oomfrag_node_allowed(nid, false))
			__set_bit(nid, t->softwall);
	}
}

/*
 * A memory-cgroup OOM is reported from an irq_work, not from the kprobe
 * handler: until the kprobe is optimised the handler runs in int3 context,
 * which lockdep treats as NMI, where neither ktime_get() nor the module's
 * spinlocks may be used.  irq_work_queue() is NMI-safe.
 */
static void (*oomfrag_report)(const void *data);
static const void *oomfrag_report_data;

static void oomfrag_memcg_irq_work(struct irq_work *work)
{
	oomfrag_report(oomfrag_report_data);
}

static DEFINE_IRQ_WORK(oomfrag_memcg_work, oomfrag_memcg_irq_work);

void oomfrag_memcg_queue(void)
{
	irq_work_queue(&oomfrag_memcg_work);
}

#ifdef CONFIG_KPROBES
/*
 * The preferred node of a request: whose pglist_data holds its zonelist
 * (node_zonelist(nid, gfp_mask) is &NODE_DATA(nid)->node_zonelists[...]),
 * NUMA_NO_NODE without one.  Bounded by the online nodes; no lock.
 */
static int oomfrag_zonelist_node(const struct zonelist *zl)
{
	int nid;

	if (!zl)
		return NUMA_NO_NODE;
	for_each_online_node(nid) {
		const struct zonelist *lists = NODE_DATA(nid)->node_zonelists;

		if (zl >= lists && zl < lists + MAX_ZONELISTS)
			return nid;
	}
	return NUMA_NO_NODE;
}

/* Runs at out_of_memory() entry, before the notifier chain and the report. */
static int oomfrag_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct oom_control *oc =
		(const void *)regs_get_kernel_argument(regs, 0);
	const nodemask_t *nm = oc->nodemask;

	oomfrag_oom_entry(oc->order, (__force unsigned int)oc->gfp_mask,
			  oc->memcg != NULL, oc->zonelist != NULL,
			  oomfrag_zonelist_node(oc->zonelist),
			  nm ? nm->bits : NULL, BITS_TO_LONGS(MAX_NUMNODES));
	return 0;
}

static struct kprobe oomfrag_kp = {
	.symbol_name = "out_of_memory",
	.pre_handler = oomfrag_pre,
};

/*
 * One registration at a time: the irq_work reports to (report, data) until
 * oomfrag_kprobe_unregister() has returned.
 */
int oomfrag_kprobe_register(void (*report)(const void *data), const void *data)
{
	int ret;

	if (!oomfrag_param_kprobe)
		return -EOPNOTSUPP;
	if (oomfrag_report)
		return -EBUSY;
	oomfrag_report = report;
	oomfrag_report_data = data;
	ret = register_kprobe(&oomfrag_kp);
	if (ret)
		oomfrag_report = NULL;
	return ret;
}

/* Waits for running handlers and for the irq_work: then nothing reports. */
void oomfrag_kprobe_unregister(void)
{
	unregister_kprobe(&oomfrag_kp);
	irq_work_sync(&oomfrag_memcg_work);
	oomfrag_report = NULL;
}
#else
int oomfrag_kprobe_register(void (*report)(const void *data), const void *data)
{
	return -EOPNOTSUPP;
}

void oomfrag_kprobe_unregister(void)
{
}
#endif
