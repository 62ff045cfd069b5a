"""Stage 4: frame labels -> outlet x frame statistics."""
