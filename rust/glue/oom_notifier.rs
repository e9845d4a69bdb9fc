// SPDX-License-Identifier: GPL-2.0

//! A registration on the OOM notifier chain (`register_oom_notifier()`,
//! mm/oom_kill.c) that hands each call to a shared state, undone on drop.
//!
//! The kernel crate has no abstraction for this chain and its bindings lack
//! the two functions, so they are declared here.  Shared by oomfrag and the
//! stress sample (which includes this file by path): both get their state
//! back from the notifier block itself (`container_of!`), so no global
//! pointer has to be published and withdrawn around the registration.

use kernel::{
    bindings,
    ffi,
    prelude::*,
    sync::Arc,
    types::Opaque, //
};

unsafe extern "C" {
    fn register_oom_notifier(nb: *mut bindings::notifier_block) -> ffi::c_int;
    fn unregister_oom_notifier(nb: *mut bindings::notifier_block) -> ffi::c_int;
}

/// What runs on the OOM notifier chain: inside `out_of_memory()`, in process
/// context, under `oom_lock`, before the kernel's own report.
pub(crate) trait OomHandler: Send + Sync {
    /// One call of the chain; add the pages this callback freed to `freed`.
    fn on_oom(&self, freed: &mut ffi::c_ulong);
}

#[repr(C)]
struct Block<T> {
    nb: Opaque<bindings::notifier_block>,
    state: Arc<T>,
}

// SAFETY: once registered, `nb` is only read by the notifier chain (under
// its rwsem) and by `unregister_oom_notifier()`; Rust code never touches its
// fields.  `state` is an `Arc` of a `Send + Sync` type.
unsafe impl<T: Send + Sync> Sync for Block<T> {}
// SAFETY: see `Sync` above; the block holds no thread-bound data.
unsafe impl<T: Send + Sync> Send for Block<T> {}

/// A live registration on the OOM notifier chain, calling `T::on_oom`.
///
/// # Invariants
///
/// The boxed block is registered on the chain from `register` until `drop`
/// unregisters it; it is pinned, so the pointer the chain holds stays valid.
pub(crate) struct OomNotifier<T: OomHandler>(Pin<KBox<Block<T>>>);

impl<T: OomHandler> OomNotifier<T> {
    /// Registers `state` at `priority` (higher runs earlier).
    pub(crate) fn register(state: Arc<T>, priority: i32) -> Result<Self> {
        let nb = KBox::pin(
            Block {
                nb: Opaque::new(bindings::notifier_block {
                    notifier_call: Some(Self::call),
                    next: core::ptr::null_mut(),
                    priority,
                }),
                state,
            },
            GFP_KERNEL,
        )?;
        // SAFETY: `nb` is pinned in a box that `Self` keeps until `drop`
        // unregisters it; `call` is sound on the chain (see there).
        let ret = unsafe { register_oom_notifier(nb.nb.get()) };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(Self(nb))
    }

    /// The chain's callback: `(nb, 0, unsigned long *freed)`.
    ///
    /// # Safety
    ///
    /// Called only by the OOM notifier chain, with a block registered by
    /// [`Self::register`] and `freed` pointing to the chain's counter.
    unsafe extern "C" fn call(
        nb: *mut bindings::notifier_block,
        _action: ffi::c_ulong,
        freed: *mut ffi::c_void,
    ) -> ffi::c_int {
        let nb = nb.cast::<Opaque<bindings::notifier_block>>();
        // SAFETY: `nb` is the `nb` field of a live `Block<T>` (registered
        // in `register`, unregistered before the block is freed); `Block`
        // is `repr(C)`, so the field offset is the one computed.
        let block = unsafe { &*kernel::container_of!(nb, Block<T>, nb) };
        // SAFETY: the chain passes `unsigned long *freed`, valid for the
        // call and written by one callback at a time (the chain runs under
        // `oom_lock`).
        let freed = unsafe { &mut *freed.cast::<ffi::c_ulong>() };
        block.state.on_oom(freed);
        bindings::NOTIFY_DONE as ffi::c_int
    }
}

impl<T: OomHandler> Drop for OomNotifier<T> {
    fn drop(&mut self) {
        // SAFETY: registered in `register` with this pinned block (type
        // invariant); unregistering waits for running callbacks (the
        // chain's rwsem), so the block and its state outlive them.
        unsafe { unregister_oom_notifier(self.0.nb.get()) };
    }
}
