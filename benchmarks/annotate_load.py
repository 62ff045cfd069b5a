"""The coding app under load on loopback: many coders saving at once, nothing lost or duplicated.

Builds a temporary study whose articles (300-600 words each) are dealt out with double-coded
overlap so that every coder gets the same number of units, starts the real app in its own
process under uvicorn (one worker by default, as ``framing annotate serve`` runs it), and lets
the simulated coders work concurrently as the coding page does: open the unit, one or two draft
saves (a click on a frame saves at once), then the completing save, with no pause between
requests: far more than 30 people at work would send. Afterwards the SQLite file
is read directly to check that every coder's last label is there, once, as sent, and that the
log holds one row per save. Prints figures; the only failures are lost or wrong data.

Run: python benchmarks/annotate_load.py [--coders 30] [--judgements 50] [--workers 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import yaml
from _synthetic import vocabulary
from fastapi import FastAPI
from rich.console import Console
from rich.table import Table

from framing.study.config import Pipeline, load_pipeline

PIPELINE_ENV = "FRAMING_LOAD_PIPELINE"   # how the server process finds the study
OUTLETS = ("Daily A", "Review B", "Times C", "Ledger D", "Post E", "Herald F")


@dataclass
class Label:
    """What a coder sent in one save."""

    frames: list[str]
    dominant: str | None
    relevant: bool
    complete: bool

    def body(self, note: str) -> dict[str, object]:
        """The JSON the coding page sends."""
        return {"frames": self.frames, "dominant": self.dominant, "relevant": self.relevant, "note": note,
                "complete": self.complete}


@dataclass
class CoderRun:
    """One simulated coder's requests: save latencies and the labels that must end up stored."""

    name: str
    save_ms: list[float] = field(default_factory=list)
    open_ms: list[float] = field(default_factory=list)
    puts: Counter[str] = field(default_factory=Counter)          # unit -> PUTs answered 200
    final: dict[str, Label] = field(default_factory=dict)        # unit -> the completing save
    errors: list[str] = field(default_factory=list)


def serve_app() -> FastAPI:
    """The uvicorn factory (``--factory annotate_load:serve_app``): the app for the study in $FRAMING_LOAD_PIPELINE."""
    from framing.annotate.app import create_app

    return create_app(load_pipeline(os.environ[PIPELINE_ENV]))


# -- the study ----------------------------------------------------------------------------------
def sample_size(total: int, overlap: float, per_unit: int) -> int:
    """Units to draw so that the queues hold ``total`` assignments (overlap units count ``per_unit`` times)."""
    for n in range(total, 0, -1):
        if n + round(overlap * n) * (per_unit - 1) == total:
            return n
    raise SystemExit(f"no sample size gives exactly {total} assignments with overlap {overlap}; try another")


def article_rows(n: int, seed: int) -> list[dict]:
    """``n`` extracted articles of 300-600 words drawn from the demo corpus's vocabulary."""
    from framing.study.tables import ARTICLE_SCHEMA

    words, p = vocabulary("en")
    vocab = np.array(words, dtype=object)
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        tokens = vocab[rng.choice(len(vocab), size=int(rng.integers(300, 601)), p=p)]
        text = " ".join(" ".join(tokens[j:j + 20]).capitalize() + "." for j in range(0, len(tokens), 20))
        outlet = OUTLETS[i % len(OUTLETS)]
        row = dict.fromkeys(ARTICLE_SCHEMA.names)
        row.update(article_id=f"a{i:05d}", url=f"https://{outlet.replace(' ', '').lower()}.example/{i}",
                   outlet=outlet, title=" ".join(tokens[:8]).capitalize(), language="en", text=text,
                   published=dt.date(2016 + i % 8, 1 + i % 12, 1), date_source="meta", n_chars=len(text),
                   content_hash=f"h{i}", status="ok")
        rows.append(row)
    return rows


def build_study(root: Path, coders: list[str], per_coder: int, overlap: float, seed: int) -> tuple[Pipeline, int]:
    """Write the study YAML and articles and deal the units out; return the study and the units drawn."""
    from framing.annotate.project import new_assignment
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    path = root / "study.yml"
    path.write_text(yaml.safe_dump({"title": "annotate load", "workdir": "study", "codebook": "social-credit",
                                    "sources": [{"feed": "http://127.0.0.1:9/feed.rss"}]}), encoding="utf-8")
    spec = load_pipeline(path)
    n = sample_size(len(coders) * per_coder, overlap, per_unit=2)
    Study(spec.workdir).write_rows("articles", article_rows(n, seed), ARTICLE_SCHEMA)
    drawn = new_assignment(spec, n, coders, overlap=overlap, per_unit=2, seed=seed)
    if set(drawn.per_coder.values()) != {per_coder}:
        raise SystemExit(f"queues are uneven ({sorted(set(drawn.per_coder.values()))}); try another --overlap")
    return spec, drawn.double_coded


