"""Taggers: interchangeable ways to give articles frame labels (rules now; classifiers next)."""
