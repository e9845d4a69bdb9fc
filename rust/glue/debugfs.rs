// SPDX-License-Identifier: GPL-2.0

//! debugfs files owned by the module, whose contents come from Rust
//! functions over a shared state.
//!
//! The files are created by `debugfs_shim.c` with the module as their
//! `file_operations` owner: the kernel's Rust debugfs abstraction sets none,
//! so an open file would not pin the module and its `close()` after `rmmod`
//! would oops.  Each file's `i_private` is a [`Slot`] of this module, which
//! carries the state and the file's functions back to Rust.

use core::fmt::{
    Display,
    Formatter,
    Result as FmtResult,
    Write, //
};
use kernel::{
    ffi,
    prelude::*,
    sync::Arc,
    uaccess::{
        UserPtr,
        UserSlice,
        UserSliceReader, //
    }, //
};

/// One file: its name, what it shows and, if it is writable, what a write
/// does.
pub(crate) struct File<T> {
    /// The file's name in the directory (`core`'s `CStr`, what `c"..."`
    /// makes on every kernel: 6.12's prelude `CStr` is another type).
    pub(crate) name: &'static core::ffi::CStr,
    /// Writes the file's contents.
    pub(crate) show: fn(&T, &mut Formatter<'_>) -> FmtResult,
    /// Takes a write; `None` for a read-only file.
    pub(crate) write: Option<fn(&T, &mut UserSliceReader) -> Result>,
}

/// `struct oomfrag_file` of shim.h: what the shim's callbacks get back
/// from a file's `i_private`.
#[repr(C)]
struct Slot {
    show: unsafe extern "C" fn(*const Slot, *mut ffi::c_void) -> ffi::c_int,
    write: unsafe extern "C" fn(*const Slot, *const u8, usize) -> isize,
    state: *const ffi::c_void,
    file: *const ffi::c_void,
}

unsafe extern "C" {
    fn oomfrag_debugfs_dir(name: *const ffi::c_char) -> *mut ffi::c_void;
    fn oomfrag_debugfs_file(
        dir: *mut ffi::c_void,
        name: *const ffi::c_char,
        writable: bool,
        slot: *const Slot,
    ) -> ffi::c_int;
    fn oomfrag_debugfs_remove(dir: *mut ffi::c_void);
    fn oomfrag_seq_write(m: *mut ffi::c_void, s: *const u8, len: usize) -> ffi::c_int;
}

/// A C string's pointer, as the shims take it.
fn c_ptr(s: &core::ffi::CStr) -> *const ffi::c_char {
    s.to_bytes_with_nul().as_ptr().cast()
}

/// The `seq_file` of a show call, written through the shim: the kernel
/// crate's `SeqFile` and `seq_print!` do not exist in 6.12.
///
/// # Invariants
///
/// The pointer is the `seq_file` of the show call in progress.
struct Seq(*mut ffi::c_void);

impl Write for Seq {
    /// Fails once the buffer has overflowed: `seq_read()` then calls the
    /// show function again with a larger one, so formatting stops there.
    fn write_str(&mut self, s: &str) -> FmtResult {
        // SAFETY: the `seq_file` is being filled (type invariant) and `s`
        // is `s.len()` bytes.
        match unsafe { oomfrag_seq_write(self.0, s.as_ptr(), s.len()) } {
            0 => Ok(()),
            _ => Err(core::fmt::Error),
        }
    }
}

/// A user address as this kernel crate's `UserPtr`.
#[cfg(not(oomfrag_user_ptr_usize))]
fn user_ptr(buf: *const u8) -> UserPtr {
    UserPtr::from_ptr(buf.cast_mut().cast())
}

/// A user address as this kernel crate's `UserPtr`, a plain `usize` (6.12,
/// `--cfg oomfrag_user_ptr_usize` from Kbuild).
#[cfg(oomfrag_user_ptr_usize)]
fn user_ptr(buf: *const u8) -> UserPtr {
    buf as usize
}

/// A show function as a [`Display`], so that it formats straight into the
/// `seq_file`.
struct Show<'a, T>(&'a T, fn(&T, &mut Formatter<'_>) -> FmtResult);

impl<T> Display for Show<'_, T> {
    fn fmt(&self, f: &mut Formatter<'_>) -> FmtResult {
        (self.1)(self.0, f)
    }
}

/// A directory of debugfs files over the state `T`, removed on drop.
///
/// # Invariants
///
/// `dir` is the directory `oomfrag_debugfs_dir()` created (or an error
/// pointer, which `debugfs_remove()` ignores).  Each file's `i_private` is
/// an element of `slots`, which is neither resized nor moved while the
/// files exist, and whose `state` and `file` point into `state` and
/// `files`.  Both outlive the files: [`Drop`] removes the directory first,
/// and `debugfs_remove()` waits for callbacks in progress (an open file
/// pins the module, so none comes after).
pub(crate) struct Files<T: Send + Sync + 'static> {
    dir: *mut ffi::c_void,
    slots: KVec<Slot>,
    files: &'static [File<T>],
    _state: Arc<T>,
}

