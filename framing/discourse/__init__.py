"""Discourse: who speaks in the coverage — quotations, their speakers, and the codebook's actors."""
