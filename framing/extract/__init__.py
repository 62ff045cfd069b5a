"""Stage 2: captures -> articles (text, title, date, language, status)."""
