"""Stage 1, input: YAML with positions (the only yaml importer), the pydantic models,
validation, paths.
"""
