// SPDX-License-Identifier: GPL-2.0

//! A spinlock taken with interrupts disabled, for data shared with hard
//! interrupt context (the memory-cgroup OOM's irq_work).
//!
//! The kernel crate's `SpinLockIrq` exists only from Linux 7.3 on; this is
//! C's `spin_lock_irqsave()` / `spin_unlock_irqrestore()`, stable across
//! the kernels oomfrag builds against, through `sync_shim.c`.

use core::{
    cell::UnsafeCell,
    marker::PhantomData,
    ops::{
        Deref,
        DerefMut, //
    }, //
};
use kernel::{
    bindings,
    ffi,
    prelude::*,
    types::Opaque, //
};

unsafe extern "C" {
    fn oomfrag_irq_lock_init(lock: *mut bindings::spinlock_t);
    fn oomfrag_irq_lock(lock: *mut bindings::spinlock_t) -> ffi::c_ulong;
    fn oomfrag_irq_unlock(lock: *mut bindings::spinlock_t, flags: ffi::c_ulong);
}

/// A `T` behind a `spinlock_t` taken with `spin_lock_irqsave()`.
///
/// # Invariants
///
/// `lock` was initialised by `spin_lock_init()`; `data` is accessed only
/// by the holder of `lock` (through a [`SpinLockIrqGuard`]).
#[pin_data]
pub(crate) struct SpinLockIrq<T> {
    #[pin]
    lock: Opaque<bindings::spinlock_t>,
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands `data` to one holder at a time, on any CPU.
unsafe impl<T: Send> Send for SpinLockIrq<T> {}
// SAFETY: as above: `&SpinLockIrq<T>` gives `&mut T` only under the lock.
unsafe impl<T: Send> Sync for SpinLockIrq<T> {}

impl<T> SpinLockIrq<T> {
    /// A lock holding `data`.
    pub(crate) fn new(data: T) -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: `spin_lock_init()` initialises the `spinlock_t` in
            // place, and needs nothing else.
            lock <- Opaque::ffi_init(|p| unsafe { oomfrag_irq_lock_init(p) }),
            data: UnsafeCell::new(data),
        })
    }

    /// Disables interrupts and takes the lock, until the guard is dropped.
    pub(crate) fn lock(&self) -> SpinLockIrqGuard<'_, T> {
        // SAFETY: `lock` is initialised (type invariant); the guard
        // releases it with these flags.
        let flags = unsafe { oomfrag_irq_lock(self.lock.get()) };
        SpinLockIrqGuard {
            lock: self,
            flags,
            _not_send: PhantomData,
        }
    }
}

/// The held lock of a [`SpinLockIrq`]; released (and interrupts restored)
/// on drop, on the CPU that took it (the guard is not `Send`).
pub(crate) struct SpinLockIrqGuard<'a, T> {
    lock: &'a SpinLockIrq<T>,
    flags: ffi::c_ulong,
    _not_send: PhantomData<*mut ()>,
}

impl<T> Deref for SpinLockIrqGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no one else accesses `data`.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for SpinLockIrqGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for SpinLockIrqGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: the guard holds the lock, taken with these flags on this
        // CPU.
        unsafe { oomfrag_irq_unlock(self.lock.lock.get(), self.flags) };
    }
}
