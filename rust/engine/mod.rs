// SPDX-License-Identifier: GPL-2.0

//! The verdict engine: plain data in (zone snapshots, a request, the
//! kernel's constants), a verdict out.  No `unsafe`, no kernel calls, no
//! allocation: the same files are compiled by the module, its KUnit test
//! module and, on the host, `rust/host` (tests, the offline analyzer).
//! Each file mirrors the kernel functions it names.
//!
//! Its items are `pub`: they are the host crate's API.  In a kernel module
//! the engine is a private module, so they are crate-private there, and the
//! kernel's `unreachable_pub` lint does not apply.

#![allow(unreachable_pub)]

/// Declares a fieldless enum whose values have the names the kernel (or
/// oomfrag's lines) print, with `ALL` (every value, in declaration order),
/// `COUNT` and `name()`; one definition instead of a hand-kept table per
/// enum (as nova-core's `define_chipset!`).
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $(= $value:literal)? => $text:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant $(= $value)?,
            )*
        }

        #[allow(dead_code)]
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$(stringify!($variant)),*].len()] = [$($name::$variant),*];

            /// The number of values.
            pub const COUNT: usize = Self::ALL.len();

            /// The name printed for this value.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

pub mod alloc_flags;
pub mod event;
pub mod frag;
pub mod gfp;
pub mod gfp_types;
pub mod oom;
pub mod platform;
pub mod query;
pub mod report;
pub mod request;
pub mod stats;
pub mod task;
pub mod verdict;
pub mod watermark;
pub mod zone;
