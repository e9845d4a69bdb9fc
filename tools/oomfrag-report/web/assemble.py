#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Assembles the page: index.html with style.css, and one script holding
the analyzer's WebAssembly module (base64), the example log and app.js,
all inline, so that dist/index.html works opened from disk (file://,
where Chromium refuses to fetch a .wasm file) as well as served.  Its
Content-Security-Policy allows exactly these inline blocks (by hash) and
WebAssembly, and no fetch, image, font or frame from anywhere.

Usage: assemble.py WASM WEBDIR OUTDIR
Fails if the module is 500 KB or more."""

import base64
import hashlib
import json
import pathlib
import re
import sys

MAX_WASM = 500 * 1024
EXAMPLE = "../../testing/fixtures/reports/arm-3.14-cma-seed002.log"


def js_string(text):
    # A JSON string is a JS string; "</" must not close the script.
    return json.dumps(text).replace("</", "<\\/")


def sha256(text):
    return "'sha256-%s'" % base64.b64encode(
        hashlib.sha256(text.encode()).digest()).decode()


def main():
    wasm_path, web, out = (pathlib.Path(a) for a in sys.argv[1:4])
    wasm = wasm_path.read_bytes()
    if len(wasm) >= MAX_WASM:
        sys.exit(f"assemble: {wasm_path} is {len(wasm)} bytes, over the "
                 f"{MAX_WASM}-byte budget")
    example = "".join(
        line for line in (web / EXAMPLE).read_text().splitlines(True)
        if not line.startswith("#"))
    version = re.search(r'^version = "([^"]+)"',
                        (web.parent / "Cargo.toml").read_text(), re.M)[1]
    script = ("const OOMFRAG_WASM = %s;\nconst OOMFRAG_EXAMPLE = %s;\n%s" % (
        js_string(base64.b64encode(wasm).decode()), js_string(example),
        (web / "app.js").read_text()))
    if "</script" in script.lower():
        sys.exit("assemble: app.js holds </script")
    style = (web / "style.css").read_text()
    csp = ("default-src 'none'; script-src %s 'wasm-unsafe-eval'; "
           "style-src %s; img-src data: blob:; base-uri 'none'; "
           "form-action 'none'" % (sha256(script), sha256(style)))
    page = (web / "index.html").read_text()
    for key, value in (("@CSP@", csp), ("@VERSION@", version),
                       ("@STYLE@", style), ("@SCRIPT@", script)):
        if page.count(key) != 1:
            sys.exit(f"assemble: index.html must hold {key} once")
        head, tail = page.split(key)
        page = head + value + tail
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "index.html.tmp"
    tmp.write_text(page)
    tmp.replace(out / "index.html")
    print(f"web: {out / 'index.html'} ({len(page.encode()) // 1024} KB), "
          f"WebAssembly module {len(wasm)} bytes ({len(wasm) // 1024} KB)")


if __name__ == "__main__":
    main()
