/* convert.h - a decoded frame to RGB24 at the hashing size, and its PDQ hash
 * (internal; only with HM_WITH_VIDEO). One converter per thread. */
#ifndef HM_VIDEO_CONVERT_H
#define HM_VIDEO_CONVERT_H

#include <libavutil/frame.h>

#include "video_internal.h"

typedef struct hm__vconv hm__vconv;

/* A converter to RGB24 frames of tw x th (>= 5x5). `tables` are the
 * portable converter's (limited and full range), shared read-only. */
hm_status hm__vconv_new(hm_vpdq_mode mode, uint32_t tw, uint32_t th,
                        const hm__yuv2rgb_tables tables[2], hm__vconv **out, hm_error *err);

/* Converts one decoded frame and computes its vPDQ hash and quality. */
hm_status hm__vconv_hash(hm__vconv *c, const AVFrame *f, uint8_t hash[HM_PDQ_BYTES],
                         int *quality, hm_error *err);

void hm__vconv_free(hm__vconv *c);

#endif /* HM_VIDEO_CONVERT_H */
