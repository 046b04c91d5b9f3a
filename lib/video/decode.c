/* decode.c - demuxing and decoding untrusted video with FFmpeg 5.x.
 *
 * Untrusted input is held to a narrow path:
 *   - the container is recognised from its first bytes and opened with that
 *     one demuxer (no probing of others), which must be on the demuxer
 *     whitelist; the demuxer may open no other file or URL (io_open refuses);
 *   - the bytes come through our own AVIOContext (memory or a file
 *     descriptor), never a URL;
 *   - only whitelisted decoders are opened, also the ones stream probing
 *     opens (codec_whitelist);
 *   - frame size (also the decoder's own max_pixels), frame count, duration
 *     and decoded bytes are bounded (hm_video_limits);
 *   - FFmpeg's messages are silenced per context, never through its
 *     process-wide log level or callback (docs/VIDEO.md).
 * The sequence of calls otherwise follows the vPDQ reference, whose frame
 * numbers and frame rate it must reproduce (docs/VIDEO.md, "Decoding"). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#include "decode.h"

#define IO_BUFFER 32768
#define MAX_STREAMS 64

/* Demuxer whitelist, and the decoders allowed for each codec. */
static const char FORMAT_WHITELIST[] = "mov,matroska,avi,gif,apng,mpegts";
static const char CODEC_WHITELIST[] = "h264,hevc,vp8,vp9,libdav1d,av1,mpeg4,gif,apng";
static const enum AVCodecID CODECS[] = {AV_CODEC_ID_H264, AV_CODEC_ID_HEVC, AV_CODEC_ID_VP8,
                                        AV_CODEC_ID_VP9,  AV_CODEC_ID_AV1,  AV_CODEC_ID_MPEG4,
                                        AV_CODEC_ID_GIF,  AV_CODEC_ID_APNG};

struct hm__vdec {
    hm__vinput *in;
    hm_video_limits lim;
    AVIOContext *io;
    AVFormatContext *fc;
    AVCodecContext *cc;
    AVPacket *pkt;
    AVFrame *frame;
    AVClass fc_class; /* the format context's class, with the log offset */
    int stream;
    AVRational time_base;
    int64_t first_pts;
    int draining; /* 0: reading packets; 1: decoder flushed; 2: done */
    uint64_t frames, bytes;
};

void hm__av_error_text(int code, char *buf, size_t size)
{
    if (av_strerror(code, buf, size) < 0) snprintf(buf, size, "FFmpeg error %d", code);
}

/* ------------------------------------------------------------------------ */
/* Logging                                                                  */
/* ------------------------------------------------------------------------ */

int hm__av_silence(void *ctx, AVClass *cls, const char *option)
{
    const AVOption *o = av_opt_find(ctx, option, NULL, 0, 0);
    if (!o || o->offset <= 0) return -1;
    uint8_t *field = (uint8_t *)ctx + o->offset;
    int32_t level = HM__AV_LOG_OFFSET;
    if (o->type == AV_OPT_TYPE_INT) {
        memcpy(field, &level, sizeof level);
    } else if (o->type == AV_OPT_TYPE_DOUBLE) {
        /* Keep the double's value but for its first four bytes (its lowest
         * mantissa bits on little-endian CPUs); only for options the work at
         * hand ignores. */
        double d;
        memcpy(&d, field, sizeof d);
        memcpy(&d, &level, sizeof level);
        memcpy(field, &d, sizeof d);
    } else {
        return -1;
    }
    *cls = **(const AVClass **)ctx;
    cls->log_level_offset_offset = o->offset;
    *(const AVClass **)ctx = cls;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Input                                                                    */
/* ------------------------------------------------------------------------ */

static int read_packet(void *opaque, uint8_t *buf, int size)
{
    hm__vinput *in = opaque;
    if (in->pos >= in->end || size <= 0) {
        in->hit_end = 1;
        return AVERROR_EOF;
    }
    uint64_t left = in->end - in->pos;
    size_t n = left < (uint64_t)size ? (size_t)left : (size_t)size;
    if (in->fd < 0) {
        memcpy(buf, in->data + in->pos, n);
    } else {
        ssize_t got;
        do got = pread(in->fd, buf, n, (off_t)in->pos);
        while (got < 0 && errno == EINTR);
        if (got < 0) {
            in->io_error = errno;
            return AVERROR(EIO);
        }
        if (got == 0) { /* before `end`: the file shrank (hm__vinput_unchanged) */
            in->hit_end = in->shrank = 1;
            return AVERROR_EOF;
        }
        n = (size_t)got;
    }
    in->pos += n;
    if (in->pos >= in->end) in->hit_end = 1;
    return (int)n;
}

static int64_t seek(void *opaque, int64_t offset, int whence)
{
    hm__vinput *in = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return (int64_t)in->end;
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)in->pos; break;
    case SEEK_END: base = (int64_t)in->end; break;
    default: return AVERROR(EINVAL);
    }
    if (offset > INT64_MAX - base || base + offset < 0) return AVERROR(EINVAL);
    /* Data past the end is missing data: a demuxer that seeks there (a
     * sample table pointing beyond a truncated file) gets an error, where a
     * file would let it read nothing and end the video early, silently. */
    if ((uint64_t)(base + offset) > in->end) {
        in->hit_end = 1;
        return AVERROR(EIO);
    }
    in->pos = (uint64_t)(base + offset);
    return (int64_t)in->pos;
}

