/* SPDX-License-Identifier: GPL-2.0 */
/* The C shims' interface to oomfrag's Rust code. */
#ifndef OOMFRAG_SHIM_H
#define OOMFRAG_SHIM_H

#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

/*
 * What the allocator and the OOM killer read from the allocating task
 * (capture.rs: TaskRaw, the same layout).  will_free_mem: 1 or 0 for
 * task_will_free_mem(current), -1 when it depends on other tasks sharing
 * the mm.
 */
struct oomfrag_task {
	char comm[TASK_COMM_LEN];
	int pid;
	int will_free_mem;
	bool rt;
	bool memalloc;
	bool oom_victim;
	bool kswapd;
	bool cpusets;
	unsigned long mems_allowed[BITS_TO_LONGS(MAX_NUMNODES)];
	unsigned long hardwall[BITS_TO_LONGS(MAX_NUMNODES)];
	unsigned long softwall[BITS_TO_LONGS(MAX_NUMNODES)];
};

struct zone;

/* capture.rs: records the request the OOM killer was invoked for. */
void oomfrag_oom_entry(int order, unsigned int gfp, bool memcg,
		       bool zonelist, int node, const unsigned long *nodes,
		       unsigned int nr_words);

/* module_shim.c: the `kprobe` module parameter. */
extern bool oomfrag_param_kprobe;

/*
 * capture_shim.c; registering the kprobe fails with -EOPNOTSUPP if
 * !oomfrag_param_kprobe.
 */
void oomfrag_memcg_queue(void);
int oomfrag_kprobe_register(void (*report)(const void *data),
			    const void *data);
void oomfrag_kprobe_unregister(void);
void oomfrag_current(struct oomfrag_task *t);

/*
 * live_shim.c: one zone as the watermark check reads it (live.rs:
 * ZoneRaw, the same layout).  nonempty[o] has bit mt set when
 * free_area[o].free_list[mt] is not empty.
 */
#define OOMFRAG_NR_WMARK 3
struct oomfrag_zone {
	unsigned long present;
	unsigned long managed;
	unsigned long free;
	unsigned long free_cma;
	unsigned long unaccepted;
	unsigned long free_highatomic;
	unsigned long reserved_highatomic;
	unsigned long wmark[OOMFRAG_NR_WMARK];
	unsigned long boost;
	long lowmem_reserve[MAX_NR_ZONES];
	unsigned long nr_free[NR_PAGE_ORDERS];
	unsigned int nonempty[NR_PAGE_ORDERS];
};
/* What live.rs's platform() decides grouping by mobility from. */
struct oomfrag_platform {
	unsigned long boot_total_pages;
	unsigned int pageblock_shift;	/* pageblock_order (a macro there) */
	unsigned int migrate_types;
};
void oomfrag_platform_read(struct oomfrag_platform *p);
unsigned int oomfrag_nr_node_ids(void);
bool oomfrag_node_online(unsigned int nid);
struct zone *oomfrag_populated_zone(unsigned int nid, unsigned int idx);
void oomfrag_zone_read(struct zone *zone, struct oomfrag_zone *z);
unsigned long oomfrag_count_order(struct zone *zone, unsigned int order,
				  unsigned long *counts, unsigned int nr_mt,
				  unsigned long limit);
u64 oomfrag_max_lock_ns(void);

/*
 * debugfs.rs: a file's functions and their state (struct Slot, the same
 * layout); debugfs_shim.c: the files, each with one as its i_private.
 */
struct seq_file;
struct oomfrag_file {
	int (*show)(const struct oomfrag_file *f, struct seq_file *m);
	ssize_t (*write)(const struct oomfrag_file *f, const char __user *buf,
			 size_t len);
	const void *state;
	const void *file;
};
struct dentry *oomfrag_debugfs_dir(const char *name);
int oomfrag_debugfs_file(struct dentry *dir, const char *name, bool writable,
			 const struct oomfrag_file *f);
void oomfrag_debugfs_remove(struct dentry *dir);
int oomfrag_seq_write(struct seq_file *m, const char *s, size_t len);

/* sync_shim.c: an irq-safe spinlock for sync.rs. */
void oomfrag_irq_lock_init(spinlock_t *lock);
unsigned long oomfrag_irq_lock(spinlock_t *lock);
void oomfrag_irq_unlock(spinlock_t *lock, unsigned long flags);

#endif
