"""The bundled demo: a fictional news site served on loopback, crawled like the real web."""
