#!/usr/bin/env bash
# Fetches the public evaluation corpus: 511 distinct natural photographs taken
# from six Debian packages, without installing anything system-wide
# (`apt-get download`, then `dpkg-deb -x` into a cache directory).
#
#   scripts/corpus.sh [--dir DIR]     (default: ${XDG_CACHE_HOME:-~/.cache}/hashmatch/corpus)
#
# The exact selection is scripts/corpus.sha256 (sha256sum format, paths
# relative to the unpacked packages); every file is verified against it. The
# selected files are hard-linked (or copied) under DIR/images, so that
#   hashmatch eval fpr -r DIR/images
# evaluates exactly the corpus. The last line printed is DIR/images.
#
# Selection rule (docs/RESULTS.md explains it):
#   endless-sky-data  images/land/*.jpg (273) and images/scene/*.jpg (13) less the
#                     four rendered or painted scenes army0, eso0, geoscan, tempest
#   cimg-doc          html/img/postcard*.jpg (80)
#   scratch           Media/Backgrounds/*/*.jpg (61)
#   krank             levels/unera-backgrounds/*.jpg (40; menu-scores1.jpg is a
#                     byte-identical copy of bonus-01.jpg and is left out)
#   kalzium-data      data/toolpics/*.jpg with both sides >= 128 px (33 of 39)
#   opencv-doc        examples/data: the 11 colour photographs apple, baboon, board,
#                     building, butterfly, fruits, home, messi5, orange,
#                     squirrel_cls, stuff (no stereo, viewpoint or flow pairs, no
#                     drawings, renders, paintings or artificially blurred images)
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

DIR=${HM_CORPUS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hashmatch/corpus}
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) DIR=$2; shift 2 ;;
        --dir=*) DIR=${1#--dir=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "corpus.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

LIST=$(cd "$(dirname "$0")" && pwd)/corpus.sha256
EXPECTED=511
# The versions the list was made from (Debian 12); if the archive has moved on,
# the current version is fetched and the checksums decide.
PACKAGES=(endless-sky-data=0.9.8-1.2 cimg-doc=3.2.1+dfsg-1 scratch=1.4.0.6~dfsg1-6.1
          krank=0.7+dfsg2-4 kalzium-data=4:22.12.3-1 opencv-doc=4.6.0+dfsg-12)

mkdir -p "$DIR/debs" "$DIR/unpacked" "$DIR/images"
DIR=$(cd "$DIR" && pwd)
# The stamp lies beside images/, never in it: every file in a corpus that
# hashmatch walks is read, and a stray one is an input that failed.
stamp="$DIR/.verified-images-$(sha256sum "$LIST" | cut -c1-16)"
rm -f "$DIR"/images/.verified-* # where earlier versions put it
if [ -e "$stamp" ]; then
    echo "corpus.sh: $EXPECTED images already verified" >&2
    echo "$DIR/images"
    exit 0
fi

cd "$DIR/debs"
for spec in "${PACKAGES[@]}"; do
    name=${spec%%=*}
    if ! ls "${name}"_*.deb >/dev/null 2>&1; then
        echo "corpus.sh: downloading $name" >&2
        apt-get download -q "$spec" >&2 2>/dev/null || apt-get download -q "$name" >&2 || {
            echo "corpus.sh: cannot download $name (run 'apt-get update' first?)" >&2
            exit 1
        }
    fi
done

for deb in "$DIR"/debs/*.deb; do
    done_mark="$DIR/unpacked/.$(basename "$deb").done"
    [ -e "$done_mark" ] && continue
    echo "corpus.sh: unpacking $(basename "$deb")" >&2
    dpkg-deb -x "$deb" "$DIR/unpacked"
    touch "$done_mark"
done

cd "$DIR/unpacked"
if ! sha256sum --quiet --strict -c "$LIST" >&2; then
    echo "corpus.sh: some files differ from scripts/corpus.sha256 (a newer package?)" >&2
    exit 1
fi

count=0
while read -r _ path; do
    mkdir -p "$DIR/images/$(dirname "$path")"
    ln -f "$DIR/unpacked/$path" "$DIR/images/$path" 2>/dev/null ||
        cp -f "$DIR/unpacked/$path" "$DIR/images/$path"
    count=$((count + 1))
done < "$LIST"
if [ "$count" -ne "$EXPECTED" ]; then
    echo "corpus.sh: the list names $count files, expected $EXPECTED" >&2
    exit 1
fi
touch "$stamp"
echo "corpus.sh: $count images verified" >&2
echo "$DIR/images"
