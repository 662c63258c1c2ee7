"""Stage 4, pages: the model → the list of pages of the site (web pages, print pages, feeds, open data, search)."""