/* Demuxers may want to open other files (MOV data references, playlists):
 * never. */
static int refuse_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                       AVDictionary **options)
{
    (void)s, (void)pb, (void)url, (void)flags, (void)options;
    return AVERROR(EPERM);
}

/* An EBML variable-length integer at p[0..n): its value and length, or 0
 * when malformed; *unknown when all its value bits are 1 (unknown size). */
static size_t ebml_vint(const uint8_t *p, size_t n, uint64_t *v, int *unknown)
{
    if (!n || !p[0]) return 0;
    size_t len = 1;
    while (!(p[0] & (0x80 >> (len - 1)))) len++;
    if (len > n) return 0;
    uint64_t x = p[0] & (0xffu >> len), all = 0xffu >> len;
    for (size_t i = 1; i < len; i++) x = x << 8 | p[i], all = all << 8 | 0xff;
    *v = x;
    *unknown = x == all;
    return len;
}

/* Up to n bytes at `pos` of the input (without moving its position). */
static size_t read_at(hm__vinput *in, uint64_t pos, uint8_t *buf, size_t n)
{
    if (pos >= in->end) return 0;
    if (n > in->end - pos) n = (size_t)(in->end - pos);
    if (in->fd < 0) {
        memcpy(buf, in->data + pos, n);
        return n;
    }
    ssize_t got;
    do got = pread(in->fd, buf, n, (off_t)pos);
    while (got < 0 && errno == EINTR);
    if (got == 0) in->shrank = 1;
    return got > 0 ? (size_t)got : 0;
}

hm_status hm__vinput_file(hm__vinput *in, int fd, const char *name, hm_error *err)
{
    struct stat st;
    in->fd = fd;
    in->name = name;
    HM_FORWARD_IF_ERROR(hm__fd_stat_regular(fd, name, &st, err));
    in->end = (uint64_t)st.st_size;
    in->mtime_sec = (int64_t)st.st_mtim.tv_sec;
    in->mtime_nsec = (int64_t)st.st_mtim.tv_nsec;
    return HM_OK;
}

hm_status hm__vinput_unchanged(const hm__vinput *in, hm_error *err)
{
    if (in->fd < 0) return HM_OK;
    struct stat st;
    HM_RETURN_IF(fstat(in->fd, &st) != 0, err, HM_E_IO, "%s: %s", in->name, strerror(errno));
    uint64_t now = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    HM_RETURN_IF(in->shrank || now < in->end, err, HM_E_IO,
                 "%s: the file shrank while it was read (%llu bytes when opened, %llu now)",
                 in->name, (unsigned long long)in->end, (unsigned long long)now);
    HM_RETURN_IF(now > in->end, err, HM_E_IO,
                 "%s: the file grew while it was read (%llu bytes when opened, %llu now)",
                 in->name, (unsigned long long)in->end, (unsigned long long)now);
    HM_RETURN_IF((int64_t)st.st_mtim.tv_sec != in->mtime_sec ||
                     (int64_t)st.st_mtim.tv_nsec != in->mtime_nsec,
                 err, HM_E_IO, "%s: the file was modified while it was read", in->name);
    return HM_OK;
}

