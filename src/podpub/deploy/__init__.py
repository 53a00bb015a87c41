"""podpub deploy: the published site (and media_url's media) put online, changed files only."""
