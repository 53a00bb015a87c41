"""Stage 2, media: the audio probe and tags (the only mutagen importers) and images (the only
Pillow importer).
"""