/* MP4/MOV: the top-level boxes, walked by their sizes, must end inside the
 * input (a box of size 0 runs to the end). */
static hm_status check_boxes(hm__vinput *in, hm_error *err)
{
    uint64_t pos = 0;
    for (int count = 0; pos < in->end && count < 100000; count++) {
        uint8_t b[16];
        size_t n = read_at(in, pos, b, sizeof b);
        if (n < 8) break;
        uint64_t size = hm__load_be32(b);
        if (size == 1 && n == 16) size = hm__load_be64(b + 8);
        if (size == 0) break;
        if (size < 8) return HM_OK; /* not a box: left to the demuxer */
        HM_RETURN_IF(size > in->end - pos, err, HM_E_VIDEO_TRUNCATED,
                     "the '%.4s' box at byte %llu ends at %llu, the data at %llu", (const char *)b + 4,
                     (unsigned long long)pos, (unsigned long long)(pos + size),
                     (unsigned long long)in->end);
        pos += size;
    }
    return HM_OK;
}

/* Containers that declare their own length: a Matroska segment or an AVI
 * RIFF chunk (or an MP4 box, above) that ends past the input was cut short.
 * Their demuxers may end such a file early without an error, hashing the
 * part that is left: the check is made before demuxing. */
static hm_status check_declared_length(const uint8_t *head, size_t n, uint64_t end, hm_error *err)
{
    if (n >= 12 && !memcmp(head, "RIFF", 4)) {
        uint64_t riff = 8 + (uint64_t)hm__load_le32(head + 4);
        HM_RETURN_IF(riff > 12 && riff > end, err, HM_E_VIDEO_TRUNCATED,
                     "the AVI file declares %llu bytes, the data ends at %llu",
                     (unsigned long long)riff, (unsigned long long)end);
        return HM_OK;
    }
    uint64_t size;
    int unknown;
    size_t at = 4, k = ebml_vint(head + at, n - at, &size, &unknown); /* after the EBML ID */
    if (!k || unknown || size > n) return HM_OK;
    at += k + (size_t)size;
    if (at + 4 > n || memcmp(head + at, "\x18\x53\x80\x67", 4)) return HM_OK; /* Segment */
    at += 4;
    if (!(k = ebml_vint(head + at, n - at, &size, &unknown)) || unknown) return HM_OK;
    uint64_t seg_end = at + k + size;
    HM_RETURN_IF(seg_end < size || seg_end > end, err, HM_E_VIDEO_TRUNCATED,
                 "the Matroska segment ends at byte %llu, the data at %llu",
                 (unsigned long long)seg_end, (unsigned long long)end);
    return HM_OK;
}

/* The demuxer for the first bytes, or NULL; fails when the container's
 * declared length exceeds the input. */
static hm_status sniff_demuxer(hm__vinput *in, const char **name, hm_error *err)
{
    uint8_t head[400];
    size_t n = 0;
    in->pos = 0;
    while (n < sizeof head) {
        int r = read_packet(in, head + n, (int)(sizeof head - n));
        if (r <= 0) break;
        n += (size_t)r;
    }
    in->pos = 0;
    in->hit_end = 0;
    *name = NULL;
    if (n >= 6 && (!memcmp(head, "GIF87a", 6) || !memcmp(head, "GIF89a", 6))) *name = "gif";
    else if (n >= 8 && !memcmp(head, "\x89PNG\r\n\x1a\n", 8)) *name = "apng";
    else if (!hm_video_sniff(head, n)) return HM_OK;
    else if (!memcmp(head, "\x1a\x45\xdf\xa3", 4)) *name = "matroska";
    else if (n >= 12 && !memcmp(head, "RIFF", 4)) *name = "avi";
    else if ((head[0] == 0x47 && head[188] == 0x47) || (head[4] == 0x47 && head[196] == 0x47))
        *name = "mpegts";
    else *name = "mov";
    hm_status st = !strcmp(*name, "mov") ? check_boxes(in, err)
                                         : check_declared_length(head, n, in->end, err);
    if (st == HM_E_VIDEO_TRUNCATED && in->salvage) {
        in->truncated = 1;
        return HM_OK;
    }
    return st;
}

/* A failure of the demuxer: truncated when the input had run out, corrupt
 * otherwise (or an I/O error of the file). */
