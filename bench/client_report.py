#!/usr/bin/env python3
"""Statistics, report and plot for bench/client-bench.sh (standard library + matplotlib).

Subcommands:
  delta KIND BEFORE AFTER   print "hits|misses|detail" for one build, from the counters a
                            tool printed before and after it (KIND: ccache, sccache, hgbuild, coord)
  report --csv F --meta F [--hitcost F] --md F --png F
                            medians/min/max per workload x configuration, ratios, targets; writes
                            the section between the client-bench markers of --md (other sections
                            of the file are kept) and the bar chart --png

About 500 lines: the counter parsing for four tools, the report and the plot belong together
because the report's tables and the plot read the same series.
"""

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile

BEGIN = "<!-- client-bench:begin -->"
END = "<!-- client-bench:end -->"

# Configurations in display order: key -> label.
CONFIGS = [
    ("plain", "plain make"),
    ("hgbuild-cold", "hgbuild cold"),
    ("hgbuild-warm", "hgbuild warm"),
    ("ccache-cold", "ccache cold"),
    ("ccache-warm", "ccache warm"),
    ("distcc", "distcc"),
    ("sccache-cold", "sccache cold"),
    ("sccache-warm", "sccache warm"),
]
LABEL = dict(CONFIGS)
# hgbuild's first call after a fresh daemon/grid: recorded per repetition, shown separately.
START = "hgbuild-start"

# Targets of issue 3 (2-core machines, ratios measured in one run).
HIT_COST_TARGET_MS = 3.0
WARM_VS_CCACHE_TARGET = 1.00
COLD_VS_PLAIN_TARGET = 1.03
DISTCC_REFERENCE = 1.10


# ---------------------------------------------------------------- counters (delta)


def _load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def _flatten(node, prefix=""):
    """Numeric leaves of a JSON document as {"a.b.c": number}."""
    out = {}
    if isinstance(node, dict):
        for key, value in node.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.update(_flatten(value, f"{prefix}[{i}]"))
    elif isinstance(node, bool):
        pass
    elif isinstance(node, (int, float)):
        out[prefix] = node
    return out


def _delta(before, after):
    b, a = _flatten(before or {}), _flatten(after or {})
    return {k: a[k] - b.get(k, 0) for k in a}


def _sum_matching(delta, word):
    """Sum of counters whose path names `word` (a '*total*' counter wins over its parts)."""
    skip = ("rate", "ratio", "percent", "bytes", "size", "duration", "nanos", "secs", "ms")
    keys = [k for k in delta if word in k.lower() and not any(s in k.lower() for s in skip)]
    totals = [k for k in keys if "total" in k.lower()]
    use = totals or keys
    return sum(delta[k] for k in use) if use else ""


def _fmt_detail(delta, keep=lambda k: True):
    """The counters that changed, except rates."""
    items = [
        f"{k}={_num(v)}"
        for k, v in sorted(delta.items())
        if v != 0 and keep(k) and "rate" not in k.lower()
    ]
    return " ".join(items)


def _num(v):
    return int(v) if float(v).is_integer() else round(v, 3)


def _ccache_stats(path):
    out = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 2 and parts[1].lstrip("-").isdigit():
                    out[parts[0]] = int(parts[1])
    except OSError:
        pass
    return out


