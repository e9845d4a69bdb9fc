// SPDX-License-Identifier: GPL-2.0
/*
 * soak-helper: the parts of `make soak` (tools/testing/guest/soak.sh) that
 * busybox sh would make too slow or cannot do: thousands of malformed
 * writes to oomfrag's `query` file, reads with tiny buffers and at odd
 * offsets, and memory hogs.  Built static by tools/testing/soak and put in
 * the guest's /bin.
 *
 *   soak-helper fuzz QUERYFILE N SEED
 *	N malformed writes, in turn of each kind below; each must fail with
 *	EINVAL (EFAULT for a bad buffer, ESPIPE for pwrite(): the file has no
 *	positioned writes; a write after lseek() ignores the position and is
 *	judged as any write) and leave the query the file shows
 *	(its order= gfp= nodemask= fields) as it was.  Prints one
 *	"SOAK fuzz kind=K writes=N refused=N wrong_error=N accepted=N
 *	changed=N" line per kind; exits 1 if any write was accepted, got
 *	another error, or changed the query.
 *   soak-helper reads FILE... -- ROUNDS
 *	per round and file: read to the end 1 byte at a time, then with 7-
 *	and 4096-byte buffers, then pread() at odd offsets (1, 7, 4095, 4097,
 *	1 MiB, 2^62).  A file that goes away (module unloaded) is not an
 *	error; any other failure is.  Prints "SOAK reads opens=N reads=N
 *	bytes=N gone=N enomem=N errors=N" (ENOMEM: fault injection).
 *   soak-helper readloop STOPFILE GATEFILE FILE...
 *	as reads, over and over until STOPFILE exists (a debugfs reader
 *	during load/unload cycles).  While GATEFILE exists, no file is
 *	opened: an open file pins the module, and the cycles' rmmod, after
 *	some tries that race with the readers, raises the gate until it is
 *	through.
 *   soak-helper openloop STOPFILE FILE...
 *	opens each file, reads a byte, closes it, over and over (a pause of
 *	up to 1 ms after each) until STOPFILE exists, with no gate: its opens
 *	race with the cycles' rmmod.  Prints "SOAK openloop opens=N gone=N
 *	errors=N".
 *   soak-helper writeloop STOPFILE GATEFILE QUERYFILE
 *	writes good and bad queries until STOPFILE exists, with the same
 *	gate; prints counts.
 * With SOAK_MAKE_IT_FAIL=1 in the environment, any command first sets its
 * own /proc/self/make-it-fail: fault injection for its own allocations
 * (after exec, which would itself fail).
 *
 *   soak-helper hog MB ADJ [FAIL]
 *	sets its oom_score_adj to ADJ (and with FAIL 1, its make-it-fail:
 *	fault injection for its own allocations), touches MB MiB of anonymous
 *	memory (0: until killed; a failed mmap is retried), then sleeps until
 *	killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The request part of the query file: order=, gfp=, nodemask= of its
 * first event line (verdict and zone figures move with memory). */
static int query_sig(const char *path, char *sig, size_t len)
{
	char buf[8192], *line, *tok, *save;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	line = strstr(buf, "event=oom ");
	if (!line)
		return -1;
	line[strcspn(line, "\n")] = 0;
	sig[0] = 0;
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "order=", 6) || !strncmp(tok, "gfp=", 4) ||
		    !strncmp(tok, "nodemask=", 9)) {
			strncat(sig, tok, len - strlen(sig) - 2);
			strcat(sig, " ");
		}
	}
	return 0;
}

enum kind {
	K_RANDOM, K_OVERLONG, K_NUL, K_HUGE, K_BADVALUE, K_PARTIAL, K_OFFSET,
	K_EFAULT, NR_KINDS
};
static const char *const kind_name[NR_KINDS] = {
	"random_bytes", "overlong", "embedded_nul", "huge_number",
	"bad_value", "partial_write", "write_at_offset", "bad_buffer",
};

