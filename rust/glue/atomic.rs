// SPDX-License-Identifier: GPL-2.0

//! Atomics: the kernel's own (`kernel::sync::atomic`, Linux 7.2 and later),
//! or, on a kernel crate without them (6.12, `--cfg oomfrag_core_atomic`
//! from Kbuild), the same API over `core::sync::atomic`, as far as the
//! module uses it: `Atomic<T>` of `u64`, `u32`, `i32` and `bool`, `new`
//! (`const`), `load`, `store`, `fetch_add` and `cmpxchg` with the orderings
//! `Relaxed`, `Acquire` and `Release`.

#[cfg(not(oomfrag_core_atomic))]
pub(crate) use kernel::sync::atomic::{
    Acquire,
    Atomic,
    Relaxed,
    Release, //
};

#[cfg(oomfrag_core_atomic)]
pub(crate) use core_atomic::{
    Acquire,
    Atomic,
    Relaxed,
    Release, //
};

#[cfg(oomfrag_core_atomic)]
mod core_atomic {
    use core::{
        cell::UnsafeCell,
        sync::atomic::{
            AtomicBool,
            AtomicI32,
            AtomicU32,
            AtomicU64,
            Ordering, //
        }, //
    };

    /// A memory ordering, as a type (the kernel API's form).
    pub(crate) trait MemOrder: Copy {
        /// The ordering of `core`.
        const CORE: Ordering;
    }
    /// An ordering a load may have.
    pub(crate) trait LoadOrder: MemOrder {}
    /// An ordering a store may have.
    pub(crate) trait StoreOrder: MemOrder {}

    /// No ordering.
    #[derive(Clone, Copy)]
    pub(crate) struct Relaxed;
    /// Acquire ordering.
    #[derive(Clone, Copy)]
    pub(crate) struct Acquire;
    /// Release ordering.
    #[derive(Clone, Copy)]
    pub(crate) struct Release;

    impl MemOrder for Relaxed {
        const CORE: Ordering = Ordering::Relaxed;
    }
    impl MemOrder for Acquire {
        const CORE: Ordering = Ordering::Acquire;
    }
    impl MemOrder for Release {
        const CORE: Ordering = Ordering::Release;
    }
    impl LoadOrder for Relaxed {}
    impl LoadOrder for Acquire {}
    impl StoreOrder for Relaxed {}
    impl StoreOrder for Release {}

    /// A type with an atomic counterpart in `core` of the same size and
    /// alignment (checked at build time for each).
    pub(crate) trait AtomicType: Copy {
        /// The `core` atomic.
        type Core;
        /// The atomic at `p`.
        ///
        /// # Safety
        ///
        /// `p` is valid for `'a`, and only accessed atomically during `'a`.
        unsafe fn core<'a>(p: *mut Self) -> &'a Self::Core;
        /// `Core::load`.
        fn load(a: &Self::Core, o: Ordering) -> Self;
        /// `Core::store`.
        fn store(a: &Self::Core, v: Self, o: Ordering);
        /// `Core::compare_exchange`; a failed exchange has no ordering.
        fn cmpxchg(a: &Self::Core, old: Self, new: Self, o: Ordering) -> Result<Self, Self>;
    }

    /// An integer [`AtomicType`].
    pub(crate) trait AtomicAdd: AtomicType {
        /// `Core::fetch_add`.
        fn fetch_add(a: &Self::Core, v: Self, o: Ordering) -> Self;
    }

    macro_rules! atomic_type {
        ($t:ty, $core:ty) => {
            const _: () = assert!(
                core::mem::size_of::<$t>() == core::mem::size_of::<$core>()
                    && core::mem::align_of::<$t>() == core::mem::align_of::<$core>()
            );
            impl AtomicType for $t {
                type Core = $core;
                unsafe fn core<'a>(p: *mut Self) -> &'a $core {
                    // SAFETY: same size and alignment (asserted above); per
                    // the contract, `p` is valid and only accessed
                    // atomically for `'a`.
                    unsafe { <$core>::from_ptr(p) }
                }
                fn load(a: &$core, o: Ordering) -> Self {
                    a.load(o)
                }
                fn store(a: &$core, v: Self, o: Ordering) {
                    a.store(v, o)
                }
                fn cmpxchg(a: &$core, old: Self, new: Self, o: Ordering) -> Result<Self, Self> {
                    a.compare_exchange(old, new, o, Ordering::Relaxed)
                }
            }
        };
    }
    macro_rules! atomic_add {
        ($t:ty, $core:ty) => {
            atomic_type!($t, $core);
            impl AtomicAdd for $t {
                fn fetch_add(a: &$core, v: Self, o: Ordering) -> Self {
                    a.fetch_add(v, o)
                }
            }
        };
    }
    atomic_add!(u64, AtomicU64);
    atomic_add!(u32, AtomicU32);
    atomic_add!(i32, AtomicI32);
    atomic_type!(bool, AtomicBool);

    /// A `T` accessed only atomically (the kernel's `Atomic<T>`).
    #[repr(transparent)]
    pub(crate) struct Atomic<T: AtomicType>(UnsafeCell<T>);

    // SAFETY: the value is only accessed atomically, from any thread.
    unsafe impl<T: AtomicType + Send> Sync for Atomic<T> {}

    impl<T: AtomicType> Atomic<T> {
        /// An atomic holding `v`.
        pub(crate) const fn new(v: T) -> Self {
            Self(UnsafeCell::new(v))
        }

        fn core(&self) -> &T::Core {
            // SAFETY: the cell lives as long as `self`, and every access to
            // it goes through this function.
            unsafe { T::core(self.0.get()) }
        }

        /// Reads the value.
        pub(crate) fn load<O: LoadOrder>(&self, _: O) -> T {
            T::load(self.core(), O::CORE)
        }

        /// Writes `v`.
        pub(crate) fn store<O: StoreOrder>(&self, v: T, _: O) {
            T::store(self.core(), v, O::CORE)
        }

        /// Writes `new` if the value is `old`: `Ok(old)`, or `Err(value)`.
        pub(crate) fn cmpxchg<O: MemOrder>(&self, old: T, new: T, _: O) -> Result<T, T> {
            T::cmpxchg(self.core(), old, new, O::CORE)
        }
    }

    impl<T: AtomicAdd> Atomic<T> {
        /// Adds `v`, wrapping; the value before.
        pub(crate) fn fetch_add<O: MemOrder>(&self, v: T, _: O) -> T {
            T::fetch_add(self.core(), v, O::CORE)
        }
    }
}
