"""The last stage, write: publish (the orchestration), the ledger, staged output and the
swap, the audio tags.
"""
