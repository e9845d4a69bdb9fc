// SPDX-License-Identifier: GPL-2.0
/*
 * oomfrag_bench's probes (test use only; `make bench`): what Rust cannot
 * reach through the kernel's bindings (struct kprobe is not in them).
 *
 * OOM events, serialised by oom_lock (every caller of out_of_memory() holds
 * it), one record each:
 *
 *   - a kprobe on out_of_memory(), registered after oomfrag's, so its
 *     pre-handler runs first (the kernel calls an address's kprobes newest
 *     first) and its post-handler last, after every pre-handler and the
 *     single-stepped instruction: kprobe_ns covers oomfrag's own kprobe
 *     handler, which for a memory-cgroup OOM is oomfrag's whole OOM path;
 *   - two OOM notifiers (bench.rs) around oomfrag's (priority INT_MIN):
 *     one at INT_MIN + 1 runs just before it, one at INT_MIN registered
 *     after it runs just after: notifier_ns is oomfrag's notifier call,
 *     printing included;
 *   - kprobes on dump_header() and __oom_kill_process(): report_ns is the
 *     kernel's own report, from dump_header() entry to the kill.
 *
 * Lock holds: while armed, kprobes on _raw_spin_lock_irq{,save}() and
 * _raw_spin_unlock_irq{,restore}() time every hold of a zone->lock by a
 * task named "readloop" (tools/testing/guest/readloop.c), from the lock
 * call's entry to the unlock call's entry (interrupts are off in between).
 */
#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/string.h>

/* bench.rs's interface (declared there with the same types). */
void oomfrag_bench_notifier(bool after);
int oomfrag_bench_register(void);
void oomfrag_bench_unregister(void);
unsigned int oomfrag_bench_nr_events(void);
void oomfrag_bench_event(unsigned int i, u64 *out);
void oomfrag_bench_reset(void);
int oomfrag_bench_lock_arm(bool on);
void oomfrag_bench_lock_unregister(void);
void oomfrag_bench_lock_stats(u64 *out);

#define BENCH_EVENTS 1024

struct oomfrag_bench_event {
	u64 kprobe_ns;
	u64 notifier_ns;
	u64 report_ns;
};

static struct oomfrag_bench_event events[BENCH_EVENTS];
static unsigned int nr_events;	/* records begun, may exceed BENCH_EVENTS */
static u64 t_oom, t_notifier, t_report;

static struct oomfrag_bench_event *cur(void)
{
	return nr_events && nr_events <= BENCH_EVENTS ? &events[nr_events - 1] : NULL;
}

static int oom_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (nr_events < BENCH_EVENTS)
		memset(&events[nr_events], 0, sizeof(events[0]));
	nr_events++;
	t_notifier = t_report = 0;
	t_oom = ktime_get_ns();
	return 0;
}

static void oom_post(struct kprobe *p, struct pt_regs *regs, unsigned long flags)
{
	struct oomfrag_bench_event *e = cur();

	if (e)
		e->kprobe_ns = ktime_get_ns() - t_oom;
}

static int dump_header_pre(struct kprobe *p, struct pt_regs *regs)
{
	t_report = ktime_get_ns();
	return 0;
}

static int kill_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct oomfrag_bench_event *e = cur();

	if (e && t_report)
		e->report_ns = ktime_get_ns() - t_report;
	t_report = 0;
	return 0;
}

/* bench.rs's notifiers: @after 0 just before oomfrag's, 1 just after. */
void oomfrag_bench_notifier(bool after)
{
	struct oomfrag_bench_event *e = cur();

	if (!after) {
		t_notifier = ktime_get_ns();
		return;
	}
	if (e && t_notifier)
		e->notifier_ns = ktime_get_ns() - t_notifier;
	t_notifier = 0;
}

static struct kprobe oom_kp = {
	.symbol_name = "out_of_memory",
	.pre_handler = oom_pre,
	.post_handler = oom_post,
};
static struct kprobe dump_header_kp = {
	.symbol_name = "dump_header",
	.pre_handler = dump_header_pre,
};
static struct kprobe kill_kp = {
	.symbol_name = "__oom_kill_process",
	.pre_handler = kill_pre,
};
static struct kprobe *oom_kps[] = { &oom_kp, &dump_header_kp, &kill_kp };

