"""A study on disk: its pipeline file, codebook, table schemas and store."""
