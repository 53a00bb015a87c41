"""Stage 5, site: records into pages (the only Jinja2 importer), people pages, sitemap, words,
theme.
"""
