"""``make bench``: throughput and memory figures, each as a ratio to a ceiling measured in the same run.

The machine is shared and noisy, so absolute records/s vary; the ratios are what to compare.
    python -m tests.bench.benchmark [--records N] [--skip-run] [--skip-presidio]

``--instructions`` (``make bench-instructions``) counts CPU instructions per record under valgrind's
callgrind instead: slow, but the same count on every run whatever else the machine does. It also
splits the pseudonymous cost into the field plan and the trigger pass.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from scrubber import RecordRejected, Scrubber
from scrubber.catalogue import load_catalogue
from scrubber.detectors.scanner import TextScanner, build_scanner
from scrubber.keys import make_key
from tests.bench.synthetic import records

TARGETS = {"strict": 0.5, "pseudonymous": 0.25, "run": 0.12, "memory_growth": 1.3}


def timed(fn: Callable[[], Any], repeats: int = 1) -> float:
    """The best of ``repeats`` wall-clock timings: the least disturbed by other load."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def texts_of(record: dict[str, Any]) -> Iterable[str]:
    for message in record.get("messages") or ():
        yield message["content"]
    for name in ("prompt", "completion"):
        if name in record:
            yield record[name]


# Peak RSS is kept across fork and exec, so a child forked from this (large) process would report
# our size. A small wrapper process starts the command and reports the command's own peak.
_MEASURE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(argv: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """Wall seconds, exit code, peak RSS in KiB of one command, and its stderr tail."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, *argv], stdout=subprocess.PIPE, stderr=err, env=env, check=False
        )
        seconds = time.perf_counter() - start
        err.seek(0)
        tail = err.read().decode(errors="replace")[-2000:]
    peak = int(done.stdout.strip() or 0)
    return seconds, done.returncode, peak, tail


def scrubber_run(corpus: Path, out: Path, key_file: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scrubber.cli",
        "run",
        "--input",
        str(corpus),
        "--output",
        str(out / "sandbox"),
        "--quarantine",
        str(out / "quarantine"),
        "--catalogue",
        "pseudonymous",
        "--key-file",
        str(key_file),
        "--quiet",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.benchmark",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--records", type=int, default=200_000, help="corpus size N (default 200000)")
    parser.add_argument(
        "--memory-records", type=int, default=20_000, help="N for the memory test, which runs N and 10N (default 20000)"
    )
    parser.add_argument("--skip-run", action="store_true", help="skip the end-to-end scrubber run figures")
    parser.add_argument("--skip-presidio", action="store_true", help="skip the presidio peer figure")
    parser.add_argument("--out", default="bench-out", help="where the corpus and results.json go")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per record under callgrind (needs valgrind) instead of timing",
    )
    parser.add_argument("--child", nargs=3, metavar=("FIGURE", "N", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        figure, n, corpus_path = args.child
        return instruction_child(figure, int(n), Path(corpus_path))
    if args.instructions:
        return instruction_report(Path(args.out), min(args.records, INSTRUCTION_RECORDS))

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "records": args.records,
    }
    print(f"generating {args.records} records ...", file=sys.stderr)
    lines = [orjson.dumps(r) for r in records(args.records)]
    corpus = out / "corpus.jsonl"
    corpus.write_bytes(b"\n".join(lines) + b"\n")
    results["corpus_mb"] = round(corpus.stat().st_size / 1e6, 1)

    loads, dumps = orjson.loads, orjson.dumps
    ceiling = args.records / timed(lambda: [dumps(loads(line)) for line in lines], repeats=3)
    results["ceiling_orjson_rps"] = round(ceiling)

    key = secrets.token_bytes(32)
    for profile in ("strict", "pseudonymous"):
        scrubber = Scrubber.from_catalogue(profile, key=key)
        scrub = scrubber.scrub

        def one_pass(scrub: Callable[[Any], Any] = scrub) -> None:
            for line in lines:
                with contextlib.suppress(RecordRejected):  # rejected records still cost their time
                    dumps(scrub(loads(line)))

        rps = args.records / timed(one_pass, repeats=2)
        results[f"library_{profile}_rps"] = round(rps)
        results[f"library_{profile}_ratio"] = round(rps / ceiling, 3)

    texts = [t for line in lines for t in texts_of(loads(line))]
    text_bytes = sum(len(t.encode()) for t in texts)
    results["text_mb"] = round(text_bytes / 1e6, 1)
    scanner = Scrubber.from_catalogue("pseudonymous", key=key).text_scanner
    results["scan_mb_s"] = round(text_bytes / 1e6 / timed(lambda: [scanner.scrub(t) for t in texts]), 1)
    results.update(scan_ceilings(texts, text_bytes))
    results.update(pathological(scanner.scrub))

    if not args.skip_presidio:
        results.update(presidio_peer(lines[:2000]))

    if not args.skip_run:
        key_file = out / "bench.key"
        key_file.write_text(key.hex())
        key_file.chmod(0o600)
        env = dict(os.environ)
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            seconds, code, _, tail = run_child(scrubber_run(corpus, Path(tmp), key_file), env)
        if code != 0:
            print(f"scrubber run failed (exit {code}):\n{tail}", file=sys.stderr)
            results["run_error"] = f"exit {code}"
        else:
            rps = args.records / seconds
            results["run_rps"] = round(rps)
            results["run_ratio"] = round(rps / ceiling, 3)
        results.update(memory_growth(out, args.memory_records, key_file, env))

    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return 0


def scan_ceilings(texts: list[str], text_bytes: int) -> dict[str, Any]:
    """A single e-mail pattern over the same texts, with `regex` and with hyperscan: what one pass costs."""
    import regex

    pattern = rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    compiled = regex.compile(pattern.decode())
    result = {"regex_single_mb_s": round(text_bytes / 1e6 / timed(lambda: [compiled.findall(t) for t in texts]), 1)}
    try:
        import hyperscan
    except ImportError:
        return result
    database = hyperscan.Database()
    database.compile(expressions=[pattern], ids=[1], flags=[hyperscan.HS_FLAG_SOM_LEFTMOST])
    encoded = [t.encode() for t in texts]
    found: list[int] = []

    def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
        found.append(start)

    def scan_all() -> None:
        for data in encoded:
            database.scan(data, match_event_handler=on_match)

    seconds = timed(scan_all)
    result["hyperscan_single_mb_s"] = round(text_bytes / 1e6 / seconds, 1)
    return result


def pathological(scrub_text: Callable[[str], str]) -> dict[str, Any]:
    """Seconds for 1 MB and 2 MB of inputs that make backtracking engines explode; ~2x means linear."""
    units = {"digits": "7", "at_signs": "a@", "no_spaces": "abcdefghij", "dots_dashes": "1-2.", "hex": "deadbeef"}
    result: dict[str, Any] = {}
    for name, unit in units.items():
        small = (unit * (1_000_000 // len(unit)))[:1_000_000]
        large = small + small
        one = timed(functools.partial(scrub_text, small))
        two = timed(functools.partial(scrub_text, large))
        result[f"pathological_{name}_1mb_s"] = round(one, 3)
        result[f"pathological_{name}_2mb_over_1mb"] = round(two / one, 2) if one else None
    return result


def presidio_peer(lines: list[bytes]) -> dict[str, Any]:
    """presidio-analyzer's predefined pattern recognizers (no NLP model) over the same records' texts."""
    import logging

    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # it tries to fetch a suffix list; we are offline
    try:
        from presidio_analyzer import PatternRecognizer, RecognizerRegistry
    except ImportError:
        return {"presidio_rps": "not installed"}
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers()
    recognizers = [r for r in registry.recognizers if isinstance(r, PatternRecognizer)]
    record_texts = [list(texts_of(orjson.loads(line))) for line in lines]

    def analyse() -> None:
        for texts in record_texts:
            for text in texts:
                for recognizer in recognizers:
                    recognizer.analyze(text, recognizer.supported_entities, None)

    return {"presidio_rps": round(len(lines) / timed(analyse)), "presidio_recognizers": len(recognizers)}


def memory_growth(out: Path, n: int, key_file: Path, env: dict[str, str]) -> dict[str, Any]:
    peaks = {}
    for count in (n, 10 * n):
        corpus = out / f"corpus-{count}.jsonl"
        corpus.write_bytes(b"\n".join(orjson.dumps(r) for r in records(count)) + b"\n")
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            _, code, peak_kib, tail = run_child(scrubber_run(corpus, Path(tmp), key_file), env)
        corpus.unlink()
        if code != 0:
            return {"memory_error": f"exit {code}: {tail[-300:]}"}
        peaks[count] = peak_kib
    return {
        f"peak_rss_mb_{n}": round(peaks[n] / 1024),
        f"peak_rss_mb_{10 * n}": round(peaks[10 * n] / 1024),
        "memory_growth": round(peaks[10 * n] / peaks[n], 2),
    }


INSTRUCTION_RECORDS = 2_000
INSTRUCTION_WARM_UP = 500
INSTRUCTION_FIGURES = {
    "ceiling": "orjson loads+dumps",
    "strict": "library, strict (loads + scrub + dumps)",
    "pseudonymous": "library, pseudonymous (loads + scrub + dumps)",
    "fields_only": "  of which: pseudonymous without text scanning",
    "trigger_pass": "  of which: loads + the hyperscan trigger pass over the texts",
}


class FieldsOnlyScanner:
    """Leaves free text as it is (``keep``'s identifier check still runs): the field plan without scanning."""

    def __init__(self, real: TextScanner) -> None:
        self.find = real.find

    def scrub(self, text: str, counts: dict[str, int] | None = None) -> str:
        return text


def scrubber_for(figure: str) -> Scrubber:
    """The Scrubber a figure measures; ``fields_only`` is pseudonymous with a scanner that changes nothing."""
    key = make_key(bytes(range(1, 33)))
    catalogue = load_catalogue("strict" if figure == "strict" else "pseudonymous")
    if figure != "fields_only":
        return Scrubber(catalogue, key)
    return Scrubber(
        catalogue,
        key,
        scanner_factory=lambda names, tokens: FieldsOnlyScanner(build_scanner(names)),  # type: ignore[arg-type,return-value]
    )


def instruction_child(figure: str, n: int, corpus: Path) -> int:
    """One measured process: build what ``figure`` needs, warm up, then handle the first ``n`` records.

    The warm-up (records of another seed, the same in the run for n and the run for none) takes one-time
    costs out of the difference: lazy imports such as phonenumbers' per-region metadata.
    """
    warm_up = [orjson.dumps(r) for r in records(INSTRUCTION_WARM_UP, seed=1)]
    lines = corpus.read_bytes().splitlines()[:n]
    loads, dumps = orjson.loads, orjson.dumps
    if figure == "ceiling":
        for line in [*warm_up, *lines]:
            dumps(loads(line))
        return 0
    scrubber = scrubber_for(figure)
    if figure == "trigger_pass":
        triggers = scrubber.text_scanner._triggers
        assert triggers is not None, "hyperscan is not installed"
        for line in [*warm_up, *lines]:
            for value in texts_of(loads(line)):
                triggers.fired(value.encode("utf-8", "replace"))
        return 0
    scrub = scrubber.scrub
    for line in [*warm_up, *lines]:
        with contextlib.suppress(RecordRejected):
            dumps(scrub(loads(line)))
    return 0


def _callgrind(figure: str, n: int, corpus: Path, tmp: Path) -> subprocess.Popen[str]:
    argv = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={tmp / f'{figure}-{n}.out'}",
        sys.executable,
        "-m",
        "tests.bench.benchmark",
        "--child",
        figure,
        str(n),
        str(corpus),
    ]
    env = dict(os.environ, PYTHONHASHSEED="0")
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)


