"""The build context of a run: the store (cache), the executor (worker processes), the
up-to-date check.
"""
