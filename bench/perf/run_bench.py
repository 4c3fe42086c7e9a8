#!/usr/bin/env python3
"""Side-by-side benchmark runner (scripts/bench runs it after a Release build).

Every metric is measured for agentp2p and for a real reference in the same
run (js-libp2p 3.x nodes in their own processes, iperf3, a C TCP ping-pong),
repeated (median of --runs, at least 3), and reported as a table: metric,
ours, reference, ratio ours/reference, goal, pass/fail; the same as JSON.
It refuses to run on a busy machine (load average) unless --force.
"""
import argparse
import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
NODE = ROOT / "tests/interop/node22"
JS = ROOT / "bench/perf/js/bench_node.mjs"
JS_MCP = ROOT / "bench/perf/js/mcp_server.mjs"
JS_A2A = ROOT / "bench/perf/js/a2a_server.mjs"
GiB = 1 << 30
MB = 1e6

started = []  # every process we start, stopped at exit


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Server:
    """A server process that prints one JSON ready line and runs until stdin closes."""

    def __init__(self, argv, name):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        started.append(self.proc)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{name}: server did not start")
        self.ready = json.loads(line)

    @property
    def addr(self):
        return self.ready["addrs"][0]

    def rss_kib(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class UrlServer:
    """An HTTP server process that prints its URL first (plain, or JSON {"url": ...}).

    Ours stop on SIGTERM, the js references when stdin closes; stop() does both."""

    def __init__(self, argv, name):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        started.append(self.proc)
        line = self.proc.stdout.readline().strip()
        if not line:
            raise RuntimeError(f"{name}: server did not start")
        self.url = json.loads(line)["url"] if line.startswith("{") else line
        self.port = int(self.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def stop_all():
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait()


def run_json(argv, timeout):
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed ({out.returncode}): {out.stderr.strip()[-500:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    # A rate of failed calls measures the failure, not the server.
    if res.get("errors"):
        raise RuntimeError(f"{' '.join(map(str, argv))}: {res['errors']} of the calls failed: "
                           f"{out.stderr.strip()[-500:]}")
    return res


def median_of_values(vals):
    if isinstance(vals[0], dict):
        return {k: statistics.median(v[k] for v in vals) for k in vals[0] if isinstance(vals[0][k], (int, float))}
    return statistics.median(vals)


def interleaved_medians(runs, *fns):
    """Runs fns in turn, `runs` rounds, and returns each one's median: ours and
    the reference see the same machine (the load of this shared host drifts
    over the seconds a metric takes, which one block per side would turn into
    a ratio)."""
    rounds = [[fn() for fn in fns] for _ in range(runs)]
    return tuple(median_of_values([r[i] for r in rounds]) for i in range(len(fns)))


class Suite:
    def __init__(self, args):
        self.a = args
        b = pathlib.Path(args.build)
        self.bench = b / "bench/perf/agentp2p-bench"
        self.perf = b / "apps/agentp2p-perf"
        self.pingpong = b / "bench/perf/pingpong"
        self.rpcload = b / "bench/perf/rpcload"
        self.pipe_echo = b / "bench/perf/pipe_echo"
        self.mcp_fixture = b / "tests/mcp/agentp2p_mcp_fixture_server"
        self.a2a_server = b / "tests/a2a_http/agentp2p_a2a_http_server"
        self.rows = []

    def row(self, metric, unit, ours, ref_name, ref, goal_op, goal, note=""):
        ratio = ours / ref if ref else None
        ok = None if ratio is None or goal is None else (ratio >= goal if goal_op == ">=" else ratio <= goal)
        self.rows.append({"metric": metric, "unit": unit, "ours": ours, "reference": ref_name, "reference_value": ref,
                          "ratio": ratio, "goal": None if goal is None else f"{goal_op} {goal:g}", "pass": ok,
                          "note": note})
        log(f"  {metric}: ours {ours:.6g} {unit}, {ref_name} {ref if ref is None else round(ref, 3)}"
            f" → ratio {ratio if ratio is None else round(ratio, 3)}")

    def not_measured(self, metric, why):
        self.rows.append({"metric": metric, "unit": "", "ours": None, "reference": None, "reference_value": None,
                          "ratio": None, "goal": None, "pass": None, "note": why})

    # ---- servers
    def ours(self):
        return Server([str(self.bench), "server"], "agentp2p")

    def js(self):
        return Server([str(NODE), str(JS), "server"], "js-libp2p")

    def ours_client(self, mode, addr, count, inflight=None, timeout=600):
        argv = [str(self.bench), mode, "--addr", addr, "--count", str(count)]
        if inflight:
            argv += ["--inflight", str(inflight)]
        return run_json(argv, timeout)

    def js_client(self, mode, addr, count, inflight=None, timeout=600):
        argv = [str(NODE), str(JS), mode, "--addr", addr, "--count", str(count)]
        if inflight:
            argv += ["--inflight", str(inflight)]
        return run_json(argv, timeout)

    # ---- metrics
    def throughput(self, ours, js):
        n = self.a.bytes
        log(f"throughput: {n / GiB:g} GiB each direction, one stream")

        def ours_mbps(up, down):
            r = run_json([str(self.perf), "--server-address", ours.addr, "--transport", "tcp",
                          "--upload-bytes", str(up), "--download-bytes", str(down)], 600)
            return (up + down) / r["timeSeconds"] / MB

        def js_mbps(up, down):
            r = run_json([str(NODE), str(JS), "perf", "--addr", js.addr, "--upload-bytes", str(up),
                          "--download-bytes", str(down)], 900)
            return (up + down) / r["timeSeconds"] / MB

        port = 52000 + os.getpid() % 1000
        iperf = subprocess.Popen(["iperf3", "-s", "-p", str(port), "-B", "127.0.0.1"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        started.append(iperf)
        time.sleep(0.5)

        def iperf_mbps(reverse):
            argv = ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-n", str(n), "-J", "-P", "1"]
            if reverse:
                argv.append("-R")
            r = json.loads(subprocess.run(argv, stdout=subprocess.PIPE, text=True, timeout=600).stdout)
            return r["end"]["sum_received"]["bits_per_second"] / 8 / MB

        for label, up, down, rev in (("upload", n, 0, False), ("download", 0, n, True)):
            o, j, i = interleaved_medians(self.a.runs, lambda: ours_mbps(up, down), lambda: js_mbps(up, down),
                                          lambda: iperf_mbps(rev))
            self.row(f"throughput {label}, TCP+Noise+Yamux", "MB/s", o, "js-libp2p", j, ">=", 5)
            self.row(f"throughput {label}, TCP+Noise+Yamux", "MB/s", o, "iperf3 one stream", i, ">=", 0.6)
        iperf.kill()
        iperf.wait()

    def latency_pair(self, metric, unit_count, ours_fn, ref_name, ref_fn, goal):
        o, r = interleaved_medians(self.a.runs, ours_fn, ref_fn)
        for q in ("median_us", "p95_us"):
            self.row(f"{metric} {q.split('_')[0]}", "µs", o[q], ref_name, r[q], "<=", goal, unit_count)
        return o, r

    def dial(self, ours, js):
        n = self.a.dials
        log(f"fresh connections: {n} dials")
        self.latency_pair("fresh connection + first stream", f"{n} dials",
                          lambda: self.ours_client("dial", ours.addr, n),
                          "js-libp2p", lambda: self.js_client("dial", js.addr, n), 0.1)

    def ping(self, ours):
        n = self.a.pings
        log(f"ping: {n} round trips on one stream")
        pp = subprocess.Popen([str(self.pingpong), "server"], stdout=subprocess.PIPE, text=True)
        started.append(pp)
        port = json.loads(pp.stdout.readline())["port"]
        self.latency_pair("ping RTT on an open stream", f"{n} pings",
                          lambda: self.ours_client("ping", ours.addr, n),
                          "C TCP ping-pong", lambda: run_json([str(self.pingpong), "client", str(port), str(n)], 300), 2)
        pp.kill()
        pp.wait()

    def rr(self, ours, js):
        n = self.a.requests
        log(f"new stream + 100-byte request/response: {n} sequential")
        self.latency_pair("new stream + 100 B request/response", f"{n} requests",
                          lambda: self.ours_client("rr", ours.addr, n),
                          "js-libp2p", lambda: self.js_client("rr", js.addr, max(n // 4, 100)), 0.2)

    def streams(self, ours, js):
        n = self.a.streams
        log(f"streams per second, 64 in flight: {n} ours, {n // 4} js")
        o, j = interleaved_medians(self.a.runs, lambda: self.ours_client("streams", ours.addr, n, 64),
                                   lambda: self.js_client("streams", js.addr, max(n // 4, 500), 64))
        self.row("streams per second, 64 in flight", "streams/s", o["per_second"], "js-libp2p", j["per_second"],
                 ">=", 20)

    def tool(self, ours, js):
        n = self.a.tool_calls
        log(f"/praxis/tool/1.0.0: {n} calls, 64 in flight (same C++ load client for both servers)")
        o, j = interleaved_medians(self.a.runs, lambda: self.ours_client("tool", ours.addr, n, 64),
                                   lambda: self.ours_client("tool", js.addr, max(n // 2, 500), 64))
        self.row("/praxis/tool/1.0.0 calls per second, 64 in flight", "calls/s", o["per_second"],
                 "js-libp2p node", j["per_second"], ">=", 10)
        self.row("/praxis/tool/1.0.0 median latency, 64 in flight", "µs", o["median_us"],
                 "js-libp2p node", j["median_us"], "<=", 0.1)

    def rss_per_conn(self, make_server, count):
        srv = make_server()
        try:
            time.sleep(1.0)
            before = srv.rss_kib()
            client = subprocess.Popen([str(self.bench), "conns", "--addr", srv.addr, "--count", str(count)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            started.append(client)
            line = client.stdout.readline()
            if not line:
                raise RuntimeError(f"conns client failed: {client.stderr.read()[-500:]}")
            ready = json.loads(line)
            if ready["ready"] != count:
                raise RuntimeError(f"only {ready['ready']} of {count} connections opened")
            time.sleep(3.0)  # identify and the first keep-alive settle
            after = srv.rss_kib()
            client.stdin.close()
            client.wait(timeout=120)
            return (after - before) * 1024 / count
        finally:
            srv.stop()

    def rss(self):
        log("RSS per idle connection: 1,000 (ours and js), 10,000 (ours)")
        o, j = interleaved_medians(self.a.runs, lambda: self.rss_per_conn(self.ours, 1000),
                                   lambda: self.rss_per_conn(self.js, 1000))
        self.row("RSS per idle connection at 1,000", "bytes", o, "js-libp2p", j, "<=", 0.2, "server process RSS delta")
        if not self.a.quick:
            o10 = self.rss_per_conn(self.ours, 10000)
            self.row("RSS per idle connection at 10,000", "bytes", o10, "js-libp2p at 1,000", j, "<=", 0.2,
                     "one run; 10,000 connections open")

    # ---- agent protocols over HTTP and stdio: one C load client (rpcload) for both sides
    def rpc_http(self, srv, path, proto, n, inflight=16):
        return run_json([str(self.rpcload), "http", "--port", str(srv.port), "--path", path, "--proto", proto,
                         "--count", str(n), "--inflight", str(inflight), "--server-pid", str(srv.proc.pid)], 600)

    def rpc_rows(self, metric, o, r, ref_name, goal_rate, goal_cost, extra_note=""):
        """Rows for one rpcload comparison; goal_rate None: informational (ratios, no pass/fail)."""
        note = (f"client CPU/call {o['client_cpu_us_per_call']:.0f} µs (ours) / {r['client_cpu_us_per_call']:.0f} µs"
                f" (ref){extra_note}")
        self.row(f"{metric}: calls/s", "calls/s", o["per_second"], ref_name, r["per_second"], ">=", goal_rate, note)
        for q in ("median_us", "p95_us"):
            self.row(f"{metric}: {'p50' if q == 'median_us' else 'p95'}", "µs", o[q], ref_name, r[q], "<=",
                     None if goal_rate is None else 1 / goal_rate, note)
        if "server_cpu_us_per_call" in o and "server_cpu_us_per_call" in r:
            self.row(f"{metric}: server CPU per call", "µs", o["server_cpu_us_per_call"], ref_name,
                     r["server_cpu_us_per_call"], "<=", goal_cost, "utime+stime from /proc/<pid>/stat")

    def mcp_http(self):
        n = self.a.mcp_calls
        ref_n = max(n // 4, 1000)
        log(f"MCP tools/call over Streamable HTTP, 16 in flight, stateful (a session per connection): {n} ours, "
            f"{ref_n} TypeScript SDK")

        def ours():
            srv = UrlServer([str(self.mcp_fixture), "--http", "0"], "agentp2p MCP fixture")
            try:
                return self.rpc_http(srv, "/mcp", "mcp", n)
            finally:
                srv.stop()

        def ref():
            srv = UrlServer([str(NODE), str(JS_MCP), "--http"], "TypeScript SDK MCP server")
            try:
                return self.rpc_http(srv, "/mcp", "mcp", ref_n)
            finally:
                srv.stop()

        o, r = interleaved_medians(self.a.runs, ours, ref)
        self.rpc_rows("MCP tools/call over Streamable HTTP, 16 in flight", o, r, "TypeScript SDK (stateful, SSE)",
                      10, 0.1)

    def mcp_stdio(self):
        n = self.a.stdio_calls
        ref_n = max(n // 2, 1000)
        log(f"MCP tools/call over stdio, sequential: {n} ours, {ref_n} TypeScript SDK, {n} C pipe echo (floor)")
        stdio = lambda count, *cmd: lambda: run_json(  # noqa: E731
            [str(self.rpcload), "stdio", "--count", str(count), "--", *map(str, cmd)], 600)
        o, r, floor = interleaved_medians(self.a.runs, stdio(n, self.mcp_fixture, "--stdio"),
                                          stdio(ref_n, NODE, JS_MCP, "--stdio"), stdio(n, self.pipe_echo))
        self.rpc_rows("MCP tools/call over stdio, sequential", o, r, "TypeScript SDK", 5, 0.2)
        # The floor: a C server that answers each line without parsing JSON.
        # A sequential call waits for two wake-ups (server, then client); on
        # this VM those take most of the round trip, whoever serves.
        self.rpc_rows("MCP tools/call over stdio, sequential, against the machine's floor (informational)", o, floor,
                      "C pipe echo (no JSON, no MCP)", None, None,
                      "; the floor answers with a fixed result: what any server pays for the pipe round trip")

    def a2a_http(self):
        n = self.a.a2a_calls
        ref_n = max(n // 4, 1000)
        log(f"A2A SendMessage (1.0) over HTTP, 16 in flight: {n} ours (direct reply, then durable tasks), "
            f"{ref_n} @a2a-js/sdk")

        def ours(agent):
            # A database file, as a node has (acknowledged tasks are committed
            # before the reply); --a2a-store memory measures ":memory:". The
            # echo-message agent answers with a message and stores nothing.
            with tempfile.TemporaryDirectory(prefix="agentp2p-bench-a2a-") as tmp:
                db = ":memory:" if self.a.a2a_store == "memory" else os.path.join(tmp, "a2a.db")
                srv = UrlServer([str(self.a2a_server), "--db", db, "--agent", agent], "agentp2p A2A HTTP server")
                try:
                    return self.rpc_http(srv, "/a2a", "a2a", n)
                finally:
                    srv.stop()

        def ref():
            srv = UrlServer([str(NODE), str(JS_A2A)], "@a2a-js/sdk server")
            try:
                return self.rpc_http(srv, "/a2a", "a2a", ref_n)
            finally:
                srv.stop()

        o, tasks, r = interleaved_medians(self.a.runs, lambda: ours("echo-message"), lambda: ours("tools"), ref)
        # Headline: the reference's workload (its executor answers with a
        # message at once; no task is created or stored).
        self.rpc_rows("A2A message/send over HTTP, 16 in flight", o, r, "@a2a-js/sdk", 10, 0.1,
                      "; both answer with an agent message echoing the parts, no task")
        # Informational: our default tool agent, every call a task stored
        # durably (sqlite: history, artifact; committed before the reply),
        # against the same reference, which stores no task.
        self.rpc_rows("A2A message/send as a durable task over HTTP, 16 in flight (informational)", tasks, r,
                      "@a2a-js/sdk (no task)", None, None,
                      f"; ours runs the echo tool as a task stored durably (sqlite {self.a.a2a_store}: history,"
                      " artifact; committed before the reply), the reference creates no task")

    def run(self):
        only = set(self.a.only.split(",")) if self.a.only else None
        want = lambda m: only is None or m in only  # noqa: E731
        libp2p = [m for m in ("throughput", "dial", "ping", "rr", "streams", "tool") if want(m)]
        ours, js = (self.ours(), self.js()) if libp2p else (None, None)
        try:
            if want("throughput"):
                self.throughput(ours, js)
            if want("dial"):
                self.dial(ours, js)
            if want("ping"):
                self.ping(ours)
            if want("rr"):
                self.rr(ours, js)
            if want("streams"):
                self.streams(ours, js)
            if want("tool"):
                self.tool(ours, js)
        finally:
            if ours:
                ours.stop()
                js.stop()
        if want("rss"):
            self.rss()
        if want("mcp_http"):
            self.mcp_http()
        if want("mcp_stdio"):
            self.mcp_stdio()
        if want("a2a"):
            self.a2a_http()


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def print_table(rows, header):
    cols = ["metric", "unit", "ours", "reference", "ref value", "ratio", "goal", "pass"]
    table = [[r["metric"], r["unit"], fmt(r["ours"]), r["reference"] or "-", fmt(r["reference_value"]),
              fmt(r["ratio"]), r["goal"] or "-", {True: "PASS", False: "FAIL", None: r["note"] or "-"}[r["pass"]]]
             for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in table)) for i, c in enumerate(cols)]
    print(header)
    print(" | ".join(c.ljust(w) for c, w in zip(cols, widths)))
    print("-+-".join("-" * w for w in widths))
    for t in table:
        print(" | ".join(c.ljust(w) for c, w in zip(t, widths)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(ROOT / "build/release"))
    ap.add_argument("--quick", action="store_true", help="smaller counts (64 MiB, 100 dials, ...) for a fast look")
    ap.add_argument("--force", action="store_true", help="run even when the load average says the machine is busy")
    ap.add_argument("--runs", type=int, default=3, help="repeats per metric; the median is reported (>= 3)")
    ap.add_argument("--only", help="comma-separated: throughput,dial,ping,rr,streams,tool,rss,mcp_http,mcp_stdio,a2a")
    ap.add_argument("--a2a-store", choices=("file", "memory"), default="file",
                    help="our A2A server's task database: a file in a temp dir (default, as a node) or :memory:")
    ap.add_argument("--out", help="JSON output (default BUILD/bench/results.json)")
    a = ap.parse_args()
    if a.runs < 3:
        ap.error("--runs must be at least 3 (the table reports medians)")
    a.bytes = 64 << 20 if a.quick else GiB
    a.dials = 100 if a.quick else 500
    a.pings = 2000 if a.quick else 10000
    a.requests = 500 if a.quick else 2000
    a.streams = 4000 if a.quick else 20000
    a.tool_calls = 2000 if a.quick else 10000
    a.mcp_calls = 4000 if a.quick else 20000
    a.stdio_calls = 2000 if a.quick else 10000
    a.a2a_calls = 2000 if a.quick else 10000

    load1 = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    busy = load1 > 0.5
    if busy and not a.force:
        log(f"refusing to benchmark: load average {load1:.2f} on {cores} cores says others are using the machine "
            f"(threshold 0.5). Rerun when it is idle, or pass --force (numbers will be noisy; ratios measured in "
            f"the same run still compare).")
        return 3
    for path in (NODE, JS, JS_MCP, JS_A2A):
        if not path.exists():
            log(f"missing {path}: run `npm ci` in tests/interop")
            return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    suite = Suite(a)
    t0 = time.time()
    try:
        suite.run()
    finally:
        stop_all()
    result = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load_average_at_start": load1,
              "load_average_at_end": os.getloadavg()[0], "cores": cores,
              "forced_while_busy": busy and a.force, "quick": a.quick, "runs": a.runs,
              "seconds": round(time.time() - t0, 1), "rows": suite.rows}
    out = pathlib.Path(a.out or pathlib.Path(a.build) / "bench/results.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    header = (f"agentp2p benchmark, {a.runs} runs per metric (median), load average {load1:.2f} on {cores} cores"
              + (" — FORCED on a busy machine: absolute numbers are noisy" if busy else "")
              + (" — quick mode" if a.quick else ""))
    print_table(suite.rows, header)
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        stop_all()
