"""Peak memory of the tag stage for 10,000 vs 100,000 articles (streaming, not one big list).

Each size runs in a fresh process that writes a study's articles.parquet (streamed); then
another fresh process runs the tag stage on it (``framing.runner.tag.tag_articles``: articles streamed
from Parquet, its five tables written), and its peak resident set size
(ru_maxrss) is compared. Target: peak(100k) <= 1.2 x peak(10k).

``--new-words N`` gives every article N never-seen words (an open vocabulary, as names and
numbers make real news); the default corpus draws only from the demo articles' vocabulary.

Run: python benchmarks/tag_memory.py [--small 10000] [--large 100000] [--new-words 0]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from _synthetic import articles
from framing.study.tables import ARTICLE_SCHEMA
from framing.study.store import Study

folder, n, new_words = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[4])
study = Study(folder)
rows = ({**a, "url": a["article_id"]} for a in articles(n, 600, new_words=new_words))
study.write_rows("articles", rows, ARTICLE_SCHEMA)
"""

TAG_CHILD = r"""
import json, resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from framing.study.config import Pipeline
from framing.study.store import Study
from framing.runner.tag import tag_articles

folder = Path(sys.argv[1])
spec = Pipeline(title="mem", workdir=folder, sources=[{"urls": "x"}], codebook="social-credit")
spec.path = folder / "study.yml"
counts = tag_articles(spec, Study(folder), lambda *a: None)
print(json.dumps({"peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, **counts}))
"""


def peak_for(n: int, here: Path, new_words: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-c", CHILD, tmp, str(n), str(here), str(new_words)], check=True,
                       capture_output=True)
        out = subprocess.run([sys.executable, "-c", TAG_CHILD, tmp, str(here)], check=True, capture_output=True,
                             text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--new-words", type=int, default=0, help="never-seen words per article")
    args = parser.parse_args()
    here = Path(__file__).parent
    small, large = peak_for(args.small, here, args.new_words), peak_for(args.large, here, args.new_words)
    print(f"{args.small:>7} articles: peak {small['peak_kb'] / 1024:7.1f} MiB ({small['hits']} hits)")
    print(f"{args.large:>7} articles: peak {large['peak_kb'] / 1024:7.1f} MiB ({large['hits']} hits)")
    print(f"peak({args.large}) / peak({args.small}) = {large['peak_kb'] / small['peak_kb']:.2f}  (target <= 1.2)")


if __name__ == "__main__":
    main()
