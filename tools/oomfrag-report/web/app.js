// SPDX-License-Identifier: GPL-2.0
//
// oomfrag in the browser: reads a log (paste, drop, open), runs the
// analyzer (oomfrag-report's own code as WebAssembly, OOMFRAG_WASM, put
// before this file by ./build) on it, and shows each report: its summary
// line, the --explain sentences and, per zone, a chart of the free lists
// and one of the watermark check, each with its numbers in a table.
// Everything shown comes from the analyzer's --json output; nothing is
// computed again here but the layout.  Nothing is fetched.

'use strict';

(function () {
  const PAGE = 25; // report sections shown at once
  const BAD = ['exhaustion', 'fragmentation', 'cma', 'highatomic', 'lowmem_reserve', 'memcg'];
  const TYPES = {
    U: 'unmovable', M: 'movable', E: 'reclaimable', H: 'high-atomic',
    C: 'CMA', I: 'isolated', R: 'reserve (before 4.4)',
  };
  const CLASSES = {
    usable: 'this request may use them',
    unusable: 'this request may not use them',
    mixed: 'lists it may use and lists it may not (the report does not split the count)',
    assumed: 'no migrate types printed: taken as usable',
    untyped: 'no migrate type printed for them: taken as unusable',
    empty: 'no free block',
  };

  // ---- The analyzer -------------------------------------------------------

  let wasm = null;
  let panicked = null;

  async function analyzer() {
    if (wasm) return wasm;
    const bin = atob(OOMFRAG_WASM);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const { instance } = await WebAssembly.instantiate(bytes, {
      env: {
        oomfrag_panic(ptr, len) {
          panicked = new TextDecoder().decode(
            new Uint8Array(instance.exports.memory.buffer, ptr, len).slice());
        },
      },
    });
    wasm = instance.exports;
    return wasm;
  }

  /** Runs the analyzer on `bytes` (a Uint8Array) named `name`: its
   *  --json output as text, and the number of reports. */
  async function analyse(name, bytes) {
    const e = await analyzer();
    const nb = new TextEncoder().encode(name);
    panicked = null;
    try {
      const p = e.oomfrag_input(nb.length + bytes.length);
      const mem = new Uint8Array(e.memory.buffer);
      mem.set(nb, p);
      mem.set(bytes, p + nb.length);
      const n = e.oomfrag_analyze(nb.length);
      const out = new Uint8Array(e.memory.buffer, e.oomfrag_output(), n);
      const text = new TextDecoder().decode(out);
      const count = e.oomfrag_reports();
      e.oomfrag_release();
      return { text, count };
    } catch (err) {
      wasm = null; // a trap leaves the instance unusable: start anew
      throw new Error('the analyzer stopped: ' + (panicked || err.message));
    }
  }

  // ---- DOM helpers ----------------------------------------------------------

  function h(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    setAttrs(n, attrs);
    append(n, kids);
    return n;
  }
  const SVGNS = 'http://www.w3.org/2000/svg';
  function s(tag, attrs, ...kids) {
    const n = document.createElementNS(SVGNS, tag);
    setAttrs(n, attrs);
    append(n, kids);
    return n;
  }
  function setAttrs(n, attrs) {
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') n.textContent = v;
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : String(v));
    }
  }
  function append(n, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      n.append(k instanceof Node ? k : String(k));
    }
  }
  const $ = (id) => document.getElementById(id);

  function kb(v) {
    if (typeof v !== 'number') return String(v);
    if (Math.abs(v) >= 10240) return `${v} kB (${(v / 1024).toFixed(1)} MB)`;
    return `${v} kB`;
  }
  function size(v) {
    if (v >= 1048576 && v % 1048576 === 0) return `${v / 1048576}G`;
    if (v >= 1024 && v % 1024 === 0) return `${v / 1024}M`;
    return `${v}k`;
  }
  function verdictBadge(v) {
    const cls = BAD.includes(v) ? 'v-bad' : '';
    return h('span', { class: `verdict v-${v} ${cls}`, text: v });
  }
  function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

  // ---- State ----------------------------------------------------------------

  const state = {
    name: '',
    text: '', // the analyzer's output, one JSON object per line
    reports: [], // parsed objects
    bad: [], // output lines that are not JSON
    page: 0,
    cur: 0, // the report last shown or focused (1-based)
  };
  window.oomfragTiming = null;

  function setStatus(msg, error) {
    const st = $('status');
    st.textContent = msg;
    st.classList.toggle('error', !!error);
  }

  /** Analyses `bytes` named `name` and shows the result. */
  async function run(name, bytes) {
    setStatus(`Analysing ${name} (${kb(Math.round(bytes.length / 1024))})…`);
    await new Promise((r) => setTimeout(r, 0)); // let the status paint
    const t0 = performance.now();
    let res;
    try {
      res = await analyse(name, bytes);
    } catch (err) {
      setStatus(`${name}: ${err.message}`, true);
      $('results').replaceChildren();
      return;
    }
    const t1 = performance.now();
    state.name = name;
    state.text = res.text;
    state.reports = [];
    state.bad = [];
    const lines = res.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === '') continue;
      try {
        state.reports.push(JSON.parse(lines[i]));
      } catch (err) {
        state.bad.push({ line: i + 1, text: lines[i], why: err.message });
      }
    }
    const t2 = performance.now();
    state.page = 0;
    state.cur = 0;
    renderResults();
    const t3 = performance.now();
    window.oomfragTiming = {
      bytes: bytes.length, reports: res.count,
      analyse_ms: t1 - t0, parse_ms: t2 - t1, render_ms: t3 - t2,
    };
    const n = state.reports.length;
    const where = `${name} (${kb(Math.round(bytes.length / 1024))})`;
    if (n === 0) {
      setStatus(`No OOM report found in ${where}: the analyzer looks for "invoked oom-killer" and "page allocation failure" lines.`);
    } else {
      setStatus(`${plural(n, 'report', 'reports')} found in ${where}, analysed in ${Math.round(t1 - t0)} ms.`);
    }
    if (location.hash.startsWith('#report-')) history.replaceState(null, '', location.pathname + location.search);
  }

  // ---- Results --------------------------------------------------------------

  function renderResults() {
    const res = $('results');
    const kids = [];
    if (state.bad.length) {
      kids.push(h('div', { class: 'warn', role: 'alert' },
        h('p', { text: 'Output of the analyzer that could not be read:' }),
        h('ul', {}, state.bad.map((b) => h('li', { text: `line ${b.line}: ${b.why}: ${b.text.slice(0, 200)}` })))));
    }
    if (state.reports.length === 0) {
      res.replaceChildren(...kids);
      return;
    }
    kids.push(h('h2', { id: 'index', tabindex: '-1', text: `Reports in ${state.name}` }));
    kids.push(downloads());
    kids.push(indexTable());
    kids.push(h('div', { id: 'pages' }));
    res.replaceChildren(...kids);
    showPage(0);
  }

  function jsonName() {
    const base = state.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'log';
    return `${base}.oomfrag.json`;
  }

  let blobUrl = null;

  function downloads() {
    if (blobUrl) URL.revokeObjectURL(blobUrl);
    blobUrl = URL.createObjectURL(new Blob([state.text], { type: 'application/x-ndjson' }));
    const a = h('a', {
      id: 'download-json', class: 'button', href: blobUrl, download: jsonName(),
      text: 'Download the JSON',
    });
    return h('div', { class: 'downloads' }, a,
      h('span', { class: 'hint', text: 'one object per report and line, as oomfrag-report --json prints it' }));
  }

  function notesOf(r) {
    const out = [];
    for (const p of r.problems || []) out.push(p);
    if ((r.missing || []).length) out.push(`lacks ${r.missing.join(', ')}`);
    if (r.zones_dropped) out.push(`${r.zones_dropped} zones beyond the limit not read`);
    if (r.unmatched_buddy_lines) out.push(`${plural(r.unmatched_buddy_lines, 'free-list line', 'free-list lines')} without a zone line (not used)`);
    for (const l of r.lists || []) {
      if (l.odd_letter) out.push(`${l.zone}: a migrate type letter this tool does not know (ignored)`);
      for (const o of l.orders) {
        if (o.order === null) out.push(`${l.zone}: blocks of ${o.block_kb} kB are not a power-of-two number of pages (skipped)`);
      }
    }
    return out;
  }

  function summaryOf(r) {
    return r.summary || {};
  }

  function indexTable() {
    const rows = state.reports.map((r, i) => {
      const sm = summaryOf(r);
      const n = i + 1;
      const notes = notesOf(r);
      return h('tr', { 'data-report': n },
        h('td', { class: 'num' }, h('a', { href: `#report-${n}`, text: String(n) })),
        h('td', { 'data-key': 'time', text: r.time || '—' }),
        h('td', { 'data-key': 'trigger', text: sm.trigger ?? '' }),
        h('td', { 'data-key': 'verdict' }, verdictBadge(r.verdict)),
        h('td', { class: 'num', 'data-key': 'order', text: String(sm.order ?? '') }),
        h('td', { 'data-key': 'gfp', text: sm.gfp ?? '' }),
        h('td', { 'data-key': 'comm', text: sm.comm !== undefined ? `${sm.comm}${sm.pid ? ` (${sm.pid})` : ''}` : '' }),
        h('td', { class: notes.length ? 'problems' : '', 'data-key': 'notes', text: notes.length ? notes.join('; ') : '' }));
    });
    return h('div', { class: 'tablewrap' },
      h('table', { id: 'index-table' },
        h('caption', { text: `${plural(state.reports.length, 'report', 'reports')}, in the order of the log` }),
        h('thead', {}, h('tr', {},
          ['#', 'Time', 'Trigger', 'Verdict', 'Order', 'GFP', 'Task', 'Could not read'].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, rows)));
  }

  function showPage(p) {
    const total = state.reports.length;
    const pages = Math.ceil(total / PAGE);
    p = Math.max(0, Math.min(p, pages - 1));
    state.page = p;
    const from = p * PAGE;
    const to = Math.min(total, from + PAGE);
    const kids = [];
    const pager = () => pages > 1 ? h('nav', { class: 'pager', 'aria-label': 'Pages of reports' },
      h('button', { type: 'button', disabled: p === 0, onclick: () => goTo(from - PAGE + 1) }, '◀ Previous page'),
      h('span', { text: `Reports ${from + 1}–${to} of ${total}` }),
      h('button', { type: 'button', disabled: p === pages - 1, onclick: () => goTo(to + 1) }, 'Next page ▶')) : null;
    kids.push(pager());
    for (let i = from; i < to; i++) kids.push(renderReport(state.reports[i], i + 1, total));
    kids.push(pager());
    $('pages').replaceChildren(...kids.filter(Boolean));
  }

  function goTo(n) {
    n = Math.max(1, Math.min(n, state.reports.length));
    const hash = `#report-${n}`;
    if (location.hash !== hash) location.hash = hash; // hashchange shows it
    else focusReport(n);
  }

  function focusReport(n) {
    if (!state.reports.length) return;
    const p = Math.floor((n - 1) / PAGE);
    if (p !== state.page || !$(`report-${n}`)) showPage(p);
    const sec = $(`report-${n}`);
    if (!sec) return;
    state.cur = n;
    sec.focus({ preventScroll: true });
    sec.scrollIntoView({ block: 'start' });
  }

  // ---- One report -----------------------------------------------------------

  function renderReport(r, n, total) {
    const sm = summaryOf(r);
    const id = `report-${n}`;
    const zones = r.zones || [];
    const lists = r.lists || [];
    const eligible = [];
    const other = [];
    zones.forEach((z, j) => (z.eligible ? eligible : other).push(zoneFigure(r, z, lists[j], j, n)));
    const notes = notesOf(r);
    const lines = r.lines || [];
    const meta = [
      r.time ? `at ${r.time}` : 'no time printed',
      sm.comm !== undefined ? `task ${sm.comm}${sm.pid ? ` (pid ${sm.pid})` : ''}` : null,
      `trigger ${sm.trigger}`, `order ${sm.order}`, `gfp ${sm.gfp}`,
      sm.kernel ? `kernel ${sm.kernel}` : null,
      sm.source ? `from ${sm.source}` : null,
    ].filter(Boolean).join(' · ');
    const jsonLink = h('a', {
      href: '#', download: jsonName().replace(/\.oomfrag\.json$/, `.report-${n}.oomfrag.json`),
      text: 'JSON of this report',
      onclick: (ev) => {
        const a = ev.currentTarget;
        if (a.getAttribute('href') === '#') {
          a.href = URL.createObjectURL(new Blob([JSON.stringify(r) + '\n'], { type: 'application/json' }));
        }
      },
    });
    return h('section', {
      class: 'report', id, tabindex: '-1', 'aria-labelledby': `${id}-h`,
      'data-report': n, 'data-verdict': r.verdict,
      onfocusin: () => { state.cur = n; },
    },
    h('h2', { id: `${id}-h` }, `Report ${n} of ${total}: `, verdictBadge(r.verdict)),
    h('p', { class: 'meta', text: meta }),
    h('nav', { class: 'rnav', 'aria-label': `Report ${n}` },
      n > 1 ? h('a', { href: `#report-${n - 1}`, text: '← previous report' }) : null,
      h('a', { href: '#index', text: 'all reports', onclick: (ev) => { ev.preventDefault(); $('index').focus(); $('index').scrollIntoView(); } }),
      n < total ? h('a', { href: `#report-${n + 1}`, text: 'next report →' }) : null,
      jsonLink),
    notes.length || (r.assumed || []).length ? h('div', { class: 'warn', 'data-key': 'notes' },
      notes.length ? [h('p', { text: 'What the analyzer could not read or use:' }),
        h('ul', { class: 'problems-list' }, notes.map((t) => h('li', { text: t })))] : null,
      (r.assumed || []).length ? h('p', { 'data-key': 'assumed', text: `Assumed: ${r.assumed.join(', ')}` }) : null) : null,
    h('h3', { text: 'Summary line' }),
    h('pre', { class: 'line', 'data-key': 'summary-line', text: lines[0] || '' }),
    h('h3', { text: 'Why' }),
    h('ol', { class: 'explain' }, (r.explain || []).map((t) => h('li', { text: t }))),
    zones.length ? [
      h('h3', { text: `Zones this request may use (${eligible.length})` }),
      eligible.length ? h('div', { class: 'zones', 'data-group': 'eligible' }, eligible)
        : h('p', { text: 'None: no zone of the report is one this request may use.' }),
      other.length ? [h('h3', { text: `Zones this request may not use (${other.length})` }),
        h('div', { class: 'zones', 'data-group': 'ineligible' }, other)] : null,
      h('details', {}, h('summary', { text: 'The zone lines, as the module prints them' }),
        h('pre', { class: 'line', 'data-key': 'zone-lines', text: lines.slice(1).join('\n') })),
    ] : h('p', { text: r.verdict === 'memcg'
      ? 'A memory cgroup OOM: the kernel printed no zone for it.'
      : 'The report shows no zone the analyzer could read.' }));
  }

  function zoneFigure(r, z, l, j, n) {
    const id = `r${n}z${j}`;
    const name = `${z.zone} (node ${z.node})`;
    const decided = summaryOf(r).decided === 'last_chance' ? 'last_chance' : 'min';
    const okKey = decided === 'last_chance' ? 'ok_last' : 'ok';
    const passes = z[okKey] === 1;
    const kids = [
      h('figcaption', {},
        `${name}: `, h('span', { class: 'cause', text: `cause ${z.cause}, ${decided === 'last_chance' ? 'last-chance check at high' : 'min check'} ${passes ? 'passes' : 'fails'}` })),
    ];
    if (!l) {
      kids.push(h('p', { class: 'problems', text: 'No chart: the analyzer gave no free-list data for this zone.' }));
      kids.push(zoneTable(z, null, id));
      return h('figure', { class: `zone ${z.eligible ? '' : 'ineligible'}`, 'data-zone': j, 'aria-labelledby': `${id}-cap` }, kids);
    }
    const reqOrder = typeof summaryOf(r).order === 'number' && summaryOf(r).order >= 0 ? summaryOf(r).order : null;
    kids.push(h('div', { class: 'charts' },
      h('div', {}, h('h4', { id: `${id}-oh`, text: 'Free blocks by order' }),
        h('div', { class: 'chartwrap' }, ordersChart(l, z, reqOrder, id)), legend()),
      h('div', {}, h('h4', { id: `${id}-ch`, text: `Watermark check (${l.check.mark})` }),
        h('div', { class: 'chartwrap' }, checkChart(z, l, id)), checkResult(z, l))));
    kids.push(zoneTable(z, l, id));
    kids.push(ordersTable(l, reqOrder, id));
    return h('figure', { class: `zone ${z.eligible ? '' : 'ineligible'}`, 'data-zone': j }, kids);
  }

  function legend() {
    return h('div', { class: 'legend', 'aria-hidden': 'true' },
      ['usable', 'unusable', 'mixed', 'assumed'].map((c) => h('span', {}, h('span', { class: `swatch c-${c}` }),
        { usable: 'may use', unusable: 'may not use', mixed: 'both', assumed: 'no types printed' }[c])));
  }

  // ---- Charts ---------------------------------------------------------------

  /** Free blocks by order: one bar per order as printed (log scale),
   *  coloured by whether the request may use its lists, the request's
   *  order marked. */
  function ordersChart(l, z, reqOrder, id) {
    const W = 640, H = 236, L = 44, R = 8, T = 42, B = 58;
    const orders = l.orders;
    const title = `${id}-ot`;
    const svg = s('svg', {
      class: 'chart orders', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': title,
      'aria-describedby': `${id}-otab`, 'data-request-order': reqOrder ?? '', preserveAspectRatio: 'xMidYMid meet',
    });
    const usable = orders.filter((o) => o.count > 0 && ['usable', 'mixed', 'assumed'].includes(o.class) && o.order !== null);
    const largest = usable.length ? Math.max(...usable.map((o) => o.order)) : null;
    svg.append(s('title', { id: title, text: `Free blocks by order in ${z.zone} (node ${z.node}): ${
      orders.length ? `${orders.filter((o) => o.count > 0).length} of ${orders.length} orders hold free blocks; the largest order this request may use is ${largest ?? 'none'}` : 'no free-list line printed'}${
      reqOrder !== null ? `; the request needs order ${reqOrder} or larger` : ''}. The table below has the numbers.` }));
    if (!orders.length) {
      svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'muted', text: 'The report printed no free-list line for this zone.' }));
      return svg;
    }
    const pat = `${id}-mix`;
    svg.append(s('defs', {}, s('pattern', { id: pat, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 3, height: 6, class: 'b-usable' }), s('rect', { x: 3, width: 3, height: 6, class: 'b-unusable' }))));
    const n = orders.length;
    const slot = (W - L - R) / n;
    const ph = H - T - B;
    const max = Math.max(1, ...orders.map((o) => o.count));
    const scale = (c) => (c > 0 ? ((Math.log10(c) + 1) / (Math.log10(max) + 1)) * ph : 0);
    // The orders the request needs.
    if (reqOrder !== null) {
      const k = orders.findIndex((o) => o.order !== null && o.order >= reqOrder);
      if (k >= 0) {
        svg.append(s('rect', { class: 'need', x: L + k * slot, y: 2, width: (n - k) * slot, height: T + ph - 2, 'data-request': reqOrder }));
        svg.append(s('text', { x: L + k * slot + 4, y: 14, text: `request: order ${reqOrder}${k < n - 1 ? ' or larger' : ''}` }));
        svg.append(s('path', { class: 'req', d: `M${L + k * slot} ${T + ph + 2} l6 10 h-12 z`, 'aria-hidden': 'true' }));
      }
    }
    // Axis: 1, 10, 100, ... free blocks.
    svg.append(s('line', { class: 'axis', x1: L, y1: T + ph, x2: W - R, y2: T + ph }));
    for (let d = 1; d <= max; d *= 10) {
      const y = T + ph - scale(d);
      svg.append(s('line', { class: 'axis', x1: L - 4, y1: y, x2: L, y2: y }));
      svg.append(s('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', class: 'muted', text: d >= 1000 ? `${d / 1000}k` : d }));
    }
    svg.append(s('text', { x: 2, y: T - 16, class: 'muted', text: 'blocks' }));
    orders.forEach((o, i) => {
      const x = L + i * slot;
      const bh = scale(o.count);
      const cls = o.class;
      const attrs = {
        class: `bar b-${cls}`, x: x + slot * 0.15, y: T + ph - bh, width: slot * 0.7, height: bh,
        'data-order': o.order ?? '', 'data-count': o.count, 'data-class': cls,
        'data-types': o.types, 'data-usable': o.usable, 'data-block-kb': o.block_kb,
      };
      if (cls === 'mixed') attrs.fill = `url(#${pat})`;
      svg.append(s('rect', attrs));
      if (o.count > 0) {
        svg.append(s('text', { x: x + slot / 2, y: T + ph - bh - 3, 'text-anchor': 'middle', text: o.count }));
      }
      svg.append(s('text', { x: x + slot / 2, y: T + ph + 24, 'text-anchor': 'middle', text: o.order ?? '?' }));
      svg.append(s('text', { x: x + slot / 2, y: T + ph + 37, 'text-anchor': 'middle', class: 'muted', text: size(o.block_kb) }));
      if (o.types) svg.append(s('text', { x: x + slot / 2, y: T + ph + 50, 'text-anchor': 'middle', class: 'muted', text: o.types }));
    });
    svg.append(s('text', { x: 2, y: T + ph + 24, class: 'muted', text: 'order' }));
    svg.append(s('text', { x: 2, y: T + ph + 37, class: 'muted', text: 'size' }));
    svg.append(s('text', { x: 2, y: T + ph + 50, class: 'muted', text: 'types' }));
    return svg;
  }

  /** The watermark check: all free pages (what the request may use and
   *  what it may not), then the check zoomed in: free pages as counted
   *  against min/low/high, boost, lowmem_reserve and the threshold. */
  function checkChart(z, l, id) {
    const W = 420, H = 200, L = 8, R = 8;
    const c = l.check;
    const title = `${id}-ct`;
    const free = z.free_kb;
    const usable = Math.max(0, c.free_kb);
    const highatomic = Math.min(free, z.highatomic_kb);
    const cma = Math.max(0, free - c.free_kb - z.highatomic_kb);
    const pass = c.free_kb > c.threshold_kb;
    const svg = s('svg', {
      class: 'chart check', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': title,
      'aria-describedby': `${id}-ztab`, 'data-pass': pass ? 1 : 0,
    });
    svg.append(s('title', { id: title, text: `Watermark check of ${z.zone} (node ${z.node}): free ${free} kB, of which this request may count ${c.free_kb} kB, against ${c.mark} after reductions plus lowmem_reserve ${c.threshold_kb} kB: ${pass ? 'above, passes' : 'not above, fails'}.` }));
    // Row 1: every free page.
    const s1 = Math.max(free, z.high_kb, c.threshold_kb, 1);
    const w1 = W - L - R;
    const x1 = (v) => L + (Math.max(0, v) / s1) * w1;
    svg.append(s('text', { x: L, y: 14, class: 'muted', text: `all free pages: ${free} kB` }));
    let x = L;
    for (const [part, v] of [['usable', usable], ['cma', cma], ['highatomic', highatomic]]) {
      const w = (v / s1) * w1;
      svg.append(s('rect', { class: `part p-${part}`, x, y: 20, width: Math.max(0, w), height: 18, 'data-part': part, 'data-kb': v }));
      x += w;
    }
    svg.append(s('line', { class: 'm-line m-check ' + (pass ? 'pass' : 'fail'), x1: x1(c.threshold_kb), y1: 16, x2: x1(c.threshold_kb), y2: 42 }));
    const notes = [];
    if (cma) notes.push(`CMA ${cma} kB`);
    if (highatomic) notes.push(`high-atomic ${highatomic} kB`);
    svg.append(s('text', { x: L, y: 54, class: 'muted', text: notes.length ? `may not count: ${notes.join(', ')}` : 'the request may count every free page' }));
    // Row 2: zoomed on the marks.
    const marks = [['min', z.min_kb], ['low', z.low_kb], ['high', z.high_kb]];
    const s2 = Math.max(c.threshold_kb, z.high_kb, z.min_kb, 1) * 1.3;
    const x2 = (v) => L + (Math.min(Math.max(0, v), s2) / s2) * w1;
    const y0 = 120;
    svg.append(s('text', { x: L, y: 76, class: 'muted', text: `zoomed: 0 to ${Math.round(s2)} kB` }));
    if (z.boost_kb > 0) {
      svg.append(s('rect', { class: 'band', x: x2(z.min_kb - z.boost_kb), y: y0 - 24, width: x2(z.min_kb) - x2(z.min_kb - z.boost_kb), height: 48, 'data-mark': 'boost', 'data-kb': z.boost_kb }));
      svg.append(s('text', { x: x2(z.min_kb - z.boost_kb), y: y0 + 36, class: 'muted', text: `boost ${z.boost_kb}` }));
    }
    if (z.reserve_kb > 0) {
      svg.append(s('rect', { class: 'band', x: x2(c.min_kb), y: y0 - 24, width: x2(c.threshold_kb) - x2(c.min_kb), height: 48, 'data-mark': 'reserve', 'data-kb': z.reserve_kb }));
      svg.append(s('text', { x: x2(c.min_kb), y: y0 + 48, class: 'muted', text: `lowmem_reserve ${z.reserve_kb}` }));
    }
    svg.append(s('rect', { class: 'part p-usable', x: L, y: y0 - 10, width: x2(usable) - L, height: 20, 'data-part': 'counted', 'data-kb': c.free_kb }));
    if (usable > s2) svg.append(s('text', { x: W - R - 2, y: y0 + 4, 'text-anchor': 'end', text: `→ ${usable} kB` }));
    svg.append(s('line', { class: 'axis', x1: L, y1: y0 + 12, x2: W - R, y2: y0 + 12 }));
    marks.forEach(([m, v], i) => {
      svg.append(s('line', { class: `m-line m-${m}`, x1: x2(v), y1: y0 - 22, x2: x2(v), y2: y0 + 16, 'data-mark': m, 'data-kb': v }));
      svg.append(s('text', { x: x2(v), y: y0 - 26 - 11 * i, 'text-anchor': 'middle', text: `${m} ${v}` }));
    });
    svg.append(s('line', { class: 'm-line m-check ' + (pass ? 'pass' : 'fail'), x1: x2(c.threshold_kb), y1: y0 - 18, x2: x2(c.threshold_kb), y2: y0 + 22, 'data-mark': 'check', 'data-kb': c.threshold_kb }));
    svg.append(s('text', { x: x2(c.threshold_kb), y: y0 + 24 + (z.boost_kb > 0 || z.reserve_kb > 0 ? 36 : 10), 'text-anchor': 'middle', class: 'muted', text: `check ${c.threshold_kb}` }));
    svg.append(s('text', { x: L, y: H - 4, class: 'muted', text: `counted free ${c.free_kb} kB ${pass ? '>' : '≤'} ${c.threshold_kb} kB` }));
    return svg;
  }

  function checkResult(z, l) {
    const c = l.check;
    const pass = c.free_kb > c.threshold_kb;
    const parts = [`${c.mark} ${c.min_kb} kB`];
    if (c.min_kb !== c.mark_kb) parts[0] += ` (reduced from ${c.mark_kb} kB for this request)`;
    if (z.reserve_kb) parts.push(`lowmem_reserve ${z.reserve_kb} kB`);
    return h('p', { class: `result ${pass ? 'pass' : 'fail'}`, 'data-key': 'check-result' },
      `Counted free ${c.free_kb} kB ${pass ? '>' : '≤'} ${parts.join(' + ')}${parts.length > 1 ? ` = ${c.threshold_kb} kB` : ''}: `,
      pass ? 'above the watermark.' : 'not above the watermark: the check fails.');
  }

  // ---- Tables (the charts' text alternative) ----------------------------------

  const ZONE_ROWS = [
    ['free_kb', 'Free', kb], ['usable_kb', 'Free this request may use (engine)', kb],
    ['free_cma_kb', 'Free CMA', kb], ['highatomic_kb', 'High-atomic', kb],
    ['min_kb', 'min (with boost)', kb], ['low_kb', 'low', kb], ['high_kb', 'high', kb],
    ['boost_kb', 'Watermark boost', kb], ['reserve_kb', 'lowmem_reserve for this request', kb],
    ['largest_order', 'Largest order it may use'], ['largest_any', 'Largest order free'],
    ['ok', 'min check passes (1) or fails (0)'], ['ok_low', 'at low'], ['ok_high', 'at high'],
    ['ok_last', 'last-chance check at high'], ['cause', 'Cause'],
    ['unusable_idx', 'Unusable free index'], ['frag_idx', 'Fragmentation index'],
  ];
  const CHECK_ROWS = [
    ['mark', 'Check at'], ['mark_kb', 'That watermark', kb], ['min_kb', 'After the request\u2019s reductions', kb],
    ['threshold_kb', 'Plus lowmem_reserve: the threshold', kb], ['free_kb', 'Free pages counted', kb],
  ];

  function zoneTable(z, l, id) {
    const rows = ZONE_ROWS.filter(([k]) => k in z).map(([k, label, f]) =>
      h('tr', { 'data-key': k }, h('th', { scope: 'row', text: label }), h('td', { class: 'num', text: f ? f(z[k]) : String(z[k]) })));
    if (l) {
      for (const [k, label, f] of CHECK_ROWS) {
        rows.push(h('tr', { 'data-key': `check.${k}` }, h('th', { scope: 'row', text: label }),
          h('td', { class: 'num', text: f ? f(l.check[k]) : String(l.check[k]) })));
      }
    }
    return h('details', { class: 'numbers' },
      h('summary', { text: `Numbers of ${z.zone} (node ${z.node})` }),
      h('div', { class: 'tablewrap' }, h('table', { id: `${id}-ztab`, class: 'zone-table' },
        h('caption', { text: `${z.zone} (node ${z.node}): the zone line and the check` }),
        h('tbody', {}, rows))));
  }

  function ordersTable(l, reqOrder, id) {
    const rows = l.orders.map((o) => h('tr', { 'data-order': o.order ?? '' },
      h('td', { class: 'num', text: o.order ?? '?' }),
      h('td', { class: 'num', text: `${o.block_kb} kB` }),
      h('td', { class: 'num', text: o.count }),
      h('td', { class: 'num', text: `${o.count * o.block_kb} kB` }),
      h('td', { text: o.types || '—' }),
      h('td', { text: o.usable || '—' }),
      h('td', { 'data-class': o.class }, o.class,
        reqOrder !== null && o.order === reqOrder ? ' (the request\u2019s order)' : '')));
    const used = [...new Set(l.orders.map((o) => o.class))];
    const letters = [...new Set(l.orders.map((o) => o.types).join(''))];
    return h('details', { class: 'numbers' },
      h('summary', { text: `Free lists of ${l.zone} (node ${l.node}), by order` }),
      l.orders.length ? [h('div', { class: 'tablewrap' }, h('table', { id: `${id}-otab`, class: 'orders-table' },
        h('caption', { text: `Free blocks by order${l.total_kb !== null ? `, ${l.total_kb} kB in all as printed` : ''}; migrate types this request may use: ${l.usable_types}` }),
        h('thead', {}, h('tr', {}, ['Order', 'Block', 'Free blocks', 'Free', 'Migrate types', 'Usable types', 'For this request']
          .map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, rows))),
      h('p', { class: 'hint' }, letters.length ? `Migrate types: ${letters.sort().map((t) => `${t} ${TYPES[t] || t}`).join(', ')}. ` : '',
        used.map((c) => `${c}: ${CLASSES[c]}`).join('; '), '.')]
        : h('p', { id: `${id}-otab`, text: 'The report printed no free-list line for this zone.' }));
  }

  // ---- Input ----------------------------------------------------------------

  function analyseText(name) {
    const text = $('log').value;
    if (!text.trim()) {
      setStatus('Nothing to analyse: paste a kernel log, drop a file or open one.', true);
      return Promise.resolve();
    }
    return run(name || 'pasted', new TextEncoder().encode(text));
  }

  async function analyseFile(file, others) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    // The log itself is not copied into the text area (it may be large).
    $('log').value = '';
    await run(file.name, bytes);
    if (others > 0) {
      setStatus(`${$('status').textContent} Only the first of ${others + 1} files was read: drop them one at a time.`, true);
    }
  }

  window.oomfrag = {
    analyseText, analyseFile, goTo,
    state: () => state,
  };

  function init() {
    $('analyse').addEventListener('click', () => analyseText());
    $('clear').addEventListener('click', () => {
      $('log').value = '';
      $('results').replaceChildren();
      setStatus('');
      $('log').focus();
    });
    $('example').addEventListener('click', () => {
      $('log').value = OOMFRAG_EXAMPLE;
      analyseText('example');
    });
    $('file').addEventListener('change', (ev) => {
      const f = ev.target.files;
      if (f && f.length) analyseFile(f[0], f.length - 1);
      ev.target.value = '';
    });
    $('log').addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        analyseText();
      }
    });
    // A paste, into the text area or anywhere: analysed at once.
    document.addEventListener('paste', (ev) => {
      const text = ev.clipboardData && ev.clipboardData.getData('text/plain');
      if (!text) return;
      const ta = $('log');
      const t = ev.target;
      if (t instanceof HTMLInputElement) return;
      ev.preventDefault();
      if (t === ta) {
        ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, 'end');
      } else {
        ta.value = text;
      }
      analyseText();
    });
    // Drop a file anywhere.
    let depth = 0;
    const drop = $('drop');
    document.addEventListener('dragenter', (ev) => {
      if (!ev.dataTransfer || !Array.from(ev.dataTransfer.types).includes('Files')) return;
      depth++;
      drop.hidden = false;
    });
    document.addEventListener('dragleave', () => {
      if (depth > 0 && --depth === 0) drop.hidden = true;
    });
    document.addEventListener('dragover', (ev) => ev.preventDefault());
    document.addEventListener('drop', (ev) => {
      ev.preventDefault();
      depth = 0;
      drop.hidden = true;
      const dt = ev.dataTransfer;
      if (dt && dt.files && dt.files.length) {
        analyseFile(dt.files[0], dt.files.length - 1);
      } else if (dt) {
        const text = dt.getData('text/plain');
        if (text) {
          $('log').value = text;
          analyseText('dropped');
        }
      }
    });
    window.addEventListener('hashchange', () => {
      const m = /^#report-(\d+)$/.exec(location.hash);
      if (m) focusReport(Number(m[1]));
    });
    // Keys: j/k next and previous report, i the list, / the log.
    document.addEventListener('keydown', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const t = ev.target;
      if (t instanceof HTMLTextAreaElement || t instanceof HTMLInputElement || t instanceof HTMLSelectElement) return;
      const n = state.reports.length;
      if (ev.key === '/') {
        ev.preventDefault();
        $('log').focus();
      } else if (!n) {
        return;
      } else if (ev.key === 'j') {
        ev.preventDefault();
        goTo(Math.min(n, state.cur + 1));
      } else if (ev.key === 'k') {
        ev.preventDefault();
        goTo(Math.max(1, state.cur - 1));
      } else if (ev.key === 'i') {
        ev.preventDefault();
        $('index').focus();
        $('index').scrollIntoView();
      }
    });
    analyzer().catch((err) => setStatus(`The analyzer could not start: ${err.message}`, true));
  }

  init();
})();