static hm_status demux_error(const hm__vdec *d, int code, const char *what, hm_error *err)
{
    char text[128];
    hm__av_error_text(code, text, sizeof text);
    if (d->in->io_error)
        return hm__fail(err, HM_E_IO, "%s: read error: %s", what, strerror(d->in->io_error));
    if (code == AVERROR(ENOMEM)) return hm__fail(err, HM_E_NO_MEMORY, "%s: out of memory", what);
    if (d->in->hit_end)
        return hm__fail(err, HM_E_VIDEO_TRUNCATED, "%s: the data ends at byte %llu (%s)", what,
                        (unsigned long long)d->in->end, text);
    return hm__fail(err, HM_E_VIDEO_CORRUPT, "%s: %s", what, text);
}

static hm_status open_input(hm__vdec *d, hm_error *err)
{
    const char *name;
    HM_FORWARD_IF_ERROR(sniff_demuxer(d->in, &name, err));
    HM_RETURN_IF(!name, err, d->in->end ? HM_E_VIDEO_FORMAT : HM_E_VIDEO_TRUNCATED,
                 d->in->end ? "not a video container this build reads (MP4/MOV, Matroska/WebM, "
                              "AVI, GIF, MPEG-TS)"
                            : "the input is empty");
    const AVInputFormat *fmt = av_find_input_format(name);
    HM_RETURN_IF(!fmt, err, HM_E_VIDEO_FORMAT, "this FFmpeg build has no %s demuxer", name);
    uint8_t *buf = av_malloc(IO_BUFFER);
    HM_RETURN_IF(!buf, err, HM_E_NO_MEMORY, "cannot allocate the I/O buffer");
    d->io = avio_alloc_context(buf, IO_BUFFER, 0, d->in, read_packet, NULL, seek);
    if (!d->io) {
        av_free(buf);
        return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate the I/O context");
    }
    d->fc = avformat_alloc_context();
    HM_RETURN_IF(!d->fc, err, HM_E_NO_MEMORY, "cannot allocate the format context");
    /* metadata_header_padding is a muxing option, unused by demuxers. */
    hm__av_silence(d->fc, &d->fc_class, "metadata_header_padding");
    d->fc->pb = d->io;
    d->fc->flags |= AVFMT_FLAG_CUSTOM_IO;
    d->fc->io_open = refuse_open;
    d->fc->max_streams = MAX_STREAMS;
    if (!(d->fc->format_whitelist = av_strdup(FORMAT_WHITELIST)) ||
        !(d->fc->codec_whitelist = av_strdup(CODEC_WHITELIST)) ||
        !(d->fc->protocol_whitelist = av_strdup("none")))
        return hm__fail(err, HM_E_NO_MEMORY, "out of memory");
    int r = avformat_open_input(&d->fc, NULL, fmt, NULL);
    /* avformat_open_input frees the context on failure */
    if (r < 0) return demux_error(d, r, "cannot read the container header", err);
    return HM_OK;
}

/* Stream probing may open decoders on FFmpeg's own per-stream contexts:
 * each gets the log offset (and the format context's codec whitelist). */
static hm_status find_stream_info(hm__vdec *d, hm_error *err)
{
    unsigned n = d->fc->nb_streams;
    AVDictionary **opts = n ? av_calloc(n, sizeof *opts) : NULL;
    HM_RETURN_IF(n && !opts, err, HM_E_NO_MEMORY, "out of memory");
    int r = 0;
    for (unsigned i = 0; i < n && r >= 0; i++)
        r = av_dict_set_int(&opts[i], "log_level_offset", HM__AV_LOG_OFFSET, 0);
    if (r >= 0) r = avformat_find_stream_info(d->fc, opts);
    for (unsigned i = 0; i < n; i++) av_dict_free(&opts[i]);
    av_free(opts);
    if (r < 0) return demux_error(d, r, "cannot read the stream information", err);
    return HM_OK;
}

static int codec_allowed(enum AVCodecID id)
{
    for (size_t i = 0; i < HM_ARRAY_SIZE(CODECS); i++)
        if (CODECS[i] == id) return 1;
    return 0;
}

/* The reference takes the lowest-indexed video stream; attached pictures
 * (cover art) are left out here: they are not the video. */
