/* video_match.h - matching frames through the index (internal): a video's
 * frames against the set's videos (python-threatexchange's rule) and
 * against its image PDQ entries, and an image's PDQ against video frames.
 * docs/VIDEO.md, "Matching", gives the rules; hm_vpdq_compare is the
 * brute-force reference the tests hold these to. */
#ifndef HM_MATCH_VIDEO_MATCH_H
#define HM_MATCH_VIDEO_MATCH_H

#include "../set/set.h"
#include "match.h"

/* A scanned frame taking part in matching. */
typedef struct hm__frame_query {
    const uint8_t *hash;
    uint32_t frame;
    double timestamp;
} hm__frame_query;

/* What the scanner keeps for a vPDQ section besides its frame index (which
 * the scanner builds when it pays, docs/MATCHING.md): per frame, its video;
 * per video, its frames of quality >= the floor. */
typedef struct hm__video_index {
    const hm__set_view *view;
    uint32_t *frame_video;
    uint32_t *qualified;
} hm__video_index;

hm_status hm__video_index_init(hm__video_index *vi, const hm__set_view *v, hm_error *err);
void hm__video_index_free(hm__video_index *vi);

/* A growable list of video matches. */
typedef struct hm__vmatch_list {
    hm_video_match *items;
    size_t count, cap;
} hm__vmatch_list;

/* Appends *m to l. */
hm_status hm__vmatch_push(hm__vmatch_list *l, const hm_video_match *m, hm_error *err);

/* The queries against the set's videos: kind HM_VIDEO_MATCH_VIDEO (a video's
 * deduplicated, quality-filtered, non-allowlisted frames: a listed video is
 * reported when the policy's percentages are reached) or
 * HM_VIDEO_MATCH_IMAGE_FRAME (one image hash: every video with a frame within
 * the radius is reported). */
hm_status hm__match_videos(const hm__video_index *vi, const hm__index *idx, const hm__kernels *k,
                           const hm_set *set,
                           const hm__frame_query *q, size_t nq, hm_video_match_kind kind,
                           hm__vmatch_list *out, hm_error *err);

/* A video's frames against the image entries of a PDQ section (its index,
 * its radius): every active entry within the radius of a frame. In both,
 * `idx` is the section's index, or NULL: the section's codes are scanned
 * (the same hits). */
hm_status hm__match_frames_images(const hm__set_view *pdq, const hm__index *idx,
                                  const hm__kernels *k, const hm_set *set,
                                  const hm__frame_query *q, size_t nq, hm__vmatch_list *out,
                                  hm_error *err);

#endif /* HM_MATCH_VIDEO_MATCH_H */
