/* SPDX-License-Identifier: GPL-2.0 */
/* The C shim's interface to oomfrag's Rust code (see shim.c). */
#ifndef OOMFRAG_SHIM_H
#define OOMFRAG_SHIM_H

#include <linux/types.h>

struct zone;

/* Rust: records the request the OOM killer was invoked for. */
void oomfrag_oom_entry(int order, unsigned int gfp, bool memcg,
		       unsigned long nodes, const char *comm, int pid);

int oomfrag_kprobe_register(void);
void oomfrag_kprobe_unregister(void);
void oomfrag_current(char *comm, int *pid);
unsigned long oomfrag_count_order(struct zone *zone, unsigned int order,
				  unsigned long *counts, unsigned int nr_mt,
				  unsigned long limit);

#endif
