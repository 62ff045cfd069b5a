"""Human coding: assignments, the coding web app, agreement, adjudication, gold labels."""
