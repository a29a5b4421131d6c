"""The outputs of a run: a Markdown table, a JSON file with every figure, an SVG chart of the
scaling figures."""

import json
from pathlib import Path

DATABASE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _mark(met) -> str:
    return "—" if met is None else ("met" if met else "**missed**")


def _num(value, digits=1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def markdown(results: dict) -> str:
    out = []
    run, machine = results["run"], results["machine"]
    out.append(f"# Loket benchmark {run['started'][:16].replace('T', ' ')} "
               f"(commit {run['commit']}{', dirty tree' if run.get('dirty') else ''})")
    out.append("")
    out.append(f"{machine['cores']} cores ({machine['cpu_model']}), "
               f"{machine['memory_gb']} GB; gunicorn sync × {results['settings']['workers']}, "
               f"{results['settings']['client']} at concurrency "
               f"{results['settings']['concurrency']}; {results['settings']['rounds']} "
               f"interleaved rounds of {results['settings']['duration']} s after "
               f"{results['settings']['warmup']} s warm-up. Ratio = median over rounds of "
               "Loket req/s ÷ baseline req/s.")
    for phase in results["phases"]:
        out.append("")
        out.append(f"## {DATABASE_NAMES.get(phase['database'], phase['database'])}, "
                   f"{phase['dossiers']:,} dossiers")
        out.append("")
        out.append("| Scenario | Loket req/s | p50 ms | p99 ms | Baseline | req/s | p50 ms "
                   "| p99 ms | Ratio | Target | |")
        out.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|")
        for s in phase["scenarios"]:
            lo, ba = s["loket"], s["baseline"]
            target = f"≥ {s['target']:.2f}" if s["target"] is not None else "—"
            out.append(
                f"| {s['title']} | {_num(lo['rps'])} | {_num(lo['p50_ms'], 2)} | "
                f"{_num(lo['p99_ms'], 2)} | {s['baseline_title']} | {_num(ba['rps'])} | "
                f"{_num(ba['p50_ms'], 2)} | {_num(ba['p99_ms'], 2)} | **{s['ratio']:.2f}** "
                f"({min(s['ratios']):.2f}–{max(s['ratios']):.2f}) | {target} | "
                f"{_mark(s['met'])}{' ⚠ errors' if s['errors'] else ''} |")
        memory = phase.get("memory")
        if memory and memory["rss_mb"]:
            out.append("")
            each = memory.get("requests_per_worker", memory["requests"])
            start = memory.get("rss_at_start_mb")
            out.append(f"Resident memory per Loket worker after about {each:,} mixed requests "
                       f"each: {', '.join(f'{mb:.0f} MB' for mb in memory['rss_mb'])} "
                       + (f"(at start {', '.join(f'{mb:.0f}' for mb in start)} MB; " if start
                          else "(") + f"aim ≤ {memory.get('aim_mb', 200)} MB after 10,000).")
    scaling = results.get("scaling")
    if scaling:
        sizes = scaling["sizes"]
        out.append("")
        out.append(f"## Scaling ({DATABASE_NAMES.get(scaling['database'])}): p50 in ms")
        out.append("")
        out.append("| Page | " + " | ".join(f"{n:,}" for n in sizes)
                   + f" | p50 {sizes[-1]:,} ÷ p50 {sizes[0]:,} | ÷ the baseline's own | Target "
                   "| |")
        out.append("|---|" + "---:|" * len(sizes) + "---:|---:|---:|---|")
        for item in scaling["series"].values():
            target = f"≤ {item['target']:.2f}" if item.get("target") else "—"
            out.append(f"| {item['title']} | "
                       + " | ".join(_num(item["p50_ms"].get(str(n)), 2) for n in sizes)
                       + f" | **{_num(item['ratio'], 2)}** | "
                       f"{_num(item.get('normalised_ratio'), 2)} | {target} | "
                       f"{_mark(item.get('met'))} |")
    pair = (scaling or {}).get("interleaved")
    if pair and pair["scenarios"]:
        small, large = pair["sizes"]
        out.append("")
        out.append(f"Side by side (Loket on both databases at once, interleaved rounds; the "
                   f"ratio is the median over rounds of p50 at {large:,} ÷ p50 at {small:,}):")
        out.append("")
        out.append(f"| Page | p50 ms at {small:,} | p50 ms at {large:,} | Ratio | Target | |")
        out.append("|---|---:|---:|---:|---:|---|")
        for item in pair["scenarios"].values():
            out.append(f"| {item['title']} | {_num(item['small']['p50_ms'], 2)} | "
                       f"{_num(item['large']['p50_ms'], 2)} | **{item['ratio']:.2f}** "
                       f"({min(item['ratios']):.2f}–{max(item['ratios']):.2f}) | "
                       f"≤ {item['target']:.2f} | {_mark(item['met'])} |")
    out.append("")
    out.append("## Targets")
    out.append("")
    out.append("| Target | Value | Wanted | |")
    out.append("|---|---:|---:|---|")
    for t in results["targets"]:
        out.append(f"| {t['name']} | {t['value']:.2f} | {t['wanted']} | {_mark(t['met'])} |")
    return "\n".join(out) + "\n"


def write_json(results: dict, path: Path):
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


COLOURS = {"worklist": "#1f77b4", "dossier_page": "#d62728", "bare_list": "#1f77b4",
           "bare_row": "#d62728"}


def scaling_svg(results: dict) -> str | None:
    """p50 against the number of dossiers (log scale), Loket solid, the baseline dashed."""
    scaling = results.get("scaling")
    if not scaling or len(scaling["sizes"]) < 2:
        return None
    import math

    sizes = scaling["sizes"]
    series = scaling["series"]
    width, height, left, right, top, bottom = 640, 410, 60, 190, 40, 80
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series.values() for v in s["p50_ms"].values() if v is not None]
    y_max = max(values) * 1.15 or 1
    lo, hi = math.log10(sizes[0]), math.log10(sizes[-1])

    def x(n):
        return left + plot_w * ((math.log10(n) - lo) / (hi - lo) if hi > lo else 0.5)

    def y(v):
        return top + plot_h * (1 - v / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">p50 latency against the '
        f'number of dossiers ({DATABASE_NAMES.get(scaling["database"], scaling["database"])}, '
        f'commit {results["run"]["commit"]})</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
    ]
    step = _nice_step(y_max)
    tick = 0.0
    while tick <= y_max:
        parts.append(f'<line x1="{left - 4}" y1="{y(tick):.1f}" x2="{left + plot_w}" '
                     f'y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end">'
                     f'{tick:g}</text>')
        tick += step
    for n in sizes:
        parts.append(f'<text x="{x(n):.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
                     f'{n:,}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 36}" '
                 'text-anchor="middle">dossiers (log scale)</text>')
    parts.append(f'<text x="14" y="{top + plot_h / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {top + plot_h / 2})">p50 (ms)</text>')
    legend_y = top + 10
    for key, item in series.items():
        points = [(x(n), y(item["p50_ms"][str(n)])) for n in sizes
                  if item["p50_ms"].get(str(n)) is not None]
        colour = COLOURS.get(key, "#555")
        dash = ' stroke-dasharray="6 4"' if key.startswith("bare") else ""
        parts.append('<polyline fill="none" stroke="{}" stroke-width="2"{} points="{}"/>'.format(
            colour, dash, " ".join(f"{px:.1f},{py:.1f}" for px, py in points)))
        for px, py in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
        lx = left + plot_w + 15
        parts.append(f'<line x1="{lx}" y1="{legend_y}" x2="{lx + 24}" y2="{legend_y}" '
                     f'stroke="{colour}" stroke-width="2"{dash}/>')
        ratio = f" ×{item['ratio']:.2f}" if item.get("ratio") is not None else ""
        parts.append(f'<text x="{lx + 30}" y="{legend_y + 4}">{_escape(item["short"])}'
                     f'{ratio}</text>')
        legend_y += 20
    pair = scaling.get("interleaved")
    if pair and pair["scenarios"]:
        small, large = pair["sizes"]
        found = ", ".join(f"{scaling['series'][k]['short'] if k in scaling['series'] else k} "
                          f"×{v['ratio']:.2f}" for k, v in pair["scenarios"].items())
        parts.append(f'<text x="{left}" y="{height - 30}" font-size="11">Lines: each size in '
                     f'its own phase (×: p50 at {sizes[-1]:,} ÷ at {sizes[0]:,}).</text>')
        parts.append(f'<text x="{left}" y="{height - 16}" font-size="11">Side by side, '
                     f'interleaved, {large:,} ÷ {small:,}: {_escape(found)}.</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _nice_step(y_max: float) -> float:
    import math

    raw = y_max / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