# -- the server ---------------------------------------------------------------------------------
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(spec: Pipeline, port: int, workers: int) -> subprocess.Popen:
    """Run the app under uvicorn in its own process, so the server does not share the clients' GIL."""
    env = {**os.environ, PIPELINE_ENV: str(spec.path)}
    command = [sys.executable, "-m", "uvicorn", "--factory", "annotate_load:serve_app", "--app-dir",
               str(Path(__file__).parent), "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning"]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the coding app exited with code {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/favicon.ico", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the coding app did not answer within 60 s")


# -- the coders ---------------------------------------------------------------------------------
def random_label(rng: np.random.Generator, frame_ids: list[str], complete: bool) -> Label:
    """A label as a coder might give it: mostly relevant, one to three frames, sometimes a dominant one."""
    if rng.random() < 0.1:
        return Label([], None, relevant=False, complete=complete)
    frames = sorted(rng.choice(frame_ids, size=int(rng.integers(1, 4)), replace=False).tolist())
    dominant = str(rng.choice(frames)) if rng.random() < 0.7 else None
    return Label(frames, dominant, relevant=True, complete=complete)


def code_queue(base: str, token: str, run: CoderRun, start: threading.Barrier, seed: int) -> None:
    """Work through a coder's queue as the coding page does: open, draft save(s), completing save."""
    rng = np.random.default_rng(seed)
    with httpx.Client(base_url=f"{base}/api/{token}", timeout=120) as client:
        try:
            state = client.get("/state").raise_for_status().json()
        except httpx.HTTPError as exc:
            run.errors.append(f"GET state: {exc!r}")
            state = {"queue": [], "codebook": {"frames": []}}
        queue, frame_ids = state["queue"], [f["id"] for f in state["codebook"]["frames"]]
        start.wait()   # even without a queue, or the others would wait for this coder forever
        for item in queue:
            unit = item["unit_id"]
            began = time.perf_counter()
            opened = client.get(f"/units/{unit}")
            run.open_ms.append((time.perf_counter() - began) * 1000)
            if opened.status_code != 200:
                run.errors.append(f"GET {unit}: {opened.status_code}")
            drafts = [random_label(rng, frame_ids, complete=False) for _ in range(int(rng.integers(1, 3)))]
            for label in [*drafts, random_label(rng, frame_ids, complete=True)]:
                put(client, run, unit, label)


def put(client: httpx.Client, run: CoderRun, unit: str, label: Label) -> None:
    """One timed save; a completing save that answered 200 is the label that must be stored."""
    began = time.perf_counter()
    try:
        answer = client.put(f"/units/{unit}", json=label.body(note=f"{run.name} on {unit}"))
    except httpx.TransportError as exc:
        run.errors.append(f"PUT {unit}: {exc!r}")
        return
    run.save_ms.append((time.perf_counter() - began) * 1000)
    if answer.status_code != 200:
        run.errors.append(f"PUT {unit}: {answer.status_code} {answer.text[:200]}")
        return
    run.puts[unit] += 1
    if label.complete:
        run.final[unit] = label


def warm_up(base: str, token: str) -> None:
    """Open one unit, untimed: the first open loads the sentence splitter, as the first coder of a session does."""
    with httpx.Client(base_url=f"{base}/api/{token}", timeout=120) as client:
        first = client.get("/state").raise_for_status().json()["queue"][0]["unit_id"]
        client.get(f"/units/{first}").raise_for_status()