// SAFETY: the pointers are only handed to debugfs (which may be called from
// any thread); the state is `Send + Sync`.
unsafe impl<T: Send + Sync> Send for Files<T> {}
// SAFETY: `&Files` gives access to nothing.
unsafe impl<T: Send + Sync> Sync for Files<T> {}

impl<T: Send + Sync + 'static> Files<T> {
    /// Creates the directory `name` at the debugfs root with `files`, all
    /// reading `state`.
    pub(crate) fn new(
        name: &'static core::ffi::CStr,
        files: &'static [File<T>],
        state: Arc<T>,
    ) -> Result<Self> {
        let mut slots = KVec::with_capacity(files.len(), GFP_KERNEL)?;
        for file in files {
            slots.push(
                Slot {
                    show: Self::show,
                    write: Self::write,
                    state: core::ptr::from_ref::<T>(&state).cast(),
                    file: core::ptr::from_ref(file).cast(),
                },
                GFP_KERNEL,
            )?;
        }
        // SAFETY: `name` is NUL-terminated.
        let dir = unsafe { oomfrag_debugfs_dir(c_ptr(name)) };
        // From here on, drop removes the directory.
        let this = Self {
            dir,
            slots,
            files,
            _state: state,
        };
        for (file, slot) in this.files.iter().zip(&this.slots) {
            // SAFETY: `dir` is the directory above; `file.name` is
            // NUL-terminated; `slot` stays where it is, with what it points
            // to, until the files are removed (type invariant).
            let ret = unsafe {
                oomfrag_debugfs_file(this.dir, c_ptr(file.name), file.write.is_some(), slot)
            };
            if ret != 0 {
                return Err(Error::from_errno(ret));
            }
        }
        Ok(this)
    }

    /// The state and the file of a slot.
    ///
    /// # Safety
    ///
    /// `slot` is an element of the `slots` of a live `Files<T>`.
    unsafe fn unpack<'a>(slot: *const Slot) -> (&'a T, &'a File<T>) {
        // SAFETY: per the contract, `slot` is valid, and its pointers point
        // to the `Files<T>`'s state and one of its files (type invariant).
        unsafe {
            let slot = &*slot;
            (&*slot.state.cast::<T>(), &*slot.file.cast::<File<T>>())
        }
    }

    /// The show callback of every file (`single_open()`'s), from the shim.
    ///
    /// # Safety
    ///
    /// `slot` is a file's `i_private` (see [`Files::unpack`]) and `m` the
    /// `seq_file` being filled.
    unsafe extern "C" fn show(slot: *const Slot, m: *mut ffi::c_void) -> ffi::c_int {
        // SAFETY: per the contract.
        let (state, file) = unsafe { Self::unpack(slot) };
        // INVARIANT: per the contract, `m` is the `seq_file` of this call.
        // An error is an overflow (retried by `seq_read()`) or the show
        // function's own; either way the call is over.
        let _ = write!(Seq(m), "{}", Show(state, file.show));
        0
    }

    /// The write callback of the writable files, from the shim.
    ///
    /// # Safety
    ///
    /// As [`Files::show`], and `buf` is a user pointer to `len` bytes
    /// (checked when read).
    unsafe extern "C" fn write(slot: *const Slot, buf: *const u8, len: usize) -> isize {
        // SAFETY: per the contract.
        let (state, file) = unsafe { Self::unpack(slot) };
        let Some(write) = file.write else {
            return EINVAL.to_errno() as isize;
        };
        let mut r = UserSlice::new(user_ptr(buf), len).reader();
        match write(state, &mut r) {
            Ok(()) => len as isize,
            Err(e) => e.to_errno() as isize,
        }
    }
}

impl<T: Send + Sync + 'static> Drop for Files<T> {
    fn drop(&mut self) {
        // SAFETY: `dir` came from `oomfrag_debugfs_dir()` (type invariant);
        // removing it waits for the files' callbacks in progress, after
        // which `slots` and `state` may go.
        unsafe { oomfrag_debugfs_remove(self.dir) };
    }
}