def cmd_delta(kind, before_path, after_path):
    if kind == "ccache":
        b, a = _ccache_stats(before_path), _ccache_stats(after_path)
        if not a:
            return "", "", "ccache stats unavailable"
        d = {k: a[k] - b.get(k, 0) for k in a}
        hits = d.get("direct_cache_hit", 0) + d.get("preprocessed_cache_hit", 0)
        misses = d.get("cache_miss", 0)
        detail = (
            f"direct_hit={d.get('direct_cache_hit', 0)} "
            f"preprocessed_hit={d.get('preprocessed_cache_hit', 0)} miss={misses}"
        )
        return hits, misses, detail
    before, after = _load_json(before_path), _load_json(after_path)
    if after is None:
        return "", "", f"{kind} stats unavailable"
    if kind == "sccache":
        s_b = (before or {}).get("stats", {})
        s_a = after.get("stats", {})
        hits = sum(s_a.get("cache_hits", {}).get("counts", {}).values()) - sum(
            s_b.get("cache_hits", {}).get("counts", {}).values()
        )
        misses = sum(s_a.get("cache_misses", {}).get("counts", {}).values()) - sum(
            s_b.get("cache_misses", {}).get("counts", {}).values()
        )
        return hits, misses, f"hits={hits} misses={misses}"
    delta = _delta(before, after)
    if kind == "hgbuild":
        detail = _fmt_detail(delta, lambda k: "uptime" not in k.lower())
        return _sum_matching(delta, "hit"), _sum_matching(delta, "miss"), detail or "no change"
    if kind == "coord":
        remote = delta.get("tasks_completed", 0)
        detail = _fmt_detail(
            delta,
            lambda k: any(w in k.lower() for w in ("cache", "hit", "fail", "retried", "error")),
        )
        return remote, "", (f"coord_tasks_completed={remote} " + detail).strip()
    raise SystemExit(f"client_report.py delta: unknown kind '{kind}'")


# ---------------------------------------------------------------- report


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _read_meta(path):
    meta = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    return meta


class Series:
    """Wall times of one workload x configuration."""

    def __init__(self, rows):
        self.rows = rows
        self.ok = [float(r["seconds"]) for r in rows if r["ok"] == "1"]
        self.failed = sum(1 for r in rows if r["ok"] != "1")

    @property
    def median(self):
        return statistics.median(self.ok) if self.ok else None

    def cell(self, column):
        values = [r[column] for r in self.rows if r["ok"] == "1" and r[column] != ""]
        if not values:
            return ""
        return "/".join(sorted(set(values), key=values.index))


def _ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def _fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}×"


def _fmt_s(v):
    return "n/a" if v is None else f"{v:.2f}"


def _verdict(value, limit, unit):
    """'met' / 'missed' for value <= limit, with the distance to the limit."""
    if value is None:
        return "not measured"
    if unit == "ms":
        diff = f"{abs(value - limit):.2f} ms"
    else:
        diff = f"{abs(value - limit) / limit * 100:.1f} %"
    if value <= limit:
        return f"**met**, {diff} under the limit"
    return f"**missed** by {diff}"


