"""Stage 2, model: records → the site's model (references, consent, stars derived from the evaluations, Markdown)."""
