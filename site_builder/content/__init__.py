"""Stage 1, content: the files in ``content/`` → schema-checked records, each value with its file and line."""
