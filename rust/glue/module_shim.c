// SPDX-License-Identifier: GPL-2.0
/*
 * What the module! macro says differently on each kernel oomfrag builds
 * against, said in C instead: the author (module!'s key is `authors:` in
 * 7.x, `author:` in 6.12) and the parameter (module! has bool parameters
 * only from 7.3 on, no parameters at all in 6.12).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "shim.h"

MODULE_AUTHOR("The oomfrag developers");

bool oomfrag_param_kprobe = true;
/* 0: not in sysfs, as module!'s parameters. */
module_param_named(kprobe, oomfrag_param_kprobe, bool, 0);
MODULE_PARM_DESC(kprobe,
		 "Capture the request at out_of_memory() with a kprobe (0: as without CONFIG_KPROBES)");
