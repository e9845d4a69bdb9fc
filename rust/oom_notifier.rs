// SPDX-License-Identifier: GPL-2.0

//! A registration on the OOM notifier chain (`register_oom_notifier()`,
//! mm/oom_kill.c), undone on drop.
//!
//! The kernel crate has no abstraction for this chain and its bindings lack
//! the two functions, so they are declared here.  Shared by oomfrag and the
//! stress sample (which includes this file by path).

use kernel::{bindings, ffi, prelude::*, types::Opaque};

unsafe extern "C" {
    fn register_oom_notifier(nb: *mut bindings::notifier_block) -> ffi::c_int;
    fn unregister_oom_notifier(nb: *mut bindings::notifier_block) -> ffi::c_int;
}

/// The chain's callback: `(nb, 0, unsigned long *freed)`.
pub type Callback = unsafe extern "C" fn(
    *mut bindings::notifier_block,
    ffi::c_ulong,
    *mut ffi::c_void,
) -> ffi::c_int;

struct Block(Opaque<bindings::notifier_block>);

// SAFETY: once registered, the block is only read by the notifier chain
// (under its rwsem) and by `unregister_oom_notifier()`; Rust code never
// touches its fields, so sharing it between threads is sound.
unsafe impl Sync for Block {}
// SAFETY: see `Sync` above; the block holds no thread-bound data.
unsafe impl Send for Block {}

/// A live registration on the OOM notifier chain.
pub struct OomNotifier(Pin<KBox<Block>>);

impl OomNotifier {
    /// Registers `call` at `priority` (higher runs earlier).
    ///
    /// # Safety
    ///
    /// `call` must be sound to run on the OOM notifier chain (process
    /// context, under `oom_lock`, `data` pointing to the chain's
    /// `unsigned long freed`) for as long as the returned value lives.
    pub unsafe fn register(call: Callback, priority: i32) -> Result<Self> {
        let nb = KBox::pin(
            Block(Opaque::new(bindings::notifier_block {
                notifier_call: Some(call),
                next: core::ptr::null_mut(),
                priority,
            })),
            GFP_KERNEL,
        )?;
        // SAFETY: `nb` is pinned in a box that `Self` keeps until `drop`
        // unregisters it; the caller vouches for `call`.
        let ret = unsafe { register_oom_notifier(nb.0.get()) };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(Self(nb))
    }
}

impl Drop for OomNotifier {
    fn drop(&mut self) {
        // SAFETY: registered in `register` with this pinned block;
        // unregistering waits for running callbacks (the chain's rwsem).
        unsafe { unregister_oom_notifier(self.0 .0.get()) };
    }
}