/* Every keyword with values it must refuse, and other malformed text. */
static const char *const bad_values[] = {
	"order=", "order=-1", "order=x", "order=1x", "order=0x", "order=99",
	"order=11", "order= 1", "order==1", "order=1.5", "order=+1",
	"gfp=", "gfp=GFP_BOGUS", "gfp=|", "gfp=GFP_KERNEL|", "gfp=|GFP_KERNEL",
	"gfp=GFP_KERNEL||__GFP_NOWARN", "gfp=0x", "gfp=0xg", "gfp=-1",
	"gfp=__GFP_DMA|__GFP_DMA32", "gfp=__GFP_DMA|__GFP_HIGHMEM",
	"gfp=0x3", "gfp=gfp_kernel", "gfp=GFP_KERNEL,__GFP_NOWARN",
	"node=", "node=-1", "node=x", "node=999", "node=65535", "node=65536",
	"node=0x", "order", "gfp", "node", "=", "=1", "order:1", "ORDER=1",
	"order=1 order=1", "gfp=GFP_KERNEL gfp=GFP_KERNEL", "node=0 node=0",
	"bogus=1", "order=1 bogus", "order=1 gfp=GFP_KERNEL x=",
};
static const char *const huge_values[] = {
	"order=18446744073709551616", "order=99999999999999999999999999",
	"order=4294967296", "order=256", "gfp=0x100000000",
	"gfp=0xffffffffffffffffffff", "gfp=18446744073709551615",
	"gfp=99999999999999999999", "node=18446744073709551615",
	"node=4294967296", "node=99999999999999999999999",
	"order=0x10000000000000000",
};

/* One malformed input of kind @k into @buf; returns its length. */
static size_t make_input(enum kind k, char *buf, size_t cap)
{
	size_t n, i;

	switch (k) {
	case K_RANDOM:
		/* Random bytes with at least one control character or
		 * byte that is not UTF-8, so it cannot be a valid query. */
		n = 1 + rnd() % 255;
		for (i = 0; i < n; i++)
			buf[i] = rnd();
		i = rnd() % n;
		buf[i] = (rnd() & 1) ? 0xff : 1 + rnd() % 8;
		return n;
	case K_OVERLONG:
		/* Valid words, more than the 256 bytes a query may have. */
		n = 257 + rnd() % (cap - 257);
		for (i = 0; i < n; i++)
			buf[i] = "order=1 "[i % 8];
		return n;
	case K_NUL: {
		static const char good[] = "order=1 gfp=GFP_KERNEL";

		n = sizeof(good) - 1;
		memcpy(buf, good, n);
		buf[rnd() % (n + 1)] = 0;
		return n + 1;
	}
	case K_HUGE:
		snprintf(buf, cap, "%s",
			 huge_values[rnd() % (sizeof(huge_values) / sizeof(*huge_values))]);
		return strlen(buf);
	default:
		snprintf(buf, cap, "%s%s",
			 bad_values[rnd() % (sizeof(bad_values) / sizeof(*bad_values))],
			 (rnd() & 1) ? "\n" : "");
		return strlen(buf);
	}
}

