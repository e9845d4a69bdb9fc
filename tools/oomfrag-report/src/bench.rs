// SPDX-License-Identifier: GPL-2.0

//! `--bench`: throughput on a synthetic log of thousands of reports of
//! several kernels' formats, with ordinary log lines around them, read
//! from memory and written to a sink.  Prints MB/s; judges nothing.

use crate::run_input;
use std::time::Instant;

/// Report templates: a 5.x x86-64 report with letters and a 3.x ARM one
/// with a wrapped zone line (`{P}` is the prefix, `{N}` varies).
const MODERN: &str = "\
{P} app{N} invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0
{P} CPU: 1 PID: {N} Comm: app{N} Not tainted 5.10.0-21-amd64 #1 Debian 5.10.162-1
{P} Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
{P} Call Trace:
{P}  dump_stack+0x6b/0x83
{P}  dump_header+0x4a/0x1f4
{P}  oom_kill_process.cold+0xb/0x10
{P}  out_of_memory+0x1bd/0x4e0
{P} Mem-Info:
{P} active_anon:2 inactive_anon:480000 isolated_anon:0
{P}  active_file:20 inactive_file:31 isolated_file:0
{P} Node 0 active_anon:8kB inactive_anon:1920000kB active_file:80kB inactive_file:124kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:4kB dirty:0kB writeback:0kB shmem:0kB shmem_thp: 0kB shmem_pmdmapped: 0kB anon_thp: 0kB writeback_tmp:0kB kernel_stack:1600kB all_unreclaimable? yes
{P} Node 0 DMA free:15360kB min:132kB low:164kB high:196kB reserved_highatomic:0KB active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB present:15992kB managed:15360kB mlocked:0kB pagetables:0kB bounce:0kB free_pcp:0kB local_pcp:0kB free_cma:0kB
{P} lowmem_reserve[]: 0 1919 1919 1919 1919
{P} Node 0 DMA32 free:{F}kB min:16576kB low:20720kB high:24864kB reserved_highatomic:0KB active_anon:8kB inactive_anon:1920000kB active_file:80kB inactive_file:124kB unevictable:0kB writepending:0kB present:2080628kB managed:1980000kB mlocked:0kB pagetables:5000kB bounce:0kB free_pcp:120kB local_pcp:0kB free_cma:0kB
{P} lowmem_reserve[]: 0 0 0 0 0
{P} Node 0 DMA: 0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15360kB
{P} Node 0 DMA32: 1012*4kB (UME) 420*8kB (UME) 120*16kB (UME) 30*32kB (UM) 6*64kB (UM) 2*128kB (U) 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 10496kB
{P} 2000 total pagecache pages
{P} 0 pages in swap cache
{P} Tasks state (memory values in pages):
{P} [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
{P} [    {N}]     0  {N}   700000   480000  4000000        0             0 app{N}
{P} oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=app{N},pid={N},uid=0
{P} Out of memory: Killed process {N} (app{N}) total-vm:2800000kB, anon-rss:1920000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4000kB oom_score_adj:0
";

const OLD: &str = "\
{P} d{N} invoked oom-killer: gfp_mask=0x800d0, order=0, oom_score_adj=0
{P} CPU: 1 PID: {N} Comm: d{N} Tainted: G O 3.14.31-00017-g40fab71 #1
{P} Mem-info:
{P} Normal per-cpu:
{P} CPU 0: hi: 42, btch: 7 usd: 23
{P} Normal free:233460kB min:2488kB low:3108kB high:3732kB active_anon:17312kB
inactive_anon:10824kB active_file:128kB inactive_file:4kB unevictable:0kB isolated(anon):0kB
isolated(file):0kB present:774144kB managed:387568kB mlocked:0kB dirty:16kB writeback:76kB
pagetables:2748kB unstable:0kB bounce:0kB free_cma:231116kB writeback_tmp:0kB pages_scanned:1648
all_unreclaimable? yes
{P} lowmem_reserve[]: 0 10168 10168
{P} HighMem free:909036kB min:512kB low:2604kB high:4696kB active_anon:70632kB present:1301504kB managed:1301504kB free_cma:0kB
{P} lowmem_reserve[]: 0 0 0
{P} Normal: 1165*4kB (MRC) 1122*8kB (RC) 1119*16kB (RC) 1118*32kB (C) 1068*64kB (RC)
748*128kB (C) 0*256kB 0*512kB 0*1024kB 1*2048kB (R) 0*4096kB 0*8192kB = 233460kB
{P} HighMem: 99*4kB (M) 1148*8kB (UM) 1314*16kB (UM) 880*32kB (UM) 327*64kB (M) 87*128kB (M) 34*256kB (M) 38*512kB (M) 12*1024kB (M) 10*2048kB (M) 3*4096kB (M) 91*8192kB (UMR) = 909516kB
{P} Out of memory: Kill process {N} d{N} score 481 or sacrifice child
";

const NOISE: &str = "{P} systemd[1]: Started Session {N} of user root.
{P} eth0: link up, 1000Mbps, full-duplex, lpa 0x45E1
{P} EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro
{P} audit: type=1400 audit({N}.123:45): apparmor=\"STATUS\" operation=\"profile_load\" name=\"/usr/bin/man\"
";

/// The synthetic log: `reports` reports with noise between them.
pub fn synthetic(reports: usize) -> String {
    let mut s = String::new();
    for i in 0..reports {
        let n = (1000 + i).to_string();
        let prefix = match i % 3 {
            0 => format!("[{:5}.{:06}]", i, i * 7 % 1_000_000),
            1 => format!("Mar  3 12:00:{:02} host kernel: [{}.5]", i % 60, i),
            _ => format!("<4>[{}.25]", i),
        };
        for _ in 0..4 {
            s.push_str(&NOISE.replace("{P}", &prefix).replace("{N}", &n));
        }
        let t = if i % 2 == 0 { MODERN } else { OLD };
        let free = (10496 + (i % 50) * 1000).to_string();
        s.push_str(
            &t.replace("{P}", &prefix)
                .replace("{N}", &n)
                .replace("{F}", &free),
        );
    }
    s
}

/// Runs the benchmark and prints its numbers.
pub fn run(reports: usize) {
    let log = synthetic(reports);
    let mut ev = Box::new(crate::analysis::new_event());
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..3 {
        let mut seq = 0;
        let t = Instant::now();
        found = run_input(
            "bench",
            log.as_bytes(),
            &mut std::io::sink(),
            &mut seq,
            &mut ev,
            false,
            false,
        )
        .unwrap_or(0);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mb = log.len() as f64 / 1e6;
    println!(
        "oomfrag-report bench: {} reports, {:.1} MB, {:.3} s, {:.1} MB/s, {:.0} reports/s (one core, best of 3)",
        found,
        mb,
        best,
        mb / best,
        found as f64 / best
    );
}
