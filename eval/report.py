"""The evaluation report: ``report.md`` and a self-contained ``report.html`` with the same tables and plots.

Plots are drawn from the same summary (and, for the latency spread, the same rows) that ``summary.json``
holds, saved as PNG files next to the report and embedded in the HTML as base64.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
from matplotlib.figure import Figure  # noqa: E402

from eval.dataset import AnswerCase, ClaimCase, QuestionOnly  # noqa: E402
from eval.metrics import STAGES, VERDICTS  # noqa: E402

Case = AnswerCase | ClaimCase | QuestionOnly
Row = Mapping[str, Any]
Table = tuple[list[str], list[list[str]]]

HEADLINE = [
    ("accuracy", "Answer accuracy"),
    ("answerable_accuracy", "Accuracy on answerable cases"),
    ("citation_hit", "Citation hit"),
    ("hit@1", "Retrieval hit@1"),
    ("hit@3", "Retrieval hit@3"),
    ("hit@10", "Retrieval hit@10"),
    ("mrr", "Retrieval MRR"),
    ("refusal_rate", "Refusal on unanswerable"),
    ("false_refusal_rate", "False refusal on answerable"),
    ("unverified_rate", "Answers with unverified figures"),
    ("fallback_rate", "Answers replaced by the extractive fallback"),
    ("cited_chars", "Cited characters per answer (mean)"),
]
COUNTS = {"cited_chars"}  # shown as numbers, not rates
PLOTTED = ["accuracy", "citation_hit", "hit@3", "mrr", "refusal_rate", "false_refusal_rate"]
PART_LABELS = {"dev": "Dev", "test": "Test", "fresh_test": "Fresh test", "sealed": "Sealed"}
GROUP_METRICS = [("accuracy", "Accuracy"), ("citation_hit", "Citation hit"), ("hit@3", "Hit@3"), ("mrr", "MRR"),
                 ("refusal_rate", "Refusal")]
OURS, NAIVE = "#1f77b4", "#ff7f0e"


def write_report(
    summary: Mapping[str, Any], rows: Sequence[Row], naive_rows: Sequence[Row], cases: Sequence[Case], out_dir: Path
) -> Path:
    """Write the plots, ``report.md`` and ``report.html`` into ``out_dir``; return the HTML path."""
    figures: dict[str, tuple[str, Figure]] = {}
    if summary["run"]["scored"]:  # a file of bare questions has only latencies to show
        figures["metrics.png"] = ("Headline metrics", _headline_plot(summary))
        figures["accuracy.png"] = ("Accuracy by category and language", _accuracy_plot(summary))
    figures["latency.png"] = ("Latency by stage", _latency_plot(rows, naive_rows))
    images: dict[str, bytes] = {}
    for name, (_, fig) in figures.items():
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        images[name] = buffer.getvalue()
        (out_dir / name).write_bytes(images[name])

    sections = _sections(summary, rows, cases)
    title = f"Evaluation report — {summary['run']['backend']} backend, {summary['run']['started']}"
    md = [f"# {title}", "", _intro(summary), ""]
    for name, (caption, _) in figures.items():
        md += [f"![{caption}]({name})", ""]
    for heading, note, table in sections:
        md += [f"## {heading}", "", *([note, ""] if note else []), _markdown_table(table), ""]
    (out_dir / "report.md").write_text("\n".join(md), encoding="utf-8")

    body = [f"<h1>{html.escape(title)}</h1>", f"<p>{html.escape(_intro(summary))}</p>"]
    for name, (caption, _) in figures.items():
        data = base64.b64encode(images[name]).decode()
        body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(caption)}" '
                    f'data-file="{name}"></figure>')
    for heading, note, table in sections:
        body += [f"<h2>{html.escape(heading)}</h2>", f"<p>{html.escape(note)}</p>" if note else "", _html_table(table)]
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>")
    path = out_dir / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


# --- text ------------------------------------------------------------------------------------------

def _intro(summary: Mapping[str, Any]) -> str:
    run = summary["run"]
    parts = [f"{run['cases']} cases ({run['scored']} scored, {run['unscored']} unscored)",
             f"dataset {run['dataset']}", f"{run['duration_s']} s"]
    if run.get("part", "all") != "all":
        parts.append(f"{run['part']} part of the split only")
    if run["overrides"]:
        parts.append("overrides " + ", ".join(f"{k}={json.dumps(v)}" for k, v in run["overrides"].items()))
    if run["skipped_claims"]:
        parts.append(f"{run['skipped_claims']} claim cases skipped (no fact-checker)")
    if "naive" in summary:
        parts.append(f"baseline: {summary['naive']['note']}")
    return "; ".join(parts) + "."


def _sections(summary: Mapping[str, Any], rows: Sequence[Row], cases: Sequence[Case]) -> list[tuple[str, str, Table]]:
    naive = summary.get("naive")
    sections = [("Metrics", "Rates over the scored answer cases; Δ = ours − naive.", headline_table(summary))]
    sections += _part_sections(summary)
    for key, label in (("by_category", "category"), ("by_lang", "language")):
        sections.append((f"By {label}", "", _group_table(summary[key], naive[key] if naive else None, label)))
    claims = summary["overall"].get("claims")
    if claims:
        sections.append(("Fact-check claims", "", _claims_table(claims)))
    sections.append(("Latency (ms)", "", _latency_table(summary)))
    sections.append(("Settings", "The settings this run used (secrets removed).", _settings_table(summary)))
    sections.append(("Failed cases", "", _failures_table(rows, cases)))
    return sections


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _signed(value: Any) -> str:
    return "–" if value is None else f"{value * 100:+.1f} pt"


def _number(value: Any) -> str:
    return "–" if value is None else f"{value:.0f}"


def _signed_number(value: Any) -> str:
    return "–" if value is None else f"{value:+.0f}"


def headline_table(summary: Mapping[str, Any]) -> Table:
    ours, naive = summary["overall"], summary.get("naive", {}).get("overall")
    header = ["Metric", "Ours"] + (["Naive", "Δ"] if naive else [])
    rows = []
    for key, label in HEADLINE:
        value, signed = (_number, _signed_number) if key in COUNTS else (_pct, _signed)
        row = [label, value(ours.get(key))]
        if naive:
            row += [value(naive.get(key)), signed(summary["delta"].get(key))]
        rows.append(row)
    rows.append(["Errors", str(ours["errors"])] + ([str(naive["errors"]), ""] if naive else []))
    return header, rows


def _group_metrics(group: Mapping[str, Any]) -> Mapping[str, Any]:
    """A group's metrics; the claim category is scored by its claims block (verdict accuracy)."""
    if group["answer_cases"] or "claims" not in group:
        return group
    return {**group["claims"], "accuracy": group["claims"]["verdict_accuracy"]}


