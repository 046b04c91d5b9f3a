#!/usr/bin/env bash
# Makes the demo's video clips from the demo photos (demo/images, BSD, see
# demo/LICENSE-images) with Debian 12's ffmpeg: they are committed, so the demo
# runs from a clone without ffmpeg. Rerunning gives equivalent clips.
#   listed.mp4               the "known" video: the three photos, 3 s each
#   inbox/listed-small.webm  the same video re-encoded: VP9, smaller, lower quality
#   inbox/bridge-pan.mp4     only the bridge photo, slowly zoomed: a new video
#                            made of a listed photo
#   inbox/pattern.mp4        an unrelated test pattern
set -euo pipefail
cd "$(dirname "$0")"
img=../images
q() { ffmpeg -hide_banner -loglevel error -y "$@"; }
fit="scale=320:200:force_original_aspect_ratio=decrease,pad=320:200:(ow-iw)/2:(oh-ih)/2,setsar=1"
q -loop 1 -t 3 -i $img/bridge.jpg -loop 1 -t 3 -i $img/canal.jpg -loop 1 -t 3 -i $img/doorway.jpg \
  -filter_complex "[0]$fit[a];[1]$fit[b];[2]$fit[c];[a][b][c]concat=n=3:v=1,fps=10,format=yuv420p" \
  -c:v libx264 -preset slow -crf 28 -movflags +faststart listed.mp4
q -i listed.mp4 -vf scale=240:150 -c:v libvpx-vp9 -b:v 60k -deadline good inbox/listed-small.webm
q -loop 1 -t 4 -i $img/bridge.jpg \
  -vf "scale=640:400,zoompan=z='1+0.002*on':d=1:s=320x200:fps=10,format=yuv420p" \
  -c:v libx264 -preset slow -crf 30 inbox/bridge-pan.mp4
q -f lavfi -i "testsrc2=size=320x200:rate=10:duration=3" -pix_fmt yuv420p -c:v libx264 -crf 32 \
  inbox/pattern.mp4