def run_coders(base: str, tokens: dict[str, str]) -> tuple[list[CoderRun], float]:
    """All coders at once, each in its own thread; the clock starts when every queue is loaded."""
    runs = [CoderRun(name) for name in tokens]
    start = threading.Barrier(len(runs) + 1, timeout=300)   # a coder thread that died breaks it, not hangs
    threads = [threading.Thread(target=code_queue, args=(base, tokens[r.name], r, start, i), daemon=True)
               for i, r in enumerate(runs)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return runs, time.perf_counter() - began


# -- the checks ---------------------------------------------------------------------------------
def check_database(db: Path, runs: list[CoderRun], expected: int) -> list[tuple[str, bool, str]]:
    """Compare the SQLite file with what the coders sent: (check, passed, detail) rows."""
    conn = sqlite3.connect(db)
    stored = {(c, u): (json.loads(f), d, bool(r), bool(k), rev) for c, u, f, d, r, k, rev in conn.execute(
        "SELECT coder, unit_id, frames, dominant, relevant, complete, revision FROM judgements")}
    logged = Counter(conn.execute("SELECT coder, unit_id FROM judgement_log").fetchall())
    last = {(c, u): bool(k) for c, u, k in conn.execute(
        "SELECT coder, unit_id, complete FROM judgement_log WHERE seq IN "
        "(SELECT max(seq) FROM judgement_log GROUP BY coder, unit_id)")}
    conn.close()
    sent = {(r.name, u): n for r in runs for u, n in r.puts.items()}
    final = {(r.name, u): label for r in runs for u, label in r.final.items()}
    complete = sum(1 for row in stored.values() if row[3])
    wrong = [k for k, label in final.items()
             if stored.get(k, (None,))[:4] != (label.frames, label.dominant, label.relevant, True)]
    revisions = [k for k, n in sent.items() if stored.get(k, (0,) * 5)[4] != n]
    errors = sum(len(r.errors) for r in runs)
    return [
        ("requests answered 200", errors == 0, f"{errors} failed" if errors else "all"),
        ("complete judgements", complete == expected == len(final), f"{complete} of {expected}"),
        ("one row per (coder, unit), no extras", set(stored) == set(final), f"{len(stored)} rows"),
        ("stored label = coder's completing save", not wrong, f"{len(wrong)} differ"),
        ("revision = saves sent for the unit", not revisions, f"{len(revisions)} differ"),
        ("judgement_log: one row per PUT", logged == Counter(sent), f"{sum(logged.values())} rows, "
                                                                    f"{sum(sent.values())} PUTs"),
        ("last logged save is the completing one", all(last.get(k) for k in final), f"{sum(last.values())}"),
    ]


def report(runs: list[CoderRun], elapsed: float, checks: list[tuple[str, bool, str]], args: argparse.Namespace,
           double_coded: int, load: float) -> None:
    """The figures and the checks as one rich table."""
    saves = np.array([ms for r in runs for ms in r.save_ms])
    opens = np.array([ms for r in runs for ms in r.open_ms])
    judgements = sum(len(r.final) for r in runs)
    p50, p95, p99 = np.percentile(saves, [50, 95, 99])
    table = Table(title=f"coding app under load: {args.coders} coders x {args.judgements} units, "
                        f"{args.workers} uvicorn worker(s), {double_coded} units double-coded")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("judgements (completing saves)", f"{judgements}")
    table.add_row("PUT requests (drafts + completing)", f"{saves.size}")
    table.add_row("unit opens (GET)", f"{opens.size}")
    table.add_row("total time", f"{elapsed:.1f} s")
    table.add_row("throughput", f"{saves.size / elapsed:.0f} saves/s ({(saves.size + opens.size) / elapsed:.0f} "
                                "requests/s)")
    table.add_row("save latency p50 / p95 / p99 / max",
                  f"{p50:.0f} / {p95:.0f} / {p99:.0f} / {saves.max():.0f} ms")
    table.add_row("open latency p50 / p95", f"{np.percentile(opens, 50):.0f} / {np.percentile(opens, 95):.0f} ms")
    # other work on the machine moves every figure above; say how busy it was
    table.add_row("machine load (1-min average) at start", f"{load:.1f} on {os.cpu_count()} CPUs")
    for name, passed, detail in checks:
        table.add_row(f"check: {name}", f"[green]ok[/] {detail}" if passed else f"[red]FAILED[/] {detail}")
    Console().print(table)


def main() -> None:
    """Build the study, serve it, run the coders, check the database, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coders", type=int, default=30)
    parser.add_argument("--judgements", type=int, default=50, help="units each coder completes")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--overlap", type=float, default=0.3, help="share of units coded by two coders")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    coders = [f"coder{i:02d}" for i in range(args.coders)]
    with tempfile.TemporaryDirectory() as tmp:
        spec, double_coded = build_study(Path(tmp), coders, args.judgements, args.overlap, args.seed)
        from framing.annotate.project import annotation_db

        db = annotation_db(spec)
        tokens = {c.name: c.token for c in db.coders()}
        port = free_port()
        server = start_server(spec, port, args.workers)
        try:
            warm_up(f"http://127.0.0.1:{port}", tokens[coders[0]])
            load = os.getloadavg()[0]
            runs, elapsed = run_coders(f"http://127.0.0.1:{port}", tokens)
        finally:
            server.terminate()
            server.wait(timeout=30)
        checks = check_database(db.path, runs, args.coders * args.judgements)
    report(runs, elapsed, checks, args, double_coded, load)
    if not all(passed for _, passed, _ in checks):
        for run in runs:
            for error in run.errors[:3]:
                print(f"{run.name}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
