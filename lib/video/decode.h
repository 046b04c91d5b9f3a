/* decode.h - FFmpeg demuxing and decoding of untrusted video (internal; only
 * with HM_WITH_VIDEO). A pull interface: open, then take decoded frames one
 * by one until the end. Every limit is checked here. */
#ifndef HM_VIDEO_DECODE_H
#define HM_VIDEO_DECODE_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "video_internal.h"

/* Where the bytes come from: memory, or a file descriptor (streamed). */
typedef struct hm__vinput {
    const uint8_t *data;
    size_t size;
    int fd; /* >= 0: read the file instead of data */
    uint64_t pos, end;
    int hit_end; /* a read reached the end of the input */
    int io_error; /* errno of a failed file read, 0 if none */
    /* salvage: a cut-short input is decoded as far as its data goes (the
     * declared lengths are not enforced, the cut packet is dropped) and
     * `truncated` says it was cut; otherwise a cut is HM_E_VIDEO_TRUNCATED. */
    int salvage, truncated;
    /* Files: the name for messages, the modification time when opened, and
     * whether a read found the file shorter than it was then. */
    const char *name;
    int64_t mtime_sec, mtime_nsec;
    int shrank;
} hm__vinput;

/* Makes the open regular file `fd` the input: its size now is the end, and
 * its modification time is kept for hm__vinput_unchanged. */
hm_status hm__vinput_file(hm__vinput *in, int fd, const char *name, hm_error *err);

/* HM_E_IO when the input's file is no longer as it was when opened (its size
 * or modification time changed, or a read found it shorter): its frames and
 * digests would then describe no one version of it. HM_OK for memory. */
hm_status hm__vinput_unchanged(const hm__vinput *in, hm_error *err);

typedef struct hm__vdec hm__vdec;

/* What the stream header says, checked against the limits. */
typedef struct hm__vstream {
    uint32_t width, height; /* codecpar: the reference's W0 x H0 */
    double fps;             /* avg_frame_rate, else r_frame_rate */
    int index;              /* the video stream's index in the container */
} hm__vstream;

/* Opens the input: container sniffed and matched against the demuxer
 * whitelist, stream info read, the video stream chosen, its decoder opened
 * (decoder whitelist), dimensions, frame rate and declared duration checked.
 * `decoder_threads` > 1 allows slice threads in the decoder. Fills v->info's
 * names. */
hm_status hm__vdec_open(hm__vinput *in, const hm_video_limits *lim, unsigned decoder_threads,
                        hm__vdec **out, hm__vstream *stream, hm_video *v, hm_error *err);

/* The next decoded frame, in decoder output order (*frame stays valid until
 * the next call), or *frame = NULL at the end. Errors for corrupt or
 * truncated data and for limits; frames are counted in v->info. */
hm_status hm__vdec_next(hm__vdec *d, AVFrame **frame, hm_video *v, hm_error *err);

void hm__vdec_close(hm__vdec *d);

/* A message for an FFmpeg error code ("Invalid data found when processing
 * input"), built without logging. */
void hm__av_error_text(int code, char *buf, size_t size);

/* Per-context log silencing (docs/VIDEO.md): every message logged through
 * `ctx` (whose AVClass pointer is its first member) has its level raised by
 * HM__AV_LOG_OFFSET. `cls` receives a copy of the context's class whose log
 * level offset is read from the int option `option` (which must be unused by
 * the work at hand) and must outlive the context. Returns 0, or -1 when the
 * option is missing (the context is then left as it was). */
#define HM__AV_LOG_OFFSET 192
int hm__av_silence(void *ctx, AVClass *cls, const char *option);

#endif /* HM_VIDEO_DECODE_H */
