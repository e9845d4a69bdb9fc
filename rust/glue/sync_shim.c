// SPDX-License-Identifier: GPL-2.0
/*
 * An irq-safe spinlock for sync.rs: the kernel crate's SpinLockIrq exists
 * only from Linux 7.3 on, spin_lock_irqsave() on every kernel oomfrag
 * builds against.
 */
#include <linux/spinlock.h>

#include "shim.h"

void oomfrag_irq_lock_init(spinlock_t *lock)
{
	spin_lock_init(lock);
}

unsigned long oomfrag_irq_lock(spinlock_t *lock)
{
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	return flags;
}

void oomfrag_irq_unlock(spinlock_t *lock, unsigned long flags)
{
	spin_unlock_irqrestore(lock, flags);
}
