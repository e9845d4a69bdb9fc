/* SPDX-License-Identifier: GPL-2.0 */
/* The C shims' interface to oomfrag's Rust code. */
#ifndef OOMFRAG_SHIM_H
#define OOMFRAG_SHIM_H

#include <linux/types.h>

struct zone;

/* capture.rs: records the request the OOM killer was invoked for. */
void oomfrag_oom_entry(int order, unsigned int gfp, bool memcg,
		       const unsigned long *nodes, unsigned int nr_words,
		       const char *comm, int pid);

/* capture_shim.c */
int oomfrag_kprobe_register(void);
void oomfrag_kprobe_unregister(void);
void oomfrag_current(char *comm, int *pid);

/* live_shim.c */
unsigned long oomfrag_count_order(struct zone *zone, unsigned int order,
				  unsigned long *counts, unsigned int nr_mt,
				  unsigned long limit);
u64 oomfrag_max_lock_ns(void);

#endif