def build_report(args):
    rows = _read_csv(args.csv)
    meta = _read_meta(args.meta)
    hitcost = _load_json(args.hitcost) if args.hitcost else None
    workloads = [w for w in meta.get("workloads", "").split(",") if w]
    series = {}
    for w in workloads:
        for key in [c for c, _ in CONFIGS] + [START]:
            sel = [r for r in rows if r["workload"] == w and r["config"] == key]
            if sel:
                series[(w, key)] = Series(sel)

    def med(w, key):
        s = series.get((w, key))
        return s.median if s else None

    lines = [BEGIN, "", "## Client benchmark (issue 3)", ""]
    lines.append(
        "Generated by `bench/client-bench.sh` (see bench/README.md); do not edit by hand — "
        "re-run the command below."
    )
    lines.append("")
    lines.append(f"- command: `{meta.get('command', '?')}` (project commit {meta.get('commit', '?')})")
    lines.append(f"- date: {meta.get('date', '?')}; raw data: `{meta.get('csv_rel', '?')}`")
    lines.append(
        f"- machine: {meta.get('nproc', '?')} cores ({meta.get('cpu', '?')}), kernel "
        f"{meta.get('kernel', '?')}, {meta.get('gcc', '?')}"
    )
    lines.append(
        f"- tools: {meta.get('tools', '?')}; load average at start {meta.get('load_start', '?')}, "
        f"at end {meta.get('load_end', '?')}"
    )
    lines.append(
        f"- builds: `make -j{meta.get('jobs', '?')}`, {meta.get('reps', '?')} repetition(s); within "
        "each repetition every configuration runs once, in an order rotated per repetition; an "
        "untimed plain build per workload warms the page cache first; each build starts from "
        "`make clean`. Wall time from the start of `make` to its end; every build is checked "
        "for exit 0 and a working binary."
    )
    lines.append(
        "- hgbuild cold: a fresh coordinator and ONE loopback worker "
        f"(`--max-parallel {meta.get('jobs', '?')}`), fresh state dirs, an empty local cache, a "
        "fresh daemon. The daemon is started before the timed build by compiling one tiny file "
        "(timed separately as \"hgbuild first call\"); so *hgbuild cold* excludes the daemon "
        "start, *cold incl. start* adds it. hgbuild warm: the same cache, daemon and grid after "
        "`make clean`."
    )
    lines.append(
        "- ccache cold: empty `CCACHE_DIR`; warm: after `make clean`. distcc: `CC=\"distcc gcc\"` "
        "against a distccd on 127.0.0.1 with the same job count. sccache: fresh `SCCACHE_DIR` and "
        "server per repetition; cold fills it, warm after `make clean`."
    )
    if meta.get("notes"):
        lines.append(f"- notes: {meta['notes']}")
    lines.append("")

    for w in workloads:
        title = meta.get(f"title_{w}", w)
        lines.append(f"### {title}")
        lines.append("")
        lines.append(
            "| configuration | median s | min s | max s | ok runs | × plain | × ccache warm "
            "| hits / misses | remote compiles |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|---|---|")
        plain, cwarm = med(w, "plain"), med(w, "ccache-warm")
        for key, label in CONFIGS:
            s = series.get((w, key))
            if not s:
                continue
            lo = min(s.ok) if s.ok else None
            hi = max(s.ok) if s.ok else None
            vs_ccache = _fmt_ratio(_ratio(s.median, cwarm)) if key.endswith("warm") else ""
            hm = ""
            if s.cell("hits") or s.cell("misses"):
                hm = f"{s.cell('hits') or '?'} / {s.cell('misses') or '?'}"
            runs = f"{len(s.ok)}/{len(s.rows)}"
            lines.append(
                f"| {label} | {_fmt_s(s.median)} | {_fmt_s(lo)} | {_fmt_s(hi)} | {runs} "
                f"| {_fmt_ratio(_ratio(s.median, plain))} | {vs_ccache} | {hm} "
                f"| {s.cell('remote')} |"
            )
        start = series.get((w, START))
        if start and start.ok:
            lines.append("")
            lines.append(
                f"hgbuild first call (fresh daemon, one tiny compile): median "
                f"{start.median * 1000:.0f} ms (min {min(start.ok) * 1000:.0f}, max "
                f"{max(start.ok) * 1000:.0f}) over {len(start.ok)} runs."
            )
        lines.append("")
        details = sorted(
            {
                f"{LABEL.get(r['config'], r['config'])}: {r['detail']}"
                for r in rows
                if r["workload"] == w and r["detail"] and r["config"] != START
            }
        )
        if details:
            lines.append("<details><summary>counters per build</summary>")
            lines.append("")
            for d in details:
                lines.append(f"- {d}")
            lines.append("")
            lines.append("</details>")
            lines.append("")

    hc = {}
    if hitcost:
        lines.append("### Cost of one cache hit")
        lines.append("")
        lines.append(f"`{hitcost.get('command', '?')}`, warm caches, measured with hyperfine "
                     f"`{hitcost.get('hyperfine', '')}`.")
        lines.append("")
        lines.append("| command | median ms | mean ± σ ms | min ms | max ms | runs | hits counted |")
        lines.append("|---|---:|---:|---:|---:|---:|---|")
        for r in hitcost.get("results", []):
            name = r["command"]
            hc[name] = r["median"] * 1000
            lines.append(
                f"| {name} | {r['median'] * 1000:.1f} | {r['mean'] * 1000:.1f} ± "
                f"{(r.get('stddev') or 0) * 1000:.1f} | {r['min'] * 1000:.1f} | "
                f"{r['max'] * 1000:.1f} | {r.get('runs', len(r.get('times', [])))} | "
                f"{hitcost.get('hits', {}).get(name, '')} |"
            )
        lines.append("")

    lines.append("### Targets (issue 3)")
    lines.append("")
    lines.append("| target | measured | result |")
    lines.append("|---|---|---|")
    hg_hit = hc.get("hgbuild")
    lines.append(
        f"| cache-hit cost per invocation ≤ {HIT_COST_TARGET_MS:.0f} ms median | "
        + ("n/a" if hg_hit is None else f"{hg_hit:.1f} ms (ccache {hc.get('ccache', 0):.1f} ms, "
           f"a plain gcc compile {hc.get('gcc', 0):.1f} ms)")
        + f" | {_verdict(hg_hit, HIT_COST_TARGET_MS, 'ms')} |"
    )
    for w in workloads:
        title = _short(meta, w)
        r = _ratio(med(w, "hgbuild-warm"), med(w, "ccache-warm"))
        lines.append(
            f"| {title}: warm rebuild ≤ {WARM_VS_CCACHE_TARGET:.2f}× ccache warm | "
            f"{_fmt_ratio(r)} ({_fmt_s(med(w, 'hgbuild-warm'))} s vs "
            f"{_fmt_s(med(w, 'ccache-warm'))} s) | {_verdict(r, WARM_VS_CCACHE_TARGET, 'x')} |"
        )
    for w in workloads:
        title = _short(meta, w)
        plain = med(w, "plain")
        r = _ratio(med(w, "hgbuild-cold"), plain)
        lines.append(
            f"| {title}: cold build, 1 loopback worker ≤ {COLD_VS_PLAIN_TARGET:.2f}× plain make "
            f"| {_fmt_ratio(r)} ({_fmt_s(med(w, 'hgbuild-cold'))} s vs {_fmt_s(plain)} s) "
            f"| {_verdict(r, COLD_VS_PLAIN_TARGET, 'x')} |"
        )
        incl = _cold_incl_start(rows, w)
        if incl is not None:
            ri = _ratio(incl, plain)
            lines.append(
                f"| {title}: same, incl. daemon start | {_fmt_ratio(ri)} ({incl:.2f} s) "
                f"| {_verdict(ri, COLD_VS_PLAIN_TARGET, 'x')} |"
            )
        rd = _ratio(med(w, "distcc"), plain)
        if rd is None:
            continue
        lines.append(
            f"| {title}: distcc reference (issue: {DISTCC_REFERENCE:.2f}× plain) | "
            f"{_fmt_ratio(rd)} ({_fmt_s(med(w, 'distcc'))} s) | reference |"
        )
    lines.append("")
    rel = os.path.relpath(os.path.abspath(args.png), os.path.dirname(os.path.abspath(args.md)))
    lines.append(f"![client benchmark: medians with min/max whiskers]({rel})")
    lines.append("")
    lines.append(END)
    section = "\n".join(lines) + "\n"

    _write_section(args.md, section)
    _plot(args.png, workloads, meta, series, hitcost)
    sys.stdout.write(section)