static int cmd_fuzz(const char *path, long total, unsigned long seed)
{
	long writes[NR_KINDS] = {0}, refused[NR_KINDS] = {0};
	long wrong[NR_KINDS] = {0}, accepted[NR_KINDS] = {0};
	long changed[NR_KINDS] = {0};
	char base[512], now[512], buf[1024];
	int bad = 0, k;
	long i;

	rng_state ^= seed * 0x9e3779b97f4a7c15ULL;
	if (query_sig(path, base, sizeof(base))) {
		fprintf(stderr, "soak-helper: cannot read %s\n", path);
		return 2;
	}
	for (i = 0; i < total; i++) {
		enum kind kd = i % NR_KINDS;
		int fd = open(path, O_WRONLY);
		ssize_t r;
		int want = EINVAL, e;

		if (fd < 0) {
			perror("soak-helper: open");
			return 2;
		}
		writes[kd]++;
		switch (kd) {
		case K_PARTIAL: {
			/* A valid query cut in two writes: each is judged
			 * alone, and each half is malformed. */
			static const char *const halves[][2] = {
				{"order=", "2 gfp=GFP_KERNEL"},
				{"order=2 gfp=GFP_", "KERNEL"},
				{"gfp=GFP_KERNEL|", "__GFP_NOWARN"},
				{"or", "der=1"},
			};
			int h = rnd() % 4;

			r = write(fd, halves[h][0], strlen(halves[h][0]));
			e = errno;
			if (r >= 0 || e != EINVAL) {
				if (r >= 0)
					accepted[kd]++;
				else
					wrong[kd]++;
				bad = 1;
			} else {
				refused[kd]++;
			}
			writes[kd]++;
			r = write(fd, halves[h][1], strlen(halves[h][1]));
			break;
		}
		case K_OFFSET: {
			size_t n = make_input(K_BADVALUE, buf, sizeof(buf));
			off_t offs[] = {1, 3, 255, 256, 4096, 1 << 20, (off_t)1 << 40};
			off_t off = offs[rnd() % 7];

			if (rnd() & 1) {
				want = ESPIPE;
				r = pwrite(fd, buf, n, off);
			} else {
				lseek(fd, off, SEEK_SET);
				r = write(fd, buf, n);
			}
			break;
		}
		case K_EFAULT:
			/* A buffer the kernel cannot read. */
			want = EFAULT;
			r = write(fd, (void *)(uintptr_t)(4096 * (1 + rnd() % 15)),
				  1 + rnd() % 200);
			break;
		default:
			r = write(fd, buf, make_input(kd, buf, sizeof(buf)));
			break;
		}
		e = errno;
		close(fd);
		if (r >= 0) {
			accepted[kd]++;
			bad = 1;
		} else if (e != want) {
			wrong[kd]++;
			bad = 1;
			if (wrong[kd] <= 3)
				fprintf(stderr, "soak-helper: %s: errno %d, want %d\n",
					kind_name[kd], e, want);
		} else {
			refused[kd]++;
		}
		if (query_sig(path, now, sizeof(now)) || strcmp(now, base)) {
			changed[kd]++;
			bad = 1;
		}
	}
	for (k = 0; k < NR_KINDS; k++)
		printf("SOAK fuzz kind=%s writes=%ld refused=%ld wrong_error=%ld accepted=%ld changed=%ld\n",
		       kind_name[k], writes[k], refused[k], wrong[k], accepted[k],
		       changed[k]);
	return bad;
}

struct read_counts {
	long opens, reads, bytes, gone, enomem, errors;
};

static int gone_errno(int e)
{
	/* A debugfs file being removed: ENOENT at open, ENXIO at an open
	 * that lost the race with rmmod (the owner is going), EIO or ENODEV
	 * on a file that was open. */
	return e == ENOENT || e == ENXIO || e == EIO || e == ENODEV;
}

static void read_one(const char *path, struct read_counts *c)
{
	static const size_t sizes[] = {1, 7, 4096};
	static const off_t offs[] = {1, 7, 4095, 4097, 1 << 20, (off_t)1 << 62};
	char buf[4096];
	unsigned int s, o;

	for (s = 0; s < 3; s++) {
		int fd = open(path, O_RDONLY);
		ssize_t r;

		if (fd < 0) {
			if (gone_errno(errno))
				c->gone++;
			else if (errno == ENOMEM)
				c->enomem++;
			else
				c->errors++;
			return;
		}
		c->opens++;
		while ((r = read(fd, buf, sizes[s])) > 0) {
			c->reads++;
			c->bytes += r;
		}
		if (r < 0) {
			if (gone_errno(errno))
				c->gone++;
			else if (errno == ENOMEM)
				c->enomem++;
			else
				c->errors++;
		}
		if (s == 2) {
			for (o = 0; o < 6; o++) {
				r = pread(fd, buf, 1 + rnd() % sizeof(buf), offs[o]);
				if (r >= 0) {
					c->reads++;
					c->bytes += r;
				} else if (gone_errno(errno)) {
					c->gone++;
				} else if (errno == ENOMEM) {
					c->enomem++;
				} else {
					c->errors++;
				}
			}
		}
		close(fd);
	}
}

static void print_reads(const char *what, const struct read_counts *c)
{
	printf("SOAK %s opens=%ld reads=%ld bytes=%ld gone=%ld enomem=%ld errors=%ld\n",
	       what, c->opens, c->reads, c->bytes, c->gone, c->enomem, c->errors);
}

/* Wait while GATE exists (the cycles' rmmod wants every file closed). */
static void wait_gate(const char *gate)
{
	while (gate && access(gate, F_OK) == 0)
		usleep(1000);
}

static int cmd_readloop(const char *stop, const char *gate, char **files, int nfiles,
			long rounds)
{
	struct read_counts c = {0};
	long round;
	int i;

	for (round = 0; rounds ? round < rounds : access(stop, F_OK) != 0; round++)
		for (i = 0; i < nfiles; i++) {
			wait_gate(gate);
			read_one(files[i], &c);
		}
	print_reads(rounds ? "reads" : "readloop", &c);
	return c.errors != 0;
}

