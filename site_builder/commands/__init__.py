"""Stage 8, the commands: ``site-builder VERB`` (build, check, serve, new, import, pdf), thin over the stages."""
