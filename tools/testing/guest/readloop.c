// SPDX-License-Identifier: GPL-2.0
/*
 * readloop: times whole reads of files, for `make bench`
 * (tools/testing/bench, tools/testing/guest/bench.sh).
 *
 *   readloop N FILE...
 *
 * Opens every FILE once, then N rounds of: for each FILE in turn, read it
 * whole with pread() from offset 0 until end of file (what `cat` reads),
 * timed with CLOCK_MONOTONIC.  Files are interleaved so that a slow
 * stretch of the (emulated) machine hits all of them alike.  Prints per
 * file:
 *
 *   READLOOP file=F reads=N bytes=B median_ns=M mean_ns=A min_ns=L
 *
 * bytes is the size of the last read.  The process is named "readloop":
 * oomfrag_bench times the zone->lock holds of tasks of that name.
 * Built static for the guest's architecture by tools/testing/bench
 * against the kernel's own nolibc (tools/include/nolibc), as hog.c is: the
 * guest has busybox only.  The same source builds with glibc (cc -static).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BUF (1 << 20)

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sorts @v (Shell's method: nolibc has no qsort()). */
static void sort(long long *v, long n)
{
	long gap, i, j;

	for (gap = n / 2; gap > 0; gap /= 2) {
		for (i = gap; i < n; i++) {
			long long x = v[i];

			for (j = i; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
	}
}

int main(int argc, char **argv)
{
	static char buf[BUF];
	long n, i;
	int nf, f;
	int *fds;
	long long **ns, *bytes;

	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: readloop N FILE...\n");
		return 2;
	}
	nf = argc - 2;
	fds = calloc(nf, sizeof(*fds));
	ns = calloc(nf, sizeof(*ns));
	bytes = calloc(nf, sizeof(*bytes));
	if (!fds || !ns || !bytes)
		return 1;
	for (f = 0; f < nf; f++) {
		fds[f] = open(argv[f + 2], O_RDONLY);
		ns[f] = calloc(n, sizeof(**ns));
		if (fds[f] < 0 || !ns[f]) {
			fprintf(stderr, "readloop: %s: %s\n", argv[f + 2], strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		for (f = 0; f < nf; f++) {
			long long t0 = now_ns(), off = 0;
			ssize_t r;

			/* pread(), which nolibc has only as the system call. */
			while ((r = syscall(__NR_pread64, fds[f], buf, BUF, off)) > 0)
				off += r;
			ns[f][i] = now_ns() - t0;
			if (r < 0) {
				fprintf(stderr, "readloop: %s: %s\n", argv[f + 2], strerror(errno));
				return 1;
			}
			bytes[f] = off;
		}
	}
	for (f = 0; f < nf; f++) {
		long long sum = 0;

		for (i = 0; i < n; i++)
			sum += ns[f][i];
		sort(ns[f], n);
		printf("READLOOP file=%s reads=%ld bytes=%lld median_ns=%lld mean_ns=%lld min_ns=%lld\n",
		       argv[f + 2], n, bytes[f], ns[f][n / 2], sum / n, ns[f][0]);
	}
	return 0;
}