def instruction_report(out: Path, n: int) -> int:
    """Instructions per record for each figure: (count for n records - count for none) / n."""
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    corpus = out / f"corpus-{n}.jsonl"
    corpus.write_bytes(b"\n".join(orjson.dumps(r) for r in records(n)) + b"\n")
    per_record: dict[str, float] = {}
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        for figure in INSTRUCTION_FIGURES:
            print(f"callgrind: {figure} ...", file=sys.stderr)
            runs = [_callgrind(figure, count, corpus, Path(tmp)) for count in (0, n)]  # the two run side by side
            totals = []
            for run in runs:
                _, err = run.communicate()
                found = re.search(r"Collected : (\d+)", err)
                if run.returncode != 0 or found is None:
                    print(f"callgrind failed for {figure}:\n{err[-2000:]}", file=sys.stderr)
                    return 1
                totals.append(int(found.group(1)))
            per_record[figure] = (totals[1] - totals[0]) / n
    ceiling = per_record["ceiling"]
    results = {"records": n, "instructions_per_record": {k: round(v) for k, v in per_record.items()}}
    (out / "instructions.json").write_text(json.dumps(results, indent=2) + "\n")
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"instructions per record (callgrind, {n} records, {platform.machine()})")
    for column in ("figure", "instructions / record", "ceiling / figure"):
        table.add_column(column)
    for figure, label in INSTRUCTION_FIGURES.items():
        table.add_row(label, f"{per_record[figure]:,.0f}", f"{ceiling / per_record[figure]:.3f}")
    Console().print(table)
    target = TARGETS["pseudonymous"]
    print(f"A pseudonymous ratio of {target} would allow {ceiling / target:,.0f} instructions per record.")
    return 0


