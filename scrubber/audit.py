"""The audit manifest of a run, the run summary it is built from, and the accounting check. Imports without Beam.

Everything here is counts, names from the catalogue, paths given by the operator, versions and
times; never a value from a record, and never key material (only the key id).

Flow: each worker turns its ``Stats`` into plain counts (``Stats.as_counts``); the pipeline folds
those, the per-file line counts of the reader and the list of written shards into one run
summary (``add_to_summary`` / ``merge_summaries``); the launcher checks the accounting
(``check_accounting``) and writes the manifest (``build_manifest``) next to the output.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Literal

from scrubber.catalogue import LoadedCatalogue
from scrubber.io.writers import ShardInfo

AUDIT_VERSION = 2  # 2: inputs with size, mtime and BLAKE3; shards with rows, bytes, BLAKE3 and key id
_VERSIONED = ("scrubber", "apache-beam", "pyarrow", "orjson", "blake3", "pydantic", "regex")


# --- counts --------------------------------------------------------------------------------------


def diff_counts(after: Mapping[str, Any], before: Mapping[str, Any]) -> dict[str, Any]:
    """``after - before`` for two snapshots of the same (growing) counters; zero entries left out."""
    out: dict[str, Any] = {}
    for name, value in after.items():
        old = before.get(name)
        if isinstance(value, int):
            out[name] = value - (old or 0)
        elif isinstance(value, list):
            previous = old or []
            out[name] = [n - (previous[i] if i < len(previous) else 0) for i, n in enumerate(value)]
        elif isinstance(value, dict):
            previous = old or {}
            out[name] = {k: d for k, n in value.items() if (d := n - previous.get(k, 0))}
    return out


def merge_counts(into: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """Add ``other`` into ``into``: ints add, lists add by position, dicts add by key (recursively)."""
    for name, value in other.items():
        if name not in into:
            into[name] = _copy(value)
            continue
        current = into[name]
        if isinstance(value, int) and isinstance(current, int):
            into[name] = current + value
        elif isinstance(value, list) and isinstance(current, list):
            if len(current) < len(value):
                current.extend([0] * (len(value) - len(current)))
            for i, n in enumerate(value):
                current[i] += n
        elif isinstance(value, dict) and isinstance(current, dict):
            merge_counts(current, value)
        else:
            raise ValueError(f"cannot merge counter {name!r} of different kinds")
    return into


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


# --- the run summary (what the pipeline hands to the launcher) ------------------------------------


def new_summary() -> dict[str, Any]:
    return {"stats": {}, "reads": {}, "sandbox_shards": [], "quarantine_shards": []}


@dataclass(frozen=True, slots=True)
class StatsCounts:
    """A batch's share of a Scrubber's counters (``Stats.as_counts`` differences)."""

    counts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FileRead:
    """One input file read to its end: lines (or Parquet rows), read problems and bytes."""

    uri: str
    lines: int
    problems: int
    bytes: int
    unread_bytes: int = 0  # stored bytes after damage that could not be read (a corrupt gzip)
    blake3: str | None = None  # of the stored bytes, as the worker read them


@dataclass(frozen=True, slots=True)
class ShardWritten:
    """One temporary shard closed by a writer of the sandbox or the quarantine."""

    target: Literal["sandbox", "quarantine"]
    shard: ShardInfo
    partition: str = ""  # dt=YYYY-MM-DD in a partitioned sandbox


SummaryItem = StatsCounts | FileRead | ShardWritten


def add_to_summary(summary: dict[str, Any], item: SummaryItem) -> dict[str, Any]:
    """Fold one item that a step emitted on its ``summary`` output into the run summary."""
    if isinstance(item, StatsCounts):
        merge_counts(summary["stats"], item.counts)
    elif isinstance(item, FileRead):
        entry = summary["reads"].setdefault(item.uri, {"lines": 0, "problems": 0, "bytes": 0, "unread_bytes": 0})
        entry["lines"] += item.lines
        entry["problems"] += item.problems
        entry["bytes"] += item.bytes
        entry["unread_bytes"] += item.unread_bytes
        if item.blake3 is not None:
            entry["blake3"] = item.blake3
    else:
        shard = {"path": item.shard.path, "rows": item.shard.rows}
        if item.partition:
            shard["partition"] = item.partition
        summary[f"{item.target}_shards"].append(shard)
    return summary


def merge_summaries(summaries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    result = new_summary()
    for s in summaries:
        merge_counts(result["stats"], s["stats"])
        for uri, entry in s["reads"].items():
            add_to_summary(
                result,
                FileRead(
                    uri,
                    entry["lines"],
                    entry["problems"],
                    entry["bytes"],
                    entry.get("unread_bytes", 0),
                    entry.get("blake3"),
                ),
            )
        result["sandbox_shards"].extend(s["sandbox_shards"])
        result["quarantine_shards"].extend(s["quarantine_shards"])
    return result


def shards_of(summary: Mapping[str, Any], kind: str) -> list[ShardInfo]:
    return [ShardInfo(s["path"], int(s["rows"])) for s in summary[f"{kind}_shards"]]


def shards_by_partition(summary: Mapping[str, Any], kind: str) -> dict[str, list[ShardInfo]]:
    """The shards of a kind grouped by partition ("" when the sandbox is not partitioned), sorted."""
    grouped: dict[str, list[ShardInfo]] = {}
    for s in summary[f"{kind}_shards"]:
        grouped.setdefault(s.get("partition", ""), []).append(ShardInfo(s["path"], int(s["rows"])))
    return dict(sorted(grouped.items()))


# --- accounting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accounting:
    """in = out + quarantined, from three independent places, cross-checked with the core's own counts.

    ``lines_in``: lines (and Parquet rows, and read problems) the reader produced;
    ``records_out`` and ``quarantined``: rows in the shards the writers reported;
    ``core_in``/``core_out``: what the Scrubber counted.
    """

    lines_in: int
    records_out: int
    quarantined: int
    core_in: int
    core_out: int
    files_matched: int | None = None
    files_read: int | None = None

    @property
    def problems(self) -> list[str]:
        found = []
        if self.files_matched is not None and self.files_read != self.files_matched:
            found.append(f"{self.files_matched} input files matched but {self.files_read} were read")
        if self.lines_in != self.records_out + self.quarantined:
            found.append(f"in ({self.lines_in}) != out ({self.records_out}) + quarantined ({self.quarantined})")
        if self.core_in != self.lines_in:
            found.append(f"the scrubber saw {self.core_in} lines but the reader produced {self.lines_in}")
        if self.core_out != self.records_out:
            found.append(f"the scrubber produced {self.core_out} records but {self.records_out} were written")
        return found

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "in": self.lines_in,
            "out": self.records_out,
            "quarantined": self.quarantined,
            "scrubber_records_in": self.core_in,
            "scrubber_records_out": self.core_out,
            "files_matched": self.files_matched,
            "files_read": self.files_read,
            "problems": self.problems,
        }


def quarantine_problem(accounting: Accounting, max_rate: float) -> str | None:
    """Why a run that accounts for every line must still not be published, or None.

    A run whose every line went to the quarantine produced nothing useful; one above ``max_rate``
    most likely read logs the catalogue was not written for. An empty input is not a problem here.
    """
    lines = accounting.lines_in
    if lines == 0:
        return None
    if accounting.records_out == 0:
        return (
            f"no line could be scrubbed: all {lines:,} went to the quarantine. See the quarantine reasons below; "
            "check the catalogue against these logs with scrubber explain"
        )
    rate = accounting.quarantined / lines
    if rate > max_rate:
        return (
            f"{rate:.1%} of the lines ({accounting.quarantined:,} of {lines:,}) went to the quarantine, above "
            f"--max-quarantine-rate {max_rate:g}. See the quarantine reasons below; raise the limit only if "
            "these logs are known to be this bad"
        )
    return None


def expected_problem(catalogue: LoadedCatalogue, stats: Mapping[str, Any]) -> str | None:
    """The fields marked ``expected: true`` that no record of the run had (a renamed column), or None."""
    applied, invalid = stats.get("applied", []), stats.get("invalid", [])
    empty = [
        f"{rule.field} ({catalogue.where(index)})"
        for index, rule in enumerate(catalogue.model.rules)
        if rule.expected
        and not (applied[index] if index < len(applied) else 0)
        and not (invalid[index] if index < len(invalid) else 0)
    ]
    if not empty:
        return None
    return (
        f"no record had {', '.join(empty)}, which the catalogue marks as expected; the logs may name it "
        "differently (a renamed column?). Check a record with scrubber explain"
    )


def check_accounting(summary: Mapping[str, Any], files_matched: int | None = None) -> Accounting:
    reads = summary["reads"].values()
    stats = summary["stats"]
    return Accounting(
        lines_in=sum(r["lines"] + r["problems"] for r in reads),
        records_out=sum(int(s["rows"]) for s in summary["sandbox_shards"]),
        quarantined=sum(int(s["rows"]) for s in summary["quarantine_shards"]),
        core_in=int(stats.get("records_in", 0)),
        core_out=int(stats.get("records_out", 0)),
        files_matched=files_matched,
        files_read=len(summary["reads"]),
    )


# --- the manifest --------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def rule_counts(catalogue: LoadedCatalogue, stats: Mapping[str, Any]) -> list[dict[str, Any]]:
    applied = stats.get("applied", [])
    invalid = stats.get("invalid", [])
    rows = []
    for index, rule in enumerate(catalogue.model.rules):
        rows.append(
            {
                "rule": index,
                "line": catalogue.rule_lines[index],
                "source": catalogue.rule_sources[index] if catalogue.rule_sources else catalogue.source,
                "field": getattr(rule, "field", "?"),
                "op": getattr(rule, "op", "?"),
                "applied": applied[index] if index < len(applied) else 0,
                "invalid": invalid[index] if index < len(invalid) else 0,
            }
        )
    return rows


def _path_label(path: str) -> str:
    return path or "(record)"


def build_manifest(
    *,
    run_id: str,
    status: str,
    catalogue: LoadedCatalogue,
    key_id: str,
    summary: Mapping[str, Any],
    accounting: Accounting,
    input_patterns: list[str],
    output: Mapping[str, Any],
    quarantine: Mapping[str, Any],
    runner: str,
    timings: Mapping[str, Any],
    listing: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The audit manifest: counts only, never values. ``listing``: size and mtime_ns per input URI."""
    stats = summary["stats"]
    seconds = float(timings.get("pipeline_seconds") or 0.0)
    extra_counters = {
        name: {_path_label(k): v for k, v in sorted(value.items())}
        for name, value in stats.items()
        if isinstance(value, dict) and name not in ("unknown", "detectors", "rejected")
    }
    reads = summary["reads"]
    return {
        "audit_version": AUDIT_VERSION,
        "status": status,
        "run_id": run_id,
        "runner": runner,
        "versions": versions(),
        "timings": dict(timings),
        "records_per_second": round(accounting.lines_in / seconds, 1) if seconds > 0 else None,
        "catalogue": {
            "name": catalogue.model.catalogue,
            "source": catalogue.source,
            "digest": catalogue.digest,
            "rules": len(catalogue.model.rules),
        },
        "key_id": key_id,
        "inputs": {
            "patterns": list(input_patterns),
            "files": len(reads),
            "bytes": sum(r["bytes"] for r in reads.values()),
            # compressed bytes after damage that could not be read: data lost, not only lines quarantined
            "unread_bytes": sum(r.get("unread_bytes", 0) for r in reads.values()),
            "per_file": [{"uri": uri, **(listing or {}).get(uri, {}), **reads[uri]} for uri in sorted(reads)],
        },
        "output": dict(output),
        "quarantine": dict(quarantine),
        "counts": {
            "records_in": accounting.lines_in,
            "records_out": accounting.records_out,
            "records_quarantined": accounting.quarantined,
            "accounting": accounting.as_dict(),
        },
        "quarantine_reasons": dict(sorted(stats.get("rejected", {}).items())),
        "rules": rule_counts(catalogue, stats),
        "detectors": dict(sorted(stats.get("detectors", {}).items())),
        "unknown_fields_dropped": {_path_label(k): v for k, v in sorted(stats.get("unknown", {}).items())},
        "other_counters": extra_counters,
    }


