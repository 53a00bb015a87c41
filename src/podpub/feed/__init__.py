"""Stage 4, feed: records into the feed's bytes (the only feedgen importer), paging, the one
read-back.
"""
