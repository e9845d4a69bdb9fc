// SPDX-License-Identifier: GPL-2.0

//! The debugfs `query` file's input: `order=N gfp=MASK [node=N]`, parsed
//! into the [`Request`] that [`super::event::Event::evaluate`] judges.
//!
//! Every refusal has its own [`QueryError`]; nothing here panics on any
//! input.

use super::gfp::gfp_zone;
use super::gfp_types::{
    parse,
    parse_u64, //
};
use super::platform::Platform;
use super::request::{
    Request,
    Trigger, //
};
use super::zone::NodeMask;

/// A request written to the debugfs `query` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuerySpec {
    /// Order, 0..`nr_orders`.
    pub order: u8,
    /// Gfp mask.
    pub gfp: u32,
    /// Only this node's zones, if given.
    pub node: Option<u16>,
}

/// Why a `query` write was refused (the text goes to the kernel log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// Longer than the buffer.
    TooLong,
    /// Not UTF-8 or holds control characters.
    NotText,
    /// A word that is not `key=value`, or an unknown key.
    UnknownKey,
    /// A key given twice.
    Duplicate,
    /// `order=` not a number below the number of orders.
    BadOrder,
    /// `gfp=` neither a number nor known names, or a zone combination
    /// `gfp_zone()` rejects.
    BadGfp,
    /// `node=` not a number or not online.
    BadNode,
}

impl QuerySpec {
    /// The request this query asks about: only the zones of `node`, if
    /// given, are eligible, as for an allocation from that node with that
    /// nodemask (its preferred node, too, for a `__GFP_THISNODE` mask).
    pub fn request(&self) -> Request {
        let mut r = Request::unknown(self.gfp);
        r.trigger = Trigger::Query;
        r.order = Some(i32::from(self.order));
        r.gfp = Some(self.gfp);
        if let Some(n) = self.node {
            r.nodes = NodeMask::single(n);
            r.preferred_node = Some(n);
        }
        r
    }
}

impl QueryError {
    /// What to tell the user.
    pub const fn message(self) -> &'static str {
        match self {
            QueryError::TooLong => "query too long",
            QueryError::NotText => "query is not plain text",
            QueryError::UnknownKey => "expected 'order=N gfp=MASK [node=N]'",
            QueryError::Duplicate => "a key is given twice",
            QueryError::BadOrder => "order must be a number from 0 to the largest page order",
            QueryError::BadGfp => "gfp must be a number or GFP_* / __GFP_* names joined by '|', with a valid zone modifier",
            QueryError::BadNode => "node must be an online node id",
        }
    }
}

/// Longest `query` write accepted, in bytes.
pub const QUERY_MAX: usize = 256;

/// Parses a `query` write: `order=N gfp=MASK [node=N]` in any order,
/// separated by blanks; `order` defaults to 0 and `gfp` to `default_gfp`.
/// `node_ok` says whether a node id is online.
pub fn parse_query(
    p: &Platform,
    input: &[u8],
    nr_orders: u8,
    default_gfp: u32,
    node_ok: impl Fn(u64) -> bool,
) -> Result<QuerySpec, QueryError> {
    if input.len() > QUERY_MAX {
        return Err(QueryError::TooLong);
    }
    let s = core::str::from_utf8(input).map_err(|_| QueryError::NotText)?;
    if s.chars()
        .any(|c| c.is_control() && !c.is_ascii_whitespace())
    {
        return Err(QueryError::NotText);
    }
    let (mut order, mut gfp, mut node) = (None, None, None);
    for word in s.split_ascii_whitespace() {
        let (k, v) = word.split_once('=').ok_or(QueryError::UnknownKey)?;
        match k {
            "order" => {
                if order.is_some() {
                    return Err(QueryError::Duplicate);
                }
                let o = parse_u64(v).ok_or(QueryError::BadOrder)?;
                if o >= u64::from(nr_orders) {
                    return Err(QueryError::BadOrder);
                }
                order = Some(o as u8);
            }
            "gfp" => {
                if gfp.is_some() {
                    return Err(QueryError::Duplicate);
                }
                let g = parse(v).ok_or(QueryError::BadGfp)?;
                gfp_zone(p, g).ok_or(QueryError::BadGfp)?;
                gfp = Some(g);
            }
            "node" => {
                if node.is_some() {
                    return Err(QueryError::Duplicate);
                }
                let n = parse_u64(v).ok_or(QueryError::BadNode)?;
                if n > u64::from(u16::MAX) || !node_ok(n) {
                    return Err(QueryError::BadNode);
                }
                node = Some(n as u16);
            }
            _ => return Err(QueryError::UnknownKey),
        }
    }
    Ok(QuerySpec {
        order: order.unwrap_or(0),
        gfp: gfp.unwrap_or(default_gfp),
        node,
    })
}