static hm_status choose_stream(hm__vdec *d, hm__vstream *s, hm_error *err)
{
    d->stream = -1;
    for (unsigned i = 0; i < d->fc->nb_streams && d->stream < 0; i++) {
        const AVStream *st = d->fc->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            d->stream = (int)i;
    }
    HM_RETURN_IF(d->stream < 0, err, HM_E_VIDEO_NO_STREAM, "no video stream among %u streams",
                 d->fc->nb_streams);
    for (unsigned i = 0; i < d->fc->nb_streams; i++)
        if ((int)i != d->stream) d->fc->streams[i]->discard = AVDISCARD_ALL;
    const AVStream *st = d->fc->streams[d->stream];
    const AVCodecParameters *par = st->codecpar;
    HM_RETURN_IF(!codec_allowed(par->codec_id), err, HM_E_VIDEO_CODEC,
                 "the video codec %s is not accepted (H.264, HEVC, VP8, VP9, AV1, MPEG-4 Part 2, "
                 "GIF)", avcodec_get_name(par->codec_id));
    s->index = d->stream;
    s->width = par->width > 0 ? (uint32_t)par->width : 0;
    s->height = par->height > 0 ? (uint32_t)par->height : 0;
    AVRational fr = st->avg_frame_rate;
    if (fr.num == 0 || fr.den == 0) fr = st->r_frame_rate;
    s->fps = fr.num > 0 && fr.den > 0 ? (double)fr.num / (double)fr.den : 0;
    d->time_base = st->time_base;
    return HM_OK;
}

static hm_status check_stream(const hm__vdec *d, const hm__vstream *s, hm_error *err)
{
    HM_RETURN_IF(!s->width || !s->height || s->width > 65535 || s->height > 65535, err,
                 HM_E_VIDEO_DIMENSIONS, "the video stream says its frames are %ux%u", s->width,
                 s->height);
    HM_RETURN_IF((uint64_t)s->width * s->height > d->lim.max_pixels, err, HM_E_VIDEO_TOO_LARGE,
                 "frames of %ux%u are over the limit of %llu pixels", s->width, s->height,
                 (unsigned long long)d->lim.max_pixels);
    HM_RETURN_IF(!(s->fps > 0 && s->fps < 1e6), err, HM_E_VIDEO_FRAME_RATE,
                 "the video stream has no usable frame rate");
    const AVStream *st = d->fc->streams[d->stream];
    double dur = -1;
    if (d->fc->duration > 0) dur = (double)d->fc->duration / AV_TIME_BASE;
    if (st->duration > 0 && st->time_base.num > 0 && st->time_base.den > 0) {
        double sd = (double)st->duration * av_q2d(st->time_base);
        if (sd > dur) dur = sd;
    }
    HM_RETURN_IF(dur > (double)d->lim.max_seconds, err, HM_E_VIDEO_LIMIT,
                 "the video says it lasts %.0f s, over the limit of %llu s", dur,
                 (unsigned long long)d->lim.max_seconds);
    return HM_OK;
}

static hm_status open_decoder(hm__vdec *d, unsigned threads, hm_error *err)
{
    const AVCodecParameters *par = d->fc->streams[d->stream]->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    HM_RETURN_IF(!codec || av_match_list(codec->name, CODEC_WHITELIST, ',') <= 0, err,
                 HM_E_VIDEO_CODEC, "no accepted decoder for %s in this FFmpeg build",
                 avcodec_get_name(par->codec_id));
    d->cc = avcodec_alloc_context3(codec);
    HM_RETURN_IF(!d->cc, err, HM_E_NO_MEMORY, "cannot allocate the decoder context");
    int r = avcodec_parameters_to_context(d->cc, par);
    HM_RETURN_IF(r < 0, err, r == AVERROR(ENOMEM) ? HM_E_NO_MEMORY : HM_E_VIDEO_CORRUPT,
                 "invalid codec parameters");
    d->cc->log_level_offset = HM__AV_LOG_OFFSET;
    d->cc->max_pixels = (int64_t)d->lim.max_pixels;
    /* The reference's threading: slice threads when the codec has them.
     * Slice threads never change a decoded pixel; frame threads (never used)
     * would not either, but would delay frames. */
    d->cc->thread_count = 1;
    if (threads > 1 && (codec->capabilities & AV_CODEC_CAP_SLICE_THREADS)) {
        d->cc->thread_type = FF_THREAD_SLICE;
        d->cc->thread_count = (int)threads;
    }
    AVDictionary *opts = NULL;
    r = av_dict_set(&opts, "codec_whitelist", CODEC_WHITELIST, 0);
    if (r >= 0) r = avcodec_open2(d->cc, codec, &opts);
    av_dict_free(&opts);
    if (r < 0) {
        char text[128];
        hm__av_error_text(r, text, sizeof text);
        return hm__fail(err, r == AVERROR(ENOMEM) ? HM_E_NO_MEMORY : HM_E_VIDEO_CODEC,
                        "cannot open the %s decoder: %s", codec->name, text);
    }
    return HM_OK;
}