def print_table(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"scrubber benchmark: {results['records']} records, {results['machine']}")
    for column in ("figure", "value", "ratio / note"):
        table.add_column(column)

    def row(name: str, key: str, ratio_key: str | None = None, target: float | None = None) -> None:
        if key not in results:
            return
        note = ""
        if ratio_key and ratio_key in results:
            ratio = results[ratio_key]
            verdict = "" if target is None else ("  meets" if ratio >= target else "  BELOW") + f" target {target}"
            note = f"{ratio:.3f} of ceiling{verdict}"
        table.add_row(name, str(results[key]), note)

    row("ceiling: orjson loads+dumps, records/s", "ceiling_orjson_rps")
    row(
        "library strict (loads+scrub+dumps), records/s", "library_strict_rps", "library_strict_ratio", TARGETS["strict"]
    )
    row(
        "library pseudonymous, records/s",
        "library_pseudonymous_rps",
        "library_pseudonymous_ratio",
        TARGETS["pseudonymous"],
    )
    row("scrubber run (local runner, whole process), records/s", "run_rps", "run_ratio", TARGETS["run"])
    row("text scan MB/s (all detectors)", "scan_mb_s")
    row("  regex, one e-mail pattern, MB/s", "regex_single_mb_s")
    row("  hyperscan, one e-mail pattern, MB/s", "hyperscan_single_mb_s")
    row("presidio pattern recognizers, records/s", "presidio_rps")
    for key in sorted(k for k in results if k.startswith("peak_rss")):
        row(f"peak RSS MB ({key.rsplit('_', 1)[1]} records)", key)
    if "memory_growth" in results:
        growth = results["memory_growth"]
        verdict = "meets" if growth < TARGETS["memory_growth"] else "ABOVE"
        table.add_row("memory growth for 10x input", str(growth), f"{verdict} target < {TARGETS['memory_growth']}")
    for key in sorted(k for k in results if k.startswith("pathological") and k.endswith("_1mb_s")):
        name = key.removeprefix("pathological_").removesuffix("_1mb_s")
        growth = results.get(f"pathological_{name}_2mb_over_1mb")
        table.add_row(f"pathological {name}: 1 MB seconds", str(results[key]), f"2 MB / 1 MB = {growth}")
    Console().print(table)


if __name__ == "__main__":
    sys.exit(main())
