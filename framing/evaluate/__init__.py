"""Labels against labels: P/R/F1 with intervals, Krippendorff's alpha."""
