"""Stage 3, resolve: descriptors and probes into frozen show and episode records."""
