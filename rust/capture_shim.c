// SPDX-License-Identifier: GPL-2.0
/*
 * What oomfrag's Rust cannot express through the kernel's Rust bindings:
 * struct kprobe and struct oom_control are not in them, and task_struct's
 * fields read wrong through them.  A kprobe at out_of_memory() entry hands
 * the request to Rust (capture.rs).
 */
#include <linux/kprobes.h>
#include <linux/nodemask.h>
#include <linux/oom.h>
#include <linux/sched.h>

#include "shim.h"

/* The current task's name and pid, for the notifier. */
void oomfrag_current(char *comm, int *pid)
{
	strscpy(comm, current->comm, TASK_COMM_LEN);
	*pid = task_pid_nr(current);
}

#ifdef CONFIG_KPROBES
/* Runs at out_of_memory() entry, before the notifier chain and the report. */
static int oomfrag_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct oom_control *oc =
		(const void *)regs_get_kernel_argument(regs, 0);
	const nodemask_t *nm = oc->nodemask;

	oomfrag_oom_entry(oc->order, (__force unsigned int)oc->gfp_mask,
			  oc->memcg != NULL, nm ? nm->bits : NULL,
			  BITS_TO_LONGS(MAX_NUMNODES), current->comm,
			  task_pid_nr(current));
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