def _group_table(groups: Mapping[str, Any], naive: Mapping[str, Any] | None, label: str) -> Table:
    header = [label.capitalize(), "Cases", *(name for _, name in GROUP_METRICS)]
    header += ["Naive accuracy", "Naive citation hit"] if naive else []
    rows = []
    for name, g in groups.items():
        m = _group_metrics(g)
        row = [name, str(g["cases"])] + [_pct(m.get(k)) for k, _ in GROUP_METRICS]
        if naive:
            other = naive.get(name, {})
            row += [_pct(other.get("accuracy")), _pct(other.get("citation_hit"))]
        rows.append(row)
    return header, rows


# --- dev / test ------------------------------------------------------------------------------------

def _part_sections(summary: Mapping[str, Any]) -> list[tuple[str, str, Table]]:
    parts = summary.get("parts")
    if not parts:
        return []
    note = ("Thresholds are tuned on dev; test is held out. Fresh test: the test cases written in the latest round "
            "(eval/split.json). Sealed: cases never read one by one nor tuned on. Cells read " + " · ".join(PART_LABELS[p].lower() for p in parts) + ".")
    return [
        ("Parts of the split", "The headline metrics of each part of the split.", parts_table(summary)),
        ("Parts by category", note, parts_by_category(summary)),
        ("Parts by language", note, _parts_group_table(parts, "by_lang", "language")),
    ]


def parts_table(summary: Mapping[str, Any]) -> Table:
    """Every headline metric, and the claims' verdict accuracy, with one column per part of the split."""
    parts = summary["parts"]
    header = ["Metric", *(PART_LABELS[p] for p in parts)]
    blocks = [b["overall"] for b in parts.values()]
    rows = [["Cases", *(str(b["cases"]) for b in blocks)]]
    for key, label in HEADLINE:
        value = _number if key in COUNTS else _pct
        rows.append([label, *(value(b.get(key)) for b in blocks)])
    if any("claims" in b for b in blocks):
        rows += _claim_rows([b.get("claims", {}) for b in blocks])
    rows.append(["Errors", *(str(b["errors"]) for b in blocks)])
    return header, rows


