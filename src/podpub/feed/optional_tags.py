"""Write the optional tags of the records through the feed extensions (called by ``feed.py``).

Each tag is written only when the record holds a value for it: a show that asks for no
optional tag gets exactly the feed it got before. No feedgen import here: the functions
only call the setters of ``feedext``'s extension classes.
"""

from __future__ import annotations

from podpub.feed.extensions import (
    ItunesExtension,
    PodcastEntryExtension,
    PodcastExtension,
    _PodcastShared,
)
from podpub.resolve.optional_records import EpisodeExtras, ShowExtras
from podpub.resolve.records import EpisodeRecord, ShowRecord

#: RFC 6381 codecs of the containers where one name is unambiguous (Ogg carries Opus or
#: Vorbis under one MIME type: the codec tells apps which). AAC is left out: its value
#: depends on the profile (mp4a.40.2 for LC, .5 for HE), which the probe does not report.
CODECS = {"opus": "opus", "vorbis": "vorbis", "flac": "flac", "mp3": "mp3"}


def channel_tags(itunes: ItunesExtension, podcast: PodcastExtension, show: ShowRecord) -> None:
    extras = show.extras
    if extras.new_feed_url:
        itunes.new_feed_url(extras.new_feed_url)
    if extras.medium:
        podcast.medium(extras.medium)
    _shared(podcast, extras)
    for trailer in extras.trailers:
        podcast.trailer(
            trailer.title,
            trailer.media.url,
            trailer.published,
            trailer.media.audio.size,
            trailer.media.audio.mime,
            trailer.season,
        )
    frequency = extras.update_frequency
    if frequency is not None:
        podcast.update_frequency(
            frequency.text, frequency.rrule, frequency.complete, frequency.dtstart
        )
    for item in extras.podroll:
        podcast.podroll_item(item.feed_guid, item.feed_url, item.title)


def item_tags(podcast: PodcastEntryExtension, episode: EpisodeRecord) -> None:
    for transcript in episode.transcripts:
        podcast.transcript(
            transcript.url, transcript.mime, transcript.language, transcript.captions
        )
    extras = episode.extras
    for soundbite in extras.soundbites:
        podcast.soundbite(soundbite.start, soundbite.duration, soundbite.title)
    for alternate in extras.alternates:
        podcast.alternate_enclosure(
            alternate.url,
            alternate.audio.mime,
            alternate.audio.size,
            alternate.audio.bitrate,
            alternate.title,
            alternate.language,
            CODECS.get(alternate.audio.codec),
        )
    _shared(podcast, extras)


def _shared(podcast: _PodcastShared, extras: ShowExtras | EpisodeExtras) -> None:
    """The tags a channel and an item both may carry."""
    for funding in extras.funding:
        podcast.funding(funding.url, funding.text)
    if extras.license is not None:
        podcast.license(extras.license.name, extras.license.url)
    for place in extras.locations:
        podcast.location(place.name, place.rel, place.geo, place.osm, place.country)
    for txt in extras.txt:
        podcast.txt(txt.text, txt.purpose)
