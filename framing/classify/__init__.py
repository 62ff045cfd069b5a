"""Supervised frame classifiers trained on gold labels: model, thresholds, data, validation, prevalence."""
