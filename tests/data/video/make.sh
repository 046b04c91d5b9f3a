#!/usr/bin/env bash
# Makes the small synthetic clips of this folder with Debian 12's ffmpeg
# (5.1.x) from its built-in testsrc2 pattern: one per container, codec and
# pixel format the video decoder accepts. They are committed; rerunning this
# script gives equivalent (not necessarily byte-identical) files.
set -euo pipefail
cd "$(dirname "$0")"
src=(-f lavfi -i "testsrc2=size=64x48:rate=10:duration=1")
enc() { ffmpeg -hide_banner -loglevel error -y "${src[@]}" "$@"; }
enc -pix_fmt yuv420p -c:v libx264 -preset veryfast -crf 30 -movflags +faststart h264-yuv420p-64x48.mp4
enc -pix_fmt yuvj420p -c:v libx264 -preset veryfast -crf 30 h264-yuvj420p-64x48.mp4
enc -pix_fmt yuv422p -c:v libx264 -preset veryfast -crf 30 h264-yuv422p-64x48.mkv
enc -pix_fmt yuv444p -c:v libx264 -preset veryfast -crf 30 h264-yuv444p-64x48.mp4
enc -pix_fmt yuv420p10le -c:v libx265 -preset ultrafast -crf 32 -x265-params log-level=error hevc-yuv420p10-64x48.mkv
enc -pix_fmt yuv420p -c:v libvpx -b:v 100k vp8-64x48.webm
enc -pix_fmt yuv420p -c:v libaom-av1 -cpu-used 8 -crf 50 av1-64x48.mp4
enc -pix_fmt yuv420p -c:v mpeg4 -q:v 10 mpeg4-64x48.avi
enc -pix_fmt yuv420p -c:v libx264 -preset veryfast -crf 30 h264-64x48.ts
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=66x48:rate=10:duration=1" \
    -vf format=rgb24,crop=65:47:0:0,format=yuv420p -c:v libvpx-vp9 -b:v 100k vp9-odd-65x47.webm
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=32x24:rate=5:duration=1" gif-32x24.gif
# Files the video decoder must refuse, each for its own reason.
enc -frames:v 2 -c:v mjpeg -q:v 10 refused-mjpeg-64x48.avi
enc -frames:v 2 -c:v flv1 refused-flv1-64x48.flv
enc -frames:v 2 -pix_fmt yuv420p -c:v libx264 -f h264 refused-raw-64x48.h264
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "sine=frequency=440:duration=0.2" -c:a libvorbis -ac 1 \
    refused-audio-only.mkv
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=4x4:rate=10:duration=0.2" \
    -pix_fmt yuv420p -c:v libx264 -preset veryfast refused-tiny-4x4.mp4