static void set_names(const hm__vdec *d, hm_video *v)
{
    snprintf(v->container, sizeof v->container, "%s", d->fc->iformat->name);
    snprintf(v->codec, sizeof v->codec, "%s", d->cc->codec->name);
}

hm_status hm__vdec_open(hm__vinput *in, const hm_video_limits *lim, unsigned decoder_threads,
                        hm__vdec **out, hm__vstream *stream, hm_video *v, hm_error *err)
{
    *out = NULL;
    memset(stream, 0, sizeof *stream);
    hm__vdec *d = av_mallocz(sizeof *d);
    HM_RETURN_IF(!d, err, HM_E_NO_MEMORY, "cannot allocate the decoder");
    d->in = in;
    d->lim = *lim;
    d->first_pts = AV_NOPTS_VALUE;
    hm_status st = open_input(d, err);
    if (st == HM_OK) st = find_stream_info(d, err);
    if (st == HM_OK) st = choose_stream(d, stream, err);
    if (st == HM_OK) st = check_stream(d, stream, err);
    if (st == HM_OK) st = open_decoder(d, decoder_threads, err);
    if (st == HM_OK && (!(d->pkt = av_packet_alloc()) || !(d->frame = av_frame_alloc())))
        st = hm__fail(err, HM_E_NO_MEMORY, "cannot allocate packet and frame");
    if (st != HM_OK) {
        hm__vdec_close(d);
        return st;
    }
    set_names(d, v);
    *out = d;
    return HM_OK;
}

void hm__vdec_close(hm__vdec *d)
{
    if (!d) return;
    av_frame_free(&d->frame);
    av_packet_free(&d->pkt);
    avcodec_free_context(&d->cc);
    avformat_close_input(&d->fc);
    if (d->io) {
        av_freep(&d->io->buffer);
        avio_context_free(&d->io);
    }
    av_free(d);
}

/* ------------------------------------------------------------------------ */
/* Frames                                                                   */
/* ------------------------------------------------------------------------ */

static hm_status decode_error(int code, hm_error *err)
{
    char text[128];
    hm__av_error_text(code, text, sizeof text);
    if (code == AVERROR(ENOMEM)) return hm__fail(err, HM_E_NO_MEMORY, "decoder: out of memory");
    return hm__fail(err, HM_E_VIDEO_CORRUPT, "the decoder rejected the video data: %s", text);
}

/* Limits on what the decoder produced. */
static hm_status check_frame(hm__vdec *d, const AVFrame *f, hm_error *err)
{
    HM_RETURN_IF(++d->frames > d->lim.max_frames, err, HM_E_VIDEO_LIMIT,
                 "more than %llu frames", (unsigned long long)d->lim.max_frames);
    HM_RETURN_IF(f->width <= 0 || f->height <= 0, err, HM_E_VIDEO_DIMENSIONS,
                 "frame %llu is %dx%d", (unsigned long long)d->frames - 1, f->width, f->height);
    HM_RETURN_IF((uint64_t)f->width * (uint64_t)f->height > d->lim.max_pixels, err,
                 HM_E_VIDEO_TOO_LARGE, "frame %llu is %dx%d, over the limit of %llu pixels",
                 (unsigned long long)d->frames - 1, f->width, f->height,
                 (unsigned long long)d->lim.max_pixels);
    int size = av_image_get_buffer_size(f->format, f->width, f->height, 1);
    HM_RETURN_IF(size < 0, err, HM_E_VIDEO_PIXEL_FORMAT, "frame %llu has an unusable pixel format",
                 (unsigned long long)d->frames - 1);
    d->bytes += (uint64_t)size;
    HM_RETURN_IF(d->bytes > d->lim.max_decoded_bytes, err, HM_E_VIDEO_LIMIT,
                 "more than %llu bytes of decoded frames",
                 (unsigned long long)d->lim.max_decoded_bytes);
    int64_t pts = f->best_effort_timestamp;
    if (pts != AV_NOPTS_VALUE && d->time_base.num > 0 && d->time_base.den > 0) {
        if (d->first_pts == AV_NOPTS_VALUE) d->first_pts = pts;
        double t = ((double)pts - (double)d->first_pts) * av_q2d(d->time_base);
        HM_RETURN_IF(t > (double)d->lim.max_seconds, err, HM_E_VIDEO_LIMIT,
                     "frame %llu is shown at %.0f s, over the limit of %llu s",
                     (unsigned long long)d->frames - 1, t, (unsigned long long)d->lim.max_seconds);
    }
    return HM_OK;
}

