/* SPDX-License-Identifier: GPL-2.0 */
/* The C shims' interface to oomfrag's Rust code. */
#ifndef OOMFRAG_SHIM_H
#define OOMFRAG_SHIM_H

#include <linux/nodemask.h>
#include <linux/sched.h>
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
		       bool zonelist, const unsigned long *nodes,
		       unsigned int nr_words);

/* capture.rs: reports the memcg OOM the kprobe handler queued. */
void oomfrag_memcg_report(void);

/* capture_shim.c */
void oomfrag_memcg_queue(void);
void oomfrag_memcg_sync(void);
int oomfrag_kprobe_register(void);
void oomfrag_kprobe_unregister(void);
void oomfrag_current(struct oomfrag_task *t);

/* live_shim.c */
unsigned long oomfrag_count_order(struct zone *zone, unsigned int order,
				  unsigned long *counts, unsigned int nr_mt,
				  unsigned long limit);
u64 oomfrag_max_lock_ns(void);

/* debugfs.rs: the files' contents; debugfs_shim.c: the files. */
#define OOMFRAG_MAX_FILES 16
struct seq_file;
int oomfrag_debugfs_show(const void *state, int id, struct seq_file *m);
ssize_t oomfrag_debugfs_write(const void *state, int id,
			      const char __user *buf, size_t len);
struct dentry *oomfrag_debugfs_dir(const char *name);
int oomfrag_debugfs_file(struct dentry *dir, const char *name, int id,
			 bool writable, const void *state);
void oomfrag_debugfs_remove(struct dentry *dir);

#endif
