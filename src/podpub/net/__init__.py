"""The network: podpub's one way to speak HTTP (``http.py``)."""