static int cmd_openloop(const char *stop, char **files, int nfiles)
{
	long opens = 0, gone = 0, errors = 0;
	char b;
	int i;

	while (access(stop, F_OK) != 0)
		for (i = 0; i < nfiles; i++) {
			int fd = open(files[i], O_RDONLY);

			if (fd < 0) {
				if (gone_errno(errno))
					gone++;
				else
					errors++;
			} else {
				opens++;
				if (read(fd, &b, 1) < 0 && !gone_errno(errno))
					errors++;
				close(fd);
			}
			usleep(rnd() % 1000);
		}
	printf("SOAK openloop opens=%ld gone=%ld errors=%ld\n", opens, gone, errors);
	return errors != 0;
}

static int cmd_writeloop(const char *stop, const char *gate, const char *path)
{
	static const char *const q[] = {
		"order=1 gfp=GFP_KERNEL", "order=3 gfp=GFP_HIGHUSER_MOVABLE",
		"order=99", "gfp=GFP_BOGUS", "order=0 gfp=GFP_ATOMIC", "x",
	};
	long ok = 0, refused = 0, gone = 0, errors = 0, i;

	for (i = 0; access(stop, F_OK) != 0; i++) {
		const char *s = q[i % 6];
		int fd;

		wait_gate(gate);
		fd = open(path, O_WRONLY);
		if (fd < 0) {
			if (gone_errno(errno))
				gone++;
			else
				errors++;
			continue;
		}
		if (write(fd, s, strlen(s)) >= 0)
			ok++;
		else if (errno == EINVAL)
			refused++;
		else if (gone_errno(errno))
			gone++;
		else
			errors++;
		close(fd);
	}
	printf("SOAK writeloop ok=%ld refused=%ld gone=%ld errors=%ld\n",
	       ok, refused, gone, errors);
	return errors != 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int cmd_hog(long mb, const char *adj, int fail)
{
	long page = sysconf(_SC_PAGESIZE), tries = 0;

	if (write_file("/proc/self/oom_score_adj", adj)) {
		perror("soak-helper: oom_score_adj");
		return 2;
	}
	if (fail && write_file("/proc/self/make-it-fail", "1")) {
		perror("soak-helper: make-it-fail");
		return 2;
	}
	for (long done = 0; !mb || done < mb; done++) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			/* Fault injection, or the ballast is as big as it
			 * gets: retry a while. */
			if (++tries > 100000) {
				perror("soak-helper: mmap");
				break;
			}
			done--;
			continue;
		}
		for (long i = 0; i < (1 << 20); i += page)
			p[i] = 1;
	}
	if (mb) {
		/* Tell the script the ballast is in place. */
		int fd = open("/tmp/hog.ready", O_WRONLY | O_CREAT, 0644);

		if (fd >= 0)
			close(fd);
	}
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *fail = getenv("SOAK_MAKE_IT_FAIL");

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fail && !strcmp(fail, "1") && write_file("/proc/self/make-it-fail", "1")) {
		perror("soak-helper: make-it-fail");
		return 2;
	}
	if (argc == 5 && !strcmp(argv[1], "fuzz"))
		return cmd_fuzz(argv[2], atol(argv[3]), strtoul(argv[4], NULL, 0));
	if (argc >= 5 && !strcmp(argv[1], "reads") && !strcmp(argv[argc - 2], "--"))
		return cmd_readloop(NULL, NULL, argv + 2, argc - 4, atol(argv[argc - 1]));
	if (argc >= 5 && !strcmp(argv[1], "readloop"))
		return cmd_readloop(argv[2], argv[3], argv + 4, argc - 4, 0);
	if (argc >= 4 && !strcmp(argv[1], "openloop"))
		return cmd_openloop(argv[2], argv + 3, argc - 3);
	if (argc == 5 && !strcmp(argv[1], "writeloop"))
		return cmd_writeloop(argv[2], argv[3], argv[4]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "hog"))
		return cmd_hog(atol(argv[2]), argv[3], argc == 5 && atoi(argv[4]));
	fprintf(stderr, "usage: see the comment at the top of soak-helper.c\n");
	return 2;
}
