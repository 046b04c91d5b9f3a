/* fuzz_video.c - libFuzzer target for the video path from memory: the
 * container sniffing, FFmpeg's demuxers and decoders behind the library's
 * whitelists and limits, the conversion (portable and libswscale, chosen by
 * the input's last byte) and vPDQ hashing, strict or in the scanner's
 * salvage mode for cut files; also the reference-line parser.
 * Any input must end in a clean status: no crash, leak, hang or undefined
 * behaviour, and a result that is coherent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmatch.h"
#include "video/video_internal.h"

/* Small limits keep each input to milliseconds under the sanitizers. */
#define FUZZ_MAX_PIXELS (1u << 16)
#define FUZZ_MAX_FRAMES 64
#define FUZZ_MAX_BYTES (8u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_video(const hm_video *v)
{
    const hm_video_info *info = hm_video_get_info(v);
    if (!info || info->frames_decoded > FUZZ_MAX_FRAMES ||
        (uint64_t)info->hash_width * info->hash_height > FUZZ_MAX_PIXELS)
        abort();
    uint32_t prev = 0;
    for (size_t i = 0; i < hm_video_frame_count(v); i++) {
        const hm_vpdq_frame *f = hm_video_frame(v, i);
        if (!f || f->quality < 0 || f->quality > 100 || (i && f->frame <= prev) ||
            !(f->timestamp >= 0))
            abort();
        prev = f->frame;
        char line[HM_VPDQ_LINE_SIZE];
        hm_vpdq_frame back;
        if (hm_vpdq_format_line(f, line, sizeof line) >= sizeof line ||
            hm_vpdq_parse_line(line, &back) != HM_OK || memcmp(back.hash, f->hash, HM_PDQ_BYTES))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)hm_video_sniff(data, size);
    hm_video_options o = {0};
    o.limits.max_pixels = FUZZ_MAX_PIXELS;
    o.limits.max_frames = FUZZ_MAX_FRAMES;
    o.limits.max_decoded_bytes = FUZZ_MAX_BYTES;
    o.limits.max_seconds = 600;
    uint8_t last = size ? data[size - 1] : 0;
    o.mode = last & 1 ? HM_VPDQ_SWSCALE : HM_VPDQ_PORTABLE;
    o.size = last & 2 ? 32 : 0;
    o.seconds_per_hash = last & 4 ? 0.5 : 0;
    hm_video *v = NULL;
    hm_error err;
    int salvage = (last & 8) != 0;
    hm_status st = salvage ? hm__video_hash_salvage(data, size, -1, NULL, &o, &v, &err)
                           : hm_video_hash_buffer(data, size, &o, &v, &err);
    if (st != err.status || (st == HM_OK) != (v != NULL) || (st != HM_OK && !err.message[0]))
        abort();
    if (v && v->truncated && !salvage) abort(); /* only salvage accepts a cut file */
    if (v) check_video(v);
    hm_video_free(v);

    /* the reference's line format, from the same bytes as text */
    char line[256];
    size_t n = size < sizeof line - 1 ? size : sizeof line - 1;
    memcpy(line, data, n);
    line[n] = '\0';
    hm_vpdq_frame f;
    if (hm_vpdq_parse_line(line, &f) == HM_OK && (f.quality < 0 || f.quality > 100)) abort();
    return 0;
}