def _claim_rows(claims: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    rows = [["Claims", *(str(c.get("cases", 0)) for c in claims)],
            ["Claim verdict accuracy", *(_pct(c.get("verdict_accuracy")) for c in claims)]]
    for verdict in VERDICTS:
        rows.append([f"Accuracy on {verdict} claims", *(_pct(c.get("by_verdict", {}).get(verdict)) for c in claims)])
    rows.append(["Contradicted claims showing the report's figure", *(_pct(c.get("report_figure_shown")) for c in claims)])
    return rows


def parts_by_category(summary: Mapping[str, Any]) -> Table:
    """The per-category table with the parts of the split side by side in each cell."""
    return _parts_group_table(summary["parts"], "by_category", "category")


def _parts_group_table(parts: Mapping[str, Any], key: str, label: str) -> Table:
    """One row per category (or language); each cell holds the parts' values side by side."""
    header = [label.capitalize(), "Cases", *(name for _, name in GROUP_METRICS)]
    names = sorted({n for block in parts.values() for n in block[key]})
    rows = []
    for name in names:
        groups = [block[key].get(name) for block in parts.values()]
        cells = [" · ".join(str(g["cases"]) if g else "0" for g in groups)]
        for metric, _ in GROUP_METRICS:
            cells.append(" · ".join(_pct(_group_metrics(g).get(metric)) if g else "–" for g in groups))
        rows.append([name, *cells])
    return header, rows


def parts_line(summary: Mapping[str, Any]) -> str:
    """One plain line with the test numbers first: what a change is judged by."""
    order = [p for p in ("test", "fresh_test", "sealed", "dev") if p in summary["parts"]]
    return "; ".join(f"{PART_LABELS[p].lower()}: {_part_numbers(summary['parts'][p]['overall'])}" for p in order)


def _part_numbers(overall: Mapping[str, Any]) -> str:
    text = f"accuracy {_pct(overall['accuracy'])} of {overall['answer_cases']} answer cases"
    extras = [f"answerable {_pct(overall['answerable_accuracy'])}", f"refusal {_pct(overall['refusal_rate'])}",
              f"citation hit {_pct(overall['citation_hit'])}"]
    if "claims" in overall:
        extras.append(f"claims {_pct(overall['claims']['verdict_accuracy'])} of {overall['claims']['cases']}")
    return f"{text} ({', '.join(extras)})"


def _claims_table(claims: Mapping[str, Any]) -> Table:
    rows = [["Cases", str(claims["cases"])], ["Verdict accuracy", _pct(claims["verdict_accuracy"])]]
    rows += [[f"Accuracy on {v} claims", _pct(a)] for v, a in claims["by_verdict"].items()]
    rows += [["Contradicted claims showing the report's figure", _pct(claims["report_figure_shown"])],
             ["Citation hit", _pct(claims["citation_hit"])], ["Retrieval hit@3", _pct(claims["hit@3"])],
             ["Retrieval MRR", _pct(claims["mrr"])]]
    return ["Metric", "Value"], rows


def _latency_table(summary: Mapping[str, Any]) -> Table:
    naive = summary.get("naive", {}).get("latency")
    header = ["Stage", "p50", "p95", "n"] + (["Naive p50", "Naive p95"] if naive else [])
    blocks = [("", summary["latency"])]
    if "claim_latency" in summary:
        blocks.append(("fact-check ", summary["claim_latency"]))
    rows = []
    for prefix, latency in blocks:
        for stage, v in latency.items():
            row = [prefix + stage, f"{v['p50']:.0f}", f"{v['p95']:.0f}", str(v["n"])]
            if naive:
                other = naive.get(stage) if not prefix else None
                row += [f"{other['p50']:.0f}", f"{other['p95']:.0f}"] if other else ["–", "–"]
            rows.append(row)
    return header, rows


def _settings_table(summary: Mapping[str, Any]) -> Table:
    def flat(data: Mapping[str, Any], prefix: str = "") -> list[list[str]]:
        out = []
        for key, value in data.items():
            if isinstance(value, Mapping):
                out += flat(value, f"{prefix}{key}.")
            else:
                out.append([f"{prefix}{key}", json.dumps(value, ensure_ascii=False)])
        return out

    overridden = set(summary["run"]["overrides"])
    rows = [[k + (" (set)" if k in overridden else ""), v] for k, v in flat(summary["settings"])]
    return ["Setting", "Value"], rows


def _failures_table(rows: Sequence[Row], cases: Sequence[Case]) -> Table:
    by_id = {c.id: c for c in cases}
    out = []
    for row in rows:
        scores = row.get("scores")
        if not scores or scores["correct"]:
            continue
        case = by_id[row["id"]]
        answer = row.get("error") or row.get("answer") or f"{row.get('verdict')}: {row.get('explanation', '')}"
        expected = getattr(case, "reference_answer", "")
        if isinstance(case, ClaimCase):
            expected = f"{case.verdict}: {expected}"
        elif not case.answerable:
            expected = f"(refusal) {expected}"
        why = []
        if scores.get("missing"):
            why.append("missing " + " | ".join("/".join(g) for g in scores["missing"]))
        if scores.get("forbidden"):
            why.append("forbidden " + ", ".join(scores["forbidden"]))
        out.append([row["id"], case.question, _clip(answer), _clip(expected), "; ".join(why)])
    return ["Id", "Question", "Answer", "Expected", "Why"], out


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _markdown_table(table: Table) -> str:
    header, rows = table
    if not rows:
        return "(none)"

    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(table: Table) -> str:
    header, rows = table
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = (
    "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
    "color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:14px}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}"
    "figure{margin:1em 0}img{max-width:100%}"
)


# --- plots -----------------------------------------------------------------------------------------

def _bars(ax: Any, labels: list[str], series: list[tuple[str, list[float | None], str]]) -> None:
    """Grouped bars (one group per label, one bar per series), values as percentages written on top."""
    width = 0.8 / len(series)
    for i, (name, values, color) in enumerate(series):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(labels))]
        heights = [0.0 if v is None else v * 100 for v in values]
        bars = ax.bar(xs, heights, width, label=name, color=color)
        ax.bar_label(bars, labels=["n/a" if v is None else f"{v * 100:.0f}" for v in values], fontsize=7)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_ylim(0, 125)  # room above the 100% bars for the legend
    ax.set_ylabel("%")


