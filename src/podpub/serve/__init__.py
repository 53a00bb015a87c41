"""podpub serve: the live preview of a show (issue 17)."""