/* In salvage mode, an input that ran out ends the stream (and is marked
 * truncated) instead of failing. */
static int salvaged(const hm__vdec *d)
{
    hm__vinput *in = d->in;
    if (!in->salvage || !in->hit_end || in->io_error) return 0;
    in->truncated = 1;
    return 1;
}

/* Feeds the decoder until it has a frame or the input is exhausted. Returns
 * 1 when a packet was sent, 0 at the end of the input. */
static hm_status feed(hm__vdec *d, int *sent, hm_error *err)
{
    *sent = 0;
    for (;;) {
        int r = av_read_frame(d->fc, d->pkt);
        if (r == AVERROR_EOF) return HM_OK;
        if (r < 0 && salvaged(d)) return HM_OK; /* the end of what is there */
        if (r < 0) return demux_error(d, r, "cannot read the next packet", err);
        if (d->pkt->stream_index != d->stream) {
            av_packet_unref(d->pkt);
            continue;
        }
        /* a packet cut short by the end of the input */
        if ((d->pkt->flags & AV_PKT_FLAG_CORRUPT) && d->in->hit_end) {
            av_packet_unref(d->pkt);
            if (salvaged(d)) return HM_OK; /* dropped: its frame is not all there */
            return hm__fail(err, HM_E_VIDEO_TRUNCATED,
                            "the data ends at byte %llu, inside a video packet",
                            (unsigned long long)d->in->end);
        }
        r = avcodec_send_packet(d->cc, d->pkt);
        av_packet_unref(d->pkt);
        if (r < 0 && salvaged(d)) return HM_OK;
        if (r < 0) return decode_error(r, err);
        *sent = 1;
        return HM_OK;
    }
}

hm_status hm__vdec_next(hm__vdec *d, AVFrame **frame, hm_video *v, hm_error *err)
{
    *frame = NULL;
    av_frame_unref(d->frame);
    while (d->draining < 2) {
        int r = avcodec_receive_frame(d->cc, d->frame);
        if (r >= 0) {
            HM_FORWARD_IF_ERROR(check_frame(d, d->frame, err));
            v->info.frames_decoded = d->frames;
            if (!v->pixel_format[0]) {
                const char *pf = av_get_pix_fmt_name(d->frame->format);
                snprintf(v->pixel_format, sizeof v->pixel_format, "%s", pf ? pf : "unknown");
            }
            *frame = d->frame;
            return HM_OK;
        }
        if (r == AVERROR_EOF) {
            d->draining = 2;
            break;
        }
        if (r != AVERROR(EAGAIN) && salvaged(d)) {
            d->draining = 2;
            break;
        }
        if (r != AVERROR(EAGAIN)) return decode_error(r, err);
        if (d->draining) { /* flushed and nothing left */
            d->draining = 2;
            break;
        }
        int sent;
        HM_FORWARD_IF_ERROR(feed(d, &sent, err));
        if (sent) continue;
        /* The reference flushes the decoder only when the video is stream 0
         * (docs/VIDEO.md): otherwise the frames still held for reordering
         * are never output. Reproduced, for the same frame numbers. */
        d->draining = 1;
        if (d->stream != 0) {
            d->draining = 2;
            break;
        }
        r = avcodec_send_packet(d->cc, NULL);
        if (r < 0 && r != AVERROR_EOF) return decode_error(r, err);
    }
    return HM_OK;
}
