// SPDX-License-Identifier: GPL-2.0
/* live_shim.c again, for oomfrag_kunit.ko: an object belongs to one module. */
#include "../glue/live_shim.c"
