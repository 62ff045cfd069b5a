"""The reporter's report: charts (Vega-Lite via altair), captions, examples, methods, CSVs."""