def _series(summary: Mapping[str, Any], pick: Any) -> list[tuple[str, list[float | None], str]]:
    series = [("ours", pick(summary), OURS)]
    if "naive" in summary:
        series.append(("naive", pick(summary["naive"]), NAIVE))
    return series


def _headline_plot(summary: Mapping[str, Any]) -> Figure:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    labels = dict(HEADLINE)
    _bars(ax, [labels[k] for k in PLOTTED], _series(summary, lambda s: [s["overall"][k] for k in PLOTTED]))
    ax.set_title("Headline metrics")
    ax.legend(loc="upper right", ncol=2)
    return fig


def _accuracy(group: Mapping[str, Any]) -> float | None:
    """Answer accuracy; for the claim category, verdict accuracy."""
    return _group_metrics(group)["accuracy"]


def _accuracy_plot(summary: Mapping[str, Any]) -> Figure:
    fig, (by_cat, by_lang) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [4, 1]})
    categories = list(summary["by_category"])
    langs = list(summary["by_lang"])

    def pick(key: str, names: list[str]) -> Any:
        return lambda s: [_accuracy(s[key][n]) if n in s[key] else None for n in names]

    _bars(by_cat, [f"{c} (verdict)" if c == "claim" else c for c in categories],
          _series(summary, pick("by_category", categories)))
    by_cat.set_title("Accuracy by category")
    _bars(by_lang, langs, _series(summary, pick("by_lang", langs)))
    by_lang.set_title("By language")
    by_cat.legend(loc="upper right", ncol=2)
    return fig


def _latency_plot(rows: Sequence[Row], naive_rows: Sequence[Row]) -> Figure:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    runs = [("ours", rows, OURS)] + ([("naive", naive_rows, NAIVE)] if naive_rows else [])
    stages = [s for s in STAGES if any(s in r.get("timings_ms", {}) for _, rs, _ in runs for r in rs if "answer" in r)]
    width = 0.8 / len(runs)
    for i, (name, run_rows, color) in enumerate(runs):
        data = [[r["timings_ms"][s] for r in run_rows if "answer" in r and s in r["timings_ms"]] for s in stages]
        positions = [x + (i - (len(runs) - 1) / 2) * width for x in range(len(stages))]
        kept = [(p, d) for p, d in zip(positions, data, strict=True) if d]
        if kept:
            box = ax.boxplot([d for _, d in kept], positions=[p for p, _ in kept], widths=width * 0.9,
                             patch_artist=True, showfliers=True, whis=(5, 95), medianprops={"color": "black"})
            for patch in box["boxes"]:
                patch.set_facecolor(color)
                patch.set_alpha(0.6)
            ax.plot([], [], color=color, linewidth=8, alpha=0.6, label=name)  # legend entry
    ax.set_xticks(range(len(stages)), stages)
    ax.set_yscale("symlog", linthresh=10)  # stages that did nothing take ~0 ms
    ax.set_ylim(bottom=0)
    ax.set_ylabel("ms (log scale above 10)")
    ax.set_title("Latency by stage (box: quartiles and median; whiskers: p5–p95)")
    if stages:
        ax.legend()
    return fig