int oomfrag_bench_register(void)
{
	return register_kprobes(oom_kps, ARRAY_SIZE(oom_kps));
}

void oomfrag_bench_unregister(void)
{
	unregister_kprobes(oom_kps, ARRAY_SIZE(oom_kps));
}

/* Readers of the oom file are not OOMs: a racy copy is good enough. */
unsigned int oomfrag_bench_nr_events(void)
{
	return min_t(unsigned int, READ_ONCE(nr_events), BENCH_EVENTS);
}

void oomfrag_bench_event(unsigned int i, u64 *out)
{
	out[0] = events[i].kprobe_ns;
	out[1] = events[i].notifier_ns;
	out[2] = events[i].report_ns;
}

void oomfrag_bench_reset(void)
{
	WRITE_ONCE(nr_events, 0);
}

/* ---- zone->lock holds ---------------------------------------------------- */

static atomic_t lock_armed = ATOMIC_INIT(0);
static spinlock_t *held;
static u64 t_held, max_hold_ns, nr_holds, sum_hold_ns;

static bool is_reader(void)
{
	/*
	 * in_task() cannot tell an interrupt from the reader here: a kprobe
	 * handler entered through int3 runs as an NMI.  An interrupt cannot
	 * land inside one of the reader's holds (interrupts are off); one
	 * that takes a zone->lock between two of them is counted as a hold
	 * of its own, as short as the interrupt's.
	 */
	return atomic_read(&lock_armed) && !strcmp(current->comm, "readloop");
}

static bool is_zone_lock(spinlock_t *lock)
{
	int nid, z;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (z = 0; z < MAX_NR_ZONES; z++)
			if (lock == &pgdat->node_zones[z].lock)
				return true;
	}
	return false;
}

static int lock_pre(struct kprobe *p, struct pt_regs *regs)
{
	spinlock_t *lock = (void *)regs_get_kernel_argument(regs, 0);

	if (is_reader() && is_zone_lock(lock)) {
		held = lock;
		t_held = ktime_get_ns();
	}
	return 0;
}

static int unlock_pre(struct kprobe *p, struct pt_regs *regs)
{
	spinlock_t *lock = (void *)regs_get_kernel_argument(regs, 0);
	u64 ns;

	if (!held || lock != held || !is_reader())
		return 0;
	ns = ktime_get_ns() - t_held;
	held = NULL;
	nr_holds++;
	sum_hold_ns += ns;
	if (ns > max_hold_ns)
		max_hold_ns = ns;
	return 0;
}

static struct kprobe lock_kps_storage[] = {
	{ .symbol_name = "_raw_spin_lock_irq", .pre_handler = lock_pre },
	{ .symbol_name = "_raw_spin_lock_irqsave", .pre_handler = lock_pre },
	{ .symbol_name = "_raw_spin_unlock_irq", .pre_handler = unlock_pre },
	{ .symbol_name = "_raw_spin_unlock_irqrestore", .pre_handler = unlock_pre },
};
static struct kprobe *lock_kps[] = {
	&lock_kps_storage[0], &lock_kps_storage[1],
	&lock_kps_storage[2], &lock_kps_storage[3],
};
static bool lock_registered;

/* Arms (registering the probes once) or disarms the hold timing. */
int oomfrag_bench_lock_arm(bool on)
{
	int ret;

	if (on && !lock_registered) {
		/* registered once, kept until the module goes */
		ret = register_kprobes(lock_kps, ARRAY_SIZE(lock_kps));
		if (ret)
			return ret;
		lock_registered = true;
	}
	if (on) {
		held = NULL;
		max_hold_ns = nr_holds = sum_hold_ns = 0;
	}
	atomic_set(&lock_armed, on);
	return 0;
}

void oomfrag_bench_lock_unregister(void)
{
	atomic_set(&lock_armed, 0);
	if (lock_registered)
		unregister_kprobes(lock_kps, ARRAY_SIZE(lock_kps));
	lock_registered = false;
}

void oomfrag_bench_lock_stats(u64 *out)
{
	out[0] = nr_holds;
	out[1] = max_hold_ns;
	out[2] = sum_hold_ns;
}
