// SPDX-License-Identifier: GPL-2.0
/*
 * hog: a guest helper that takes user memory until the OOM killer ends it,
 * for the constrained-OOM scenarios of tools/testing/guest/scenarios.sh.
 *
 *   hog             touch anonymous memory, 1 MB at a time, forever
 *                   (run it inside a cpuset to get CONSTRAINT_CPUSET)
 *   hog --bind N    the same under set_mempolicy(MPOL_BIND, {N}), for
 *                   CONSTRAINT_MEMORY_POLICY
 *
 * Built static, for each guest architecture, against the kernel's own
 * nolibc (tools/include/nolibc) by tools/testing/check: busybox has no
 * numactl.  The same source builds with glibc (cc -static).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_BIND 2
#define CHUNK (1 << 20)

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--bind")) {
		char *end;
		unsigned long node = strtoul(argv[2], &end, 10);
		unsigned long mask[16] = { 0 };

		if (*end || node >= 16 * 8 * sizeof(long)) {
			fprintf(stderr, "hog: bad node '%s'\n", argv[2]);
			return 2;
		}
		mask[node / (8 * sizeof(long))] = 1UL << (node % (8 * sizeof(long)));
		if (syscall(__NR_set_mempolicy, MPOL_BIND, mask, 16 * 8 * sizeof(long))) {
			fprintf(stderr, "hog: set_mempolicy: %s\n", strerror(errno));
			return 1;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: hog [--bind NODE]\n");
		return 2;
	}
	for (;;) {
		char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			sleep(1);
			continue;
		}
		/* 4 kB: the smallest page size, so every page is touched. */
		for (long i = 0; i < CHUNK; i += 4096)
			p[i] = 1;
	}
}
