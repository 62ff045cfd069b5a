"""Reading WARC files: warcio (what framing reads with) against FastWARC, on the same files in one run.

A CC-NEWS-like set is written first (gzip per record, as Common Crawl stores it): HTML
responses with 20-60 KB pages, some gzip-coded, with request and metadata records between
them. Each reader then streams every file: response records only, with URL, status, content
type and the body as sent. Rounds alternate which reader goes first (the machine's speed
drifts); the ratio is of summed times. Issue 13: adopt FastWARC for reading if it measures
faster; warcio stays the writer.

Run: python benchmarks/warc_read.py [--records 20000] [--files 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import io
import tempfile
import time
from pathlib import Path

import numpy as np
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from framing.collect.warcfile import iter_responses


def write_set(folder: Path, records: int, files: int, seed: int = 0) -> list[Path]:
    rng = np.random.default_rng(seed)
    paths = []
    for f in range(files):
        path = folder / f"CC-NEWS-{f:05d}.warc.gz"
        with path.open("wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            for i in range(records // files):
                words = " ".join(f"w{int(x)}" for x in rng.zipf(1.3, int(rng.integers(3000, 9000))))
                body = f"<html><head><title>Story {f}-{i}</title></head><body><p>{words}</p></body></html>".encode()
                headers = [("Content-Type", "text/html; charset=utf-8")]
                if i % 3 == 0:
                    body, headers = gzip.compress(body), [*headers, ("Content-Encoding", "gzip")]
                url = f"https://outlet{i % 50}.example/{f}/{i}"
                request = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
                writer.write_record(request)
                http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                              http_headers=http))
        paths.append(path)
    return paths


def with_warcio(paths: list[Path]) -> int:
    size = 0
    for path in paths:
        for record in iter_responses(path):
            size += len(record.body) + len(record.url) + record.status
    return size


def with_fastwarc(paths: list[Path]) -> int:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    size = 0
    for path in paths:
        for record in ArchiveIterator(str(path), record_types=WarcRecordType.response, parse_http=True,
                                      auto_decode="none", fsspec_args=False):
            url = record.headers.get("WARC-Target-URI")
            status = record.http_headers.status_code
            size += len(record.reader.read()) + len(url) + status
    return size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = write_set(Path(folder), args.records, args.files)
        megabytes = sum(p.stat().st_size for p in paths) / 2**20
        times = {"warcio": 0.0, "fastwarc": 0.0}
        readers = {"warcio": with_warcio, "fastwarc": with_fastwarc}
        sizes = {}
        for round_ in range(args.rounds):
            for name in (["warcio", "fastwarc"] if round_ % 2 == 0 else ["fastwarc", "warcio"]):
                started = time.perf_counter()
                sizes[name] = readers[name](paths)
                times[name] += time.perf_counter() - started
        assert sizes["warcio"] == sizes["fastwarc"], "the readers disagree on what the files hold"
        records = args.records * args.rounds
        print(f"{args.records:,} responses in {args.files} files ({megabytes:,.0f} MB gzip), {args.rounds} rounds")
        for name, seconds in times.items():
            print(f"{name:9} {records / seconds:9,.0f} records/s")
        print(f"fastwarc / warcio: {times['warcio'] / times['fastwarc']:.2f}x")


if __name__ == "__main__":
    main()
