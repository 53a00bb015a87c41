"""``podpub import``: an existing show's feed → show.yaml, descriptors and published.lock.

source (fetch the feed) → feedxml (stream it, refusing hostile XML) → values (dates,
durations, flags as feeds write them) → convert (channel and items → descriptor data, every
change recorded) → extras (cover, chapters, transcripts, audio) → run (write the folder,
the ledger and the report). Every GUID is kept exactly: the first publish after an import
changes nothing for subscribers.
"""
