// SPDX-License-Identifier: GPL-2.0

//! Reading a debugfs write: the whole user buffer into a stack buffer, or
//! `EINVAL` if it does not fit.  Shared by oomfrag and the stress sample
//! (which includes this file by path).

use kernel::{
    prelude::*,
    uaccess::UserSliceReader, //
};

/// Reads all of `r` into `buf`; the bytes read.  A write longer than `buf`
/// is refused with `EINVAL` before anything is read, so a refused write
/// changes nothing.
pub(crate) fn read_all<'a>(r: &mut UserSliceReader, buf: &'a mut [u8]) -> Result<&'a [u8]> {
    let len = r.len();
    let dst = buf.get_mut(..len).ok_or(EINVAL)?;
    r.read_slice(dst)?;
    Ok(dst)
}
