"""Supervised frame classifiers trained on gold labels: gold, data, model, thresholds, cross-validation, cards."""
