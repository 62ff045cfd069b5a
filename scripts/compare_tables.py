"""Compare two study folders' tables, or a study with a pinned digest.

    python scripts/compare_tables.py STUDY_A STUDY_B          # table by table: same, or how not
    python scripts/compare_tables.py --digest STUDY > d.json  # pin a study's tables
    python scripts/compare_tables.py --check d.json STUDY     # the same tables as pinned?

Rows are compared as sets, floats to 10 significant digits; warc_file, warc_offset and
fetched_at are left out (see framing/study/compare.py). Exit status 0 when all is the same.
``tests/golden/demo_tables.json`` is the demo's digest, checked by tests/test_demo.py: after a
change that is meant to change the demo's results, write it again with --digest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from framing.study.compare import compare_studies, table_digests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--digest", action="store_true", help="print the digest of one study's tables")
    parser.add_argument("--check", type=Path, help="a digest file to check one study against")
    args = parser.parse_args(argv)
    if args.digest:
        print(json.dumps(table_digests(args.paths[0]), indent=1))
        return 0
    if args.check:
        pinned = json.loads(args.check.read_text())
        found = table_digests(args.paths[0], list(pinned))
        differ = [name for name in pinned if pinned[name] != found[name]]
        for name in pinned:
            print(f"{name}: {'differs' if name in differ else 'same'}")
        return 1 if differ else 0
    results = compare_studies(*args.paths[:2])
    for name, problems in results.items():
        print(f"{name}: {'same' if not problems else '; '.join(problems)}")
    same = sum(not p for p in results.values())
    print(f"{same} of {len(results)} tables the same")
    return 0 if same == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
