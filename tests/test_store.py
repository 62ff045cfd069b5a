"""The study store: big tables as partitioned Parquet datasets, read as one table; older single-file studies open."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from framing.runner import run
from framing.study.store import GROUP_BYTES, GROUP_ROWS, PART_ROWS, Study


def test_big_tables_are_datasets_read_as_one_table_with_one_glob(tmp_path):
    study = Study(tmp_path / "study")
    schema = pa.schema([("article_id", pa.string()), ("status", pa.string())])
    rows = ({"article_id": f"a{i:06d}", "status": "ok" if i % 3 else "off-topic"} for i in range(2 * PART_ROWS + 5))
    assert study.write_rows("articles", rows, schema) == 2 * PART_ROWS + 5
    parts = study.table_files("articles")
    assert [p.name for p in parts] == ["part-0.parquet", "part-1.parquet", "part-2.parquet"]
    assert not (study.tables / "articles.parquet").exists() and not (study.tables / "articles.partial").exists()
    glob = f"{study.tables}/articles/*.parquet"
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()[0][0] == 2 * PART_ROWS + 5
    assert len(pd.read_parquet(study.tables / "articles")) == 2 * PART_ROWS + 5      # pandas (pyarrow) reads the folder
    assert study.query("SELECT count(*) FROM articles WHERE status = 'ok'").fetchone()[0] == \
        sum(1 for i in range(2 * PART_ROWS + 5) if i % 3)
    assert sum(b.num_rows for b in study.iter_batches("articles", ["article_id"])) == 2 * PART_ROWS + 5
    study.write_query("articles", "SELECT * FROM articles WHERE status = 'ok'")   # rewritten from itself
    assert study.query("SELECT count(DISTINCT status) FROM articles").fetchone()[0] == 1
    small = study.write_frame("funnel", pd.DataFrame({"outlet": ["A"]}))          # small tables stay one file
    assert small == study.tables / "funnel.parquet" and small.is_file()


def test_small_writes_make_few_row_groups_in_order_and_big_texts_are_written_before_they_fill_memory(tmp_path):
    """A stage writes a few hundred rows per task: they go out in row groups of GROUP_ROWS rows,
    parts of PART_ROWS, in the order written; rows with long texts go out by size before that."""
    study = Study(tmp_path / "study")
    schema = pa.schema([("article_id", pa.string()), ("text", pa.string())])
    total = PART_ROWS + 10_000
    with study.table_writer("articles", schema) as writer:
        for start in range(0, total, 200):
            writer.write([{"article_id": f"a{i:06d}", "text": "x"} for i in range(start, min(start + 200, total))])
        assert writer.count == total
    parts = [pq.ParquetFile(path) for path in study.table_files("articles")]
    assert [(p.metadata.num_rows, p.metadata.num_row_groups) for p in parts] == \
        [(PART_ROWS, PART_ROWS // GROUP_ROWS), (10_000, -(-10_000 // GROUP_ROWS))]
    assert {p.metadata.row_group(0).num_rows for p in parts} == {GROUP_ROWS}
    ids = [row["article_id"] for part in parts for row in part.read(["article_id"]).to_pylist()]
    assert ids == [f"a{i:06d}" for i in range(total)]
    long = "y" * (2**20)  # 1 MiB a text: 40 of them are more than a row group may hold
    with study.table_writer("articles_raw", schema) as writer:
        for i in range(40):
            writer.write(pa.table({"article_id": [f"b{i}"], "text": [long]}, schema=schema))
    [part] = [pq.ParquetFile(path) for path in study.table_files("articles_raw")]
    groups = [part.metadata.row_group(g).num_rows for g in range(part.metadata.num_row_groups)]
    assert sum(groups) == 40 and len(groups) >= 2 and max(groups) * 2**20 <= GROUP_BYTES + 2**20
    assert [row["article_id"] for row in part.read(["article_id"]).to_pylist()] == [f"b{i}" for i in range(40)]


def test_parts_hold_part_rows_whatever_flushed_their_row_groups(tmp_path):
    """Row groups flushed by size, then by count, still fill each part file to PART_ROWS and no more."""
    study = Study(tmp_path / "study")
    schema = pa.schema([("article_id", pa.string()), ("text", pa.string())])
    mid = "z" * 2000  # GROUP_BYTES of these come before GROUP_ROWS do
    rows = [{"article_id": f"a{i:06d}", "text": mid if i < PART_ROWS - 700 else ""} for i in range(2 * PART_ROWS + 7)]
    with study.table_writer("articles", schema) as writer:
        for start in range(0, len(rows), 300):
            writer.write(rows[start:start + 300])
    parts = [pq.ParquetFile(path) for path in study.table_files("articles")]
    assert [p.metadata.num_rows for p in parts] == [PART_ROWS, PART_ROWS, 7]
    ids = [row["article_id"] for part in parts for row in part.read(["article_id"]).to_pylist()]
    assert ids == [row["article_id"] for row in rows]


def test_a_failed_write_leaves_the_old_table_and_a_table_of_other_columns_is_refused(tmp_path):
    study = Study(tmp_path / "study")
    schema = pa.schema([("article_id", pa.string()), ("frame", pa.string())])
    study.write_rows("frame_hits", [{"article_id": "old", "frame": "f"}], schema)
    with pytest.raises(ValueError, match="frame_hits.partial: a table with columns"), \
            study.table_writer("frame_hits", schema) as writer:
        writer.write([{"article_id": "new", "frame": "f"}])
        writer.write(pa.table({"frame": ["f"], "article_id": ["new"]}))          # columns in another order
    assert study.read_frame("frame_hits")["article_id"].tolist() == ["old"]
    study.write_rows("frame_hits", [{"article_id": "again", "frame": "f"}], schema)  # a rerun is not in the way
    assert study.read_frame("frame_hits")["article_id"].tolist() == ["again"]


def test_an_empty_table_keeps_its_columns(tmp_path):
    study = Study(tmp_path / "study")
    schema = pa.schema([("article_id", pa.string()), ("frame", pa.string())])
    study.write_rows("frame_hits", [], schema)
    assert study.columns("frame_hits") == ["article_id", "frame"] and study.read_frame("frame_hits").empty
    study.write_query("article_frames", "SELECT * FROM frame_hits")
    assert study.columns("article_frames") == ["article_id", "frame"]


def test_a_study_from_before_datasets_opens_and_its_tables_migrate_when_their_stage_runs(gold_study):
    spec, _ = gold_study
    study = Study(spec.workdir)
    # as an older framing left it: one file per table
    old = study.tables / "articles.parquet"
    pq.write_table(pa.Table.from_pandas(study.read_frame("articles"), preserve_index=False), old)
    for path in study.table_files("articles"):
        path.unlink()
    (study.tables / "articles").rmdir()
    pq.write_table(pa.table({"article_id": ["stale"]}), study.tables / "frame_hits.parquet")
    assert study.table("articles") == old and study.has_table("articles")
    assert study.query("SELECT count(*) FROM articles").fetchone()[0] == 100
    [tagged] = run(spec, ["tag"])
    assert tagged.counts["articles"] == 100                                        # read from the single file
    assert "tables/frame_hits.parquet -> tables/frame_hits/" in tagged.counts["migrated"]
    assert not (study.tables / "frame_hits.parquet").exists()
    assert Study(spec.workdir).query("SELECT count(DISTINCT article_id) FROM frame_hits").fetchone()[0] > 50
    assert old.is_file()                                                           # extract did not run: kept
