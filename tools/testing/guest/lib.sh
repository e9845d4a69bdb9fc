# SPDX-License-Identifier: GPL-2.0
# Helpers for oomfrag's guest scripts (busybox sh).  Source, don't run.

D=/sys/kernel/debug/oomfrag
KO=/lib/oomfrag

# Results that tools/testing/check-console counts.
ok() { echo "GUEST-TEST ok $1"; }
fail() { echo "GUEST-TEST not ok $1 $2"; }
# check NAME CMD...: ok if CMD succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name" "command failed: $*"; fi
}

# The script and its parent must survive OOM kills.
protect() { echo -1000 > /proc/$$/oom_score_adj; }

# Start a process the OOM killer will choose; prints its pid.
victim() {
	sh -c 'echo 1000 > /proc/self/oom_score_adj; exec sleep 100000' \
		</dev/null >/dev/null 2>&1 &
	echo $!
}

# Kernel log lines since the marker line MARK was written to /dev/kmsg.
mark() { echo "oomfrag-test: mark $1" > /dev/kmsg; }
since() { dmesg | sed -n "/oomfrag-test: mark $1\$/,\$p"; }

# value KEY LINE: the value of key=value in LINE.
value() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
