"""Stage 5, render: a page → bytes (Jinja2 templates, translations) and the check of the links it holds."""
