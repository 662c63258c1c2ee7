"""Stage 7, the incremental core: the build driver and everything that remembers earlier builds
(the cache, what each page read, what changed). No other stage knows that builds are cached."""
