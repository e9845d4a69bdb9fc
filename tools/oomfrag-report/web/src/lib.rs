// SPDX-License-Identifier: GPL-2.0

//! The analyzer as a WebAssembly module for the page (web/app.js): the
//! same `run_input` as `oomfrag-report --json`, over a log the page copies
//! into the module's memory.  A plain C interface, no generated glue:
//!
//! * `oomfrag_input(len) -> ptr`: room for `len` bytes (the source's name
//!   followed by the log), to be filled by the caller;
//! * `oomfrag_analyze(name_len) -> len`: analyses the log after the name;
//!   the output is `--json`'s, one object per report and line, `len`
//!   bytes at `oomfrag_output()`; `oomfrag_reports()` reports were found;
//! * `oomfrag_release()`: frees both buffers.
//!
//! A panic calls the page's `env.oomfrag_panic(ptr, len)` with its message,
//! then traps (panic = "abort"); the page then starts a new instance.

use std::panic;
use std::sync::Mutex;

struct State {
    input: Vec<u8>,
    output: Vec<u8>,
    reports: u64,
}

static STATE: Mutex<State> = Mutex::new(State {
    input: Vec::new(),
    output: Vec::new(),
    reports: 0,
});

#[link(wasm_import_module = "env")]
extern "C" {
    fn oomfrag_panic(ptr: *const u8, len: usize);
}

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

fn hook(info: &panic::PanicHookInfo<'_>) {
    let msg = info.to_string();
    // SAFETY: the page's import reads `len` bytes at `ptr`, which `msg`
    // holds for the call.
    unsafe { oomfrag_panic(msg.as_ptr(), msg.len()) };
}

/// Room for `len` bytes of input; returns where to write them.
#[no_mangle]
pub extern "C" fn oomfrag_input(len: usize) -> *mut u8 {
    panic::set_hook(Box::new(hook));
    let mut s = state();
    s.output = Vec::new();
    s.input = vec![0; len];
    s.input.as_mut_ptr()
}

/// Analyses the input (a name of `name_len` bytes, then the log); returns
/// the length of the output.
#[no_mangle]
pub extern "C" fn oomfrag_analyze(name_len: usize) -> usize {
    let mut s = state();
    let input = std::mem::take(&mut s.input);
    let split = name_len.min(input.len());
    let (name, log) = input.split_at(split);
    let name = String::from_utf8_lossy(name);
    let mut out = Vec::with_capacity(log.len() / 2 + 1024);
    let mut ev = Box::new(oomfrag_report::analysis::new_event());
    let mut seq = 0;
    // Reading from memory and writing to a Vec cannot fail.
    let n = oomfrag_report::run_input(&name, log, &mut out, &mut seq, &mut ev, false, true)
        .unwrap_or(0);
    s.reports = n;
    s.output = out;
    s.input = input;
    s.input.clear();
    s.input.shrink_to_fit();
    s.output.len()
}

/// Where the output of the last `oomfrag_analyze` is.
#[no_mangle]
pub extern "C" fn oomfrag_output() -> *const u8 {
    state().output.as_ptr()
}

/// The reports the last `oomfrag_analyze` found.
#[no_mangle]
pub extern "C" fn oomfrag_reports() -> u32 {
    state().reports.min(u32::MAX as u64) as u32
}

/// Frees the input and output buffers.
#[no_mangle]
pub extern "C" fn oomfrag_release() {
    let mut s = state();
    s.input = Vec::new();
    s.output = Vec::new();
}