def _short(meta, w):
    return meta.get(f"title_{w}", w).split(" (")[0]


def _cold_incl_start(rows, w):
    """Median over repetitions of (first call + cold build), both from the same repetition."""
    by_rep = {}
    for r in rows:
        if r["workload"] == w and r["config"] in (START, "hgbuild-cold") and r["ok"] == "1":
            by_rep.setdefault(r["rep"], {})[r["config"]] = float(r["seconds"])
    sums = [v[START] + v["hgbuild-cold"] for v in by_rep.values() if len(v) == 2]
    return statistics.median(sums) if sums else None


def _write_section(path, section):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
    else:
        text = "# Benchmarks\n\nEvery figure here names the command that produced it.\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".benchmarks.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _plot(path, workloads, meta, series, hitcost):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("client_report.py: matplotlib missing, no plot written", file=sys.stderr)
        return
    panels = [w for w in workloads if any((w, c) in series for c, _ in CONFIGS)]
    n = len(panels) + (1 if hitcost else 0)
    if n == 0:
        return
    fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 4.6), squeeze=False)
    colors = {
        "plain": "#777777",
        "hgbuild-cold": "#1f77b4",
        "hgbuild-warm": "#6baed6",
        "ccache-cold": "#d62728",
        "ccache-warm": "#ff9896",
        "distcc": "#2ca02c",
        "sccache-cold": "#9467bd",
        "sccache-warm": "#c5b0d5",
    }
    for ax, w in zip(axes[0], panels):
        keys = [c for c, _ in CONFIGS if (w, c) in series and series[(w, c)].ok]
        meds = [series[(w, c)].median for c in keys]
        lo = [m - min(series[(w, c)].ok) for m, c in zip(meds, keys)]
        hi = [max(series[(w, c)].ok) - m for m, c in zip(meds, keys)]
        xs = range(len(keys))
        ax.bar(xs, meds, yerr=[lo, hi], capsize=4, color=[colors[c] for c in keys])
        for x, m in zip(xs, meds):
            ax.annotate(f"{m:.2f}", (x, m), ha="center", va="bottom", fontsize=7,
                        xytext=(0, 2), textcoords="offset points")
        ax.set_xticks(list(xs))
        ax.set_xticklabels([LABEL[c] for c in keys], rotation=35, ha="right", fontsize=8)
        ax.set_ylabel("wall time, s (median; whiskers min/max)")
        ax.set_title(meta.get(f"title_{w}", w), fontsize=10)
    if hitcost:
        ax = axes[0][-1]
        res = hitcost.get("results", [])
        names = [r["command"] for r in res]
        meds = [r["median"] * 1000 for r in res]
        lo = [m - r["min"] * 1000 for m, r in zip(meds, res)]
        hi = [r["max"] * 1000 - m for m, r in zip(meds, res)]
        ax.bar(range(len(res)), meds, yerr=[lo, hi], capsize=4, color="#8c564b")
        ax.axhline(HIT_COST_TARGET_MS, color="black", linestyle="--", linewidth=1)
        ax.annotate("target 3 ms", (len(res) - 0.5, HIT_COST_TARGET_MS), fontsize=7,
                    ha="right", va="bottom")
        for x, m in enumerate(meds):
            ax.annotate(f"{m:.1f}", (x, m), ha="center", va="bottom", fontsize=7,
                        xytext=(0, 2), textcoords="offset points")
        ax.set_xticks(range(len(res)))
        ax.set_xticklabels(names, fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("one compile, ms, log scale (median; whiskers min/max)")
        ax.set_title("cost of one cache hit", fontsize=10)
    fig.suptitle(
        f"hgbuild vs ccache, distcc, sccache — make -j{meta.get('jobs', '?')}, "
        f"{meta.get('reps', '?')} rep(s), {meta.get('date', '')}",
        fontsize=10,
    )
    fig.tight_layout()
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".plot.", suffix=".png")
    os.close(fd)
    fig.savefig(tmp, dpi=110)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("delta")
    d.add_argument("kind", choices=["ccache", "sccache", "hgbuild", "coord"])
    d.add_argument("before")
    d.add_argument("after")
    r = sub.add_parser("report")
    r.add_argument("--csv", required=True)
    r.add_argument("--meta", required=True)
    r.add_argument("--hitcost")
    r.add_argument("--md", required=True)
    r.add_argument("--png", required=True)
    args = parser.parse_args(argv)
    if args.cmd == "delta":
        hits, misses, detail = cmd_delta(args.kind, args.before, args.after)
        detail = detail.replace(",", ";").replace("|", "/").replace("\n", " ")
        print(f"{hits}|{misses}|{detail}")
    else:
        build_report(args)


if __name__ == "__main__":
    main(sys.argv[1:])
