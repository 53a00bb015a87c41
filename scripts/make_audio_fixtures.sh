#!/bin/sh
# (Re)make the tiny audio files tests/test_audio.py probes, in tests/fixtures/audio/.
#
# Tones, not speech: a fixed-frequency sine is the same on every machine, so the files
# only change when ffmpeg/lame themselves change. Every file is mono, low rate and a few KB
# so the fixtures can live in git. `-fflags +bitexact` keeps ffmpeg's version string out of
# the files and makes the Ogg muxer use fixed stream serial numbers instead of random ones;
# `-map_metadata -1` drops tags (and with them any creation time).
#
# Good files (2-3 s each):
#   tone.mp3            MPEG-1 Layer III, 32 kb/s CBR, with an "Info" header; 3 s (the
#                       pipeline tests print its length as 0:03)
#   tone-vbr.mp3        MPEG-2 Layer III, VBR, with a Xing header (tone, then silence)
#   tone-vbr-noxing.mp3 the same VBR stream without Xing header: podpub counts its frames
#   tone.m4a            AAC-LC in MP4 (moov first: -movflags +faststart)
#   tone.opus           Opus in Ogg
#   tone.ogg            Vorbis in Ogg
#   tone.flac           FLAC
# Bad files:
#   empty.mp3           0 bytes
#   text.mp3, text.m4a  plain text with an audio extension
#   vorbis-named.mp3    an Ogg Vorbis file named .mp3
#   truncated.mp3       the first 30 % of an 8 s CBR MP3 (its Info header still says 8 s)
#
# Usage: scripts/make_audio_fixtures.sh   (from anywhere; needs ffmpeg with libmp3lame,
# libopus and libvorbis, as in Debian's ffmpeg package)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/tests/fixtures/audio"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ff() {
    ffmpeg -nostdin -hide_banner -loglevel error -y "$@"
}

# $1 = duration (s), $2 = sample rate: a 440 Hz sine at half scale.
tone() {
    echo "sine=frequency=440:sample_rate=$2:duration=$1"
}

# Tone for 1.5 s then 1 s of silence: VBR frames get really different sizes.
tone_then_silence() {
    echo "aevalsrc=exprs=0.5*sin(2*PI*440*t)*lt(t\,1.5):sample_rate=$1:duration=2.5"
}

common="-fflags +bitexact -flags:a +bitexact -map_metadata -1 -ac 1"

# shellcheck disable=SC2086  # $common is a word list on purpose
{
    ff -f lavfi -i "$(tone 3 44100)" $common \
        -c:a libmp3lame -b:a 32k "$out/tone.mp3"

    ff -f lavfi -i "$(tone_then_silence 22050)" $common \
        -c:a libmp3lame -q:a 7 "$out/tone-vbr.mp3"

    ff -f lavfi -i "$(tone_then_silence 16000)" $common \
        -c:a libmp3lame -q:a 7 -write_xing 0 "$out/tone-vbr-noxing.mp3"

    ff -f lavfi -i "$(tone 2 22050)" $common \
        -c:a aac -b:a 24k -movflags +faststart "$out/tone.m4a"

    ff -f lavfi -i "$(tone 2 48000)" $common \
        -c:a libopus -b:a 12k "$out/tone.opus"

    ff -f lavfi -i "$(tone 2 16000)" $common \
        -c:a libvorbis -q:a 0 "$out/tone.ogg"

    ff -f lavfi -i "$(tone 2 8000)" $common \
        -c:a flac -sample_fmt s16 -compression_level 8 "$out/tone.flac"

    ff -f lavfi -i "$(tone 8 44100)" $common \
        -c:a libmp3lame -b:a 32k "$tmp/long.mp3"
}

# Bad cases.
: >"$out/empty.mp3"
printf 'This is not audio.\nJust a text file with an audio extension.\n' >"$out/text.mp3"
cp "$out/text.mp3" "$out/text.m4a"
cp "$out/tone.ogg" "$out/vorbis-named.mp3"
size=$(wc -c <"$tmp/long.mp3")
head -c $((size * 3 / 10)) "$tmp/long.mp3" >"$out/truncated.mp3"

ls -l "$out"
