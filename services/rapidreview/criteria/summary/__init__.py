"""The advisory-group summary: Markdown, HTML and PDF from one model."""