# --- the summary table ---------------------------------------------------------------------------


def summary_table(manifest: Mapping[str, Any], top: int = 10) -> Any:
    """A rich Table for the end of a run: throughput, in/out/quarantined, top rules, reasons, detectors."""
    from rich.table import Table

    counts = manifest["counts"]
    table = Table(
        title=f"scrubber run {manifest['run_id']}: {manifest['status']}", title_justify="left", show_header=False
    )
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    rate = manifest.get("records_per_second")
    table.add_row("runner", manifest["runner"])
    timings = manifest["timings"]
    table.add_row(
        "time",
        f"{timings.get('total_seconds', 0):.1f} s in all, {timings.get('pipeline_seconds', 0):.1f} s "
        "in the pipeline" + (f" ({rate:,.0f} records/s)" if rate else ""),
    )
    table.add_row("input", f"{manifest['inputs']['files']} files, {manifest['inputs']['bytes']:,} bytes")
    incremental, replay = manifest.get("incremental"), manifest.get("replay")
    if incremental and incremental["skipped"]:
        table.add_row("skipped", f"{len(incremental['skipped'])} inputs published by earlier runs")
    if replay:
        table.add_row(
            "replayed", f"{replay['entries']:,} quarantine entries of runs {', '.join(replay['from_runs']) or '?'}"
        )
    retention = manifest.get("quarantine_retention")
    if retention and retention["removed"]:
        table.add_row("retention", f"{len(retention['removed'])} quarantine shards older than {retention['days']} days")
    table.add_row("records in", f"{counts['records_in']:,}")
    table.add_row("records out", f"{counts['records_out']:,} -> {manifest['output']['uri']}")
    table.add_row("quarantined", f"{counts['records_quarantined']:,} -> {manifest['quarantine']['uri']}")
    accounting = counts["accounting"]
    table.add_row("in = out + quarantined", "yes" if accounting["ok"] else "NO: " + "; ".join(accounting["problems"]))
    rules = sorted(
        (r for r in manifest["rules"] if r["applied"] or r["invalid"]), key=lambda r: (-r["applied"], r["rule"])
    )[:top]
    if rules:
        table.add_row(
            "top rules",
            "\n".join(
                f"{r['applied']:>9,}  {r['field']} ({r['op']})"
                + (f", {r['invalid']:,} invalid" if r["invalid"] else "")
                for r in rules
            ),
        )
    reasons = sorted(manifest["quarantine_reasons"].items(), key=lambda kv: -kv[1])[:top]
    if reasons:
        table.add_row("quarantine reasons", "\n".join(f"{n:>9,}  {reason}" for reason, n in reasons))
    detectors = sorted(manifest["detectors"].items(), key=lambda kv: -kv[1])[:top]
    if detectors:
        table.add_row("identifiers replaced", "\n".join(f"{n:>9,}  {kind}" for kind, n in detectors))
    unknown = sorted(manifest["unknown_fields_dropped"].items(), key=lambda kv: -kv[1])[:top]
    if unknown:
        table.add_row("unknown fields dropped", "\n".join(f"{n:>9,}  under {path}" for path, n in unknown))
    table.add_row("audit", manifest["output"].get("audit", ""))
    return table
