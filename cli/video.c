/* video.c - the video parts shared by `hash`, `scan` and `set build`:
 * recognising video files, the vPDQ options, and printing frames and
 * video matches. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = s && *s ? strtod(s, &end) : -1;
    if (errno || !s || !*s || *end || !(v >= 0 && v <= 1e6)) return -1;
    *out = v;
    return 0;
}

int cli_parse_vpdq_mode(const char *s, hm_vpdq_mode *out)
{
    if (!strcmp(s, "portable")) *out = HM_VPDQ_PORTABLE;
    else if (!strcmp(s, "swscale")) *out = HM_VPDQ_SWSCALE;
    else return -1;
    return 0;
}

void cli_video_json_frames(cli_buf *b, const hm_video *v)
{
    cli_buf_putc(b, '[');
    for (size_t i = 0; i < hm_video_frame_count(v); i++) {
        const hm_vpdq_frame *f = hm_video_frame(v, i);
        char hex[HM_PDQ_HEX_SIZE];
        hm_hex_encode(f->hash, HM_PDQ_BYTES, hex);
        cli_buf_printf(b, "%s{\"frame\": %u, \"quality\": %d, \"hash\": \"%s\", \"timestamp\": %.3f}",
                       i ? ", " : "", (unsigned)f->frame, f->quality, hex, f->timestamp);
    }
    cli_buf_putc(b, ']');
}

/* ---- video matches (scan) ---- */

static const char *kind_name(hm_video_match_kind k)
{
    switch (k) {
    case HM_VIDEO_MATCH_VIDEO: return "video";
    case HM_VIDEO_MATCH_FRAMES_IMAGE: return "frames_image";
    case HM_VIDEO_MATCH_IMAGE_FRAME: return "image_frame";
    }
    return "unknown";
}

static void pair_text(cli_buf *b, const hm_frame_pair *p, hm_video_match_kind k)
{
    if (k != HM_VIDEO_MATCH_IMAGE_FRAME)
        cli_buf_printf(b, "frame %u (%.3f s)", p->query_frame, p->query_timestamp);
    else
        cli_buf_puts(b, "image");
    cli_buf_puts(b, " ~ ");
    if (k == HM_VIDEO_MATCH_FRAMES_IMAGE) cli_buf_puts(b, "image");
    else if (p->set_frame == HM_VPDQ_FRAME_UNKNOWN)
        cli_buf_printf(b, "listed frame at %.3f s", p->set_timestamp);
    else cli_buf_printf(b, "listed frame %u (%.3f s)", p->set_frame, p->set_timestamp);
    cli_buf_printf(b, " distance %u", p->distance);
}

void cli_video_match_text(cli_buf *b, const char *path, const hm_video_match *m)
{
    /* The path and the publisher's text escaped, as in an image's row. */
    cli_buf_puts(b, "MATCH\t");
    cli_buf_escaped(b, path);
    cli_buf_printf(b, "\t%s entry %zu %s distance %u", hm_algo_name(m->algo), m->entry,
                   kind_name(m->kind), m->distance);
    if (m->kind == HM_VIDEO_MATCH_VIDEO)
        cli_buf_printf(b, " query %.2f%% (%zu/%zu) compared %.2f%% (%zu/%zu)", m->query_pct,
                       m->query_matched, m->query_total, m->compared_pct, m->compared_matched,
                       m->compared_total);
    else if (m->kind == HM_VIDEO_MATCH_FRAMES_IMAGE)
        cli_buf_printf(b, " frames %zu/%zu", m->query_matched, m->query_total);
    else
        cli_buf_printf(b, " listed frames %zu/%zu", m->compared_matched, m->compared_total);
    cli_buf_puts(b, " category ");
    cli_buf_escaped(b, m->category_name);
    cli_buf_printf(b, " attesters %u", m->attesters);
    if (m->external_id[0]) {
        cli_buf_puts(b, " id ");
        cli_buf_escaped(b, m->external_id);
    }
    if (m->pair_count) {
        cli_buf_puts(b, " best ");
        pair_text(b, &m->pairs[0], m->kind);
    }
    cli_buf_putc(b, '\n');
}

void cli_video_match_json(cli_buf *b, const hm_video_match *m)
{
    int first = 1;
    cli_buf_putc(b, '{');
    cli_buf_json_key(b, &first, "kind");
    cli_buf_json_string(b, kind_name(m->kind));
    cli_buf_json_key(b, &first, "algo");
    cli_buf_json_string(b, hm_algo_name(m->algo));
    cli_buf_json_key(b, &first, "entry");
    cli_buf_printf(b, "%zu", m->entry);
    cli_buf_json_key(b, &first, "distance");
    cli_buf_printf(b, "%u", m->distance);
    cli_buf_json_key(b, &first, "query_pct");
    cli_buf_printf(b, "%.17g", m->query_pct);
    cli_buf_json_key(b, &first, "compared_pct");
    cli_buf_printf(b, "%.17g", m->compared_pct);
    cli_buf_printf(b, ", \"query_matched\": %zu, \"query_total\": %zu, \"compared_matched\": %zu, "
                      "\"compared_total\": %zu", m->query_matched, m->query_total,
                   m->compared_matched, m->compared_total);
    cli_buf_json_key(b, &first, "category");
    cli_buf_json_string(b, m->category_name);
    cli_buf_json_key(b, &first, "attesters");
    cli_buf_printf(b, "%u", m->attesters);
    cli_buf_json_key(b, &first, "external_id");
    cli_buf_json_string(b, m->external_id);
    cli_buf_json_key(b, &first, "pairs");
    cli_buf_putc(b, '[');
    for (size_t i = 0; i < m->pair_count; i++) {
        const hm_frame_pair *p = &m->pairs[i];
        cli_buf_printf(b, "%s{\"query_frame\": %u, \"query_timestamp\": %.3f, ", i ? ", " : "",
                       p->query_frame, p->query_timestamp);
        if (p->set_frame == HM_VPDQ_FRAME_UNKNOWN) cli_buf_puts(b, "\"set_frame\": null, ");
        else cli_buf_printf(b, "\"set_frame\": %u, ", p->set_frame);
        cli_buf_printf(b, "\"set_timestamp\": %.3f, \"distance\": %u}", p->set_timestamp,
                       p->distance);
    }
    cli_buf_puts(b, "]}");
}
