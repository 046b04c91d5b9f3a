/* status.c - status names and messages, the error report helpers, version. */
#include <stdarg.h>
#include <stdio.h>

#include "common.h"

typedef struct {
    hm_status status;
    const char *name;
    const char *text;
} status_info;

static const status_info STATUS_TABLE[] = {
    {HM_OK, "ok", "success"},
    {HM_E_INVALID_ARGUMENT, "invalid_argument", "invalid argument"},
    {HM_E_NO_MEMORY, "no_memory", "out of memory"},
    {HM_E_IO, "io", "input/output error"},
    {HM_E_PARSE, "parse", "malformed text"},
    {HM_E_UNSUPPORTED, "unsupported", "not supported by this build or CPU"},
    {HM_E_INTERNAL, "internal", "internal error"},
    {HM_E_CRYPTO, "crypto", "cryptographic library failure"},
    {HM_E_LIMIT, "limit", "resource limit reached"},
    {HM_E_NOT_REGULAR_FILE, "not_regular_file", "not a regular file"},
    {HM_E_FILE_TOO_LARGE, "file_too_large", "the file is larger than allowed"},
    {HM_E_DIRECTORY_LOOP, "directory_loop", "a directory contains itself"},
    {HM_E_IMAGE_EMPTY, "image_empty", "the image data is empty"},
    {HM_E_IMAGE_FORMAT, "image_format", "not a recognised image format"},
    {HM_E_IMAGE_TRUNCATED, "image_truncated", "the image data ends early"},
    {HM_E_IMAGE_CORRUPT, "image_corrupt", "the image data is corrupt"},
    {HM_E_IMAGE_TOO_LARGE, "image_too_large", "the image has more pixels than allowed"},
    {HM_E_IMAGE_DIMENSIONS, "image_dimensions", "the image dimensions are invalid"},
    {HM_E_IMAGE_UNSUPPORTED, "image_unsupported", "unsupported image variant"},
    {HM_E_SET_MAGIC, "set_magic", "not a hashmatch fingerprint set"},
    {HM_E_SET_FORMAT_VERSION, "set_format_version", "unknown fingerprint set format version"},
    {HM_E_SET_TRUNCATED, "set_truncated", "the fingerprint set is truncated"},
    {HM_E_SET_TRAILING, "set_trailing", "trailing bytes after the fingerprint set"},
    {HM_E_SET_DIGEST, "set_digest", "the fingerprint set content does not match its digest"},
    {HM_E_SET_BAD_SIGNATURE, "set_bad_signature", "a signature does not verify"},
    {HM_E_SET_UNKNOWN_KEY, "set_unknown_key", "signed by a key that is not trusted"},
    {HM_E_SET_DUPLICATE_KEY, "set_duplicate_key", "the same key signed more than once"},
    {HM_E_SET_THRESHOLD, "set_threshold", "fewer valid trusted signatures than the threshold"},
    {HM_E_SET_EXPIRED, "set_expired", "the fingerprint set has expired"},
    {HM_E_SET_ROLLBACK, "set_rollback", "the fingerprint set version is below the minimum"},
    {HM_E_SET_UNSORTED, "set_unsorted", "fingerprint set entries are not sorted"},
    {HM_E_SET_DUPLICATE_ENTRY, "set_duplicate_entry", "a fingerprint set entry is duplicated"},
    {HM_E_SET_BOUNDS, "set_bounds", "a count or offset in the fingerprint set is out of bounds"},
    {HM_E_SET_UNKNOWN_ALGORITHM, "set_unknown_algorithm", "unknown algorithm in the fingerprint set"},
    {HM_E_SET_UNKNOWN_CATEGORY, "set_unknown_category", "entry category not in the set's category list"},
    {HM_E_SET_FIELD, "set_field", "a fingerprint set field is malformed"},
    {HM_E_SET_NOT_YET_VALID, "set_not_yet_valid", "the fingerprint set was created in the future"},
    {HM_E_SET_KEY, "set_key", "malformed key"},
    {HM_E_SET_WEAK_KEY, "set_weak_key", "a public key of small order or non-canonical encoding"},
    {HM_E_SET_POLICY, "set_policy", "the set's match policy exceeds this client's limits"},
    {HM_E_SET_VIDEO_LAYOUT, "set_video_layout", "a video's frame range in the fingerprint set is malformed"},
    {HM_E_SET_VIDEO_FRAME, "set_video_frame", "a video frame record in the fingerprint set is malformed"},
    {HM_E_SET_VIDEO_POLICY, "set_video_policy", "the fingerprint set's video match policy is impossible"},
    {HM_E_DELTA_FORMAT, "delta_format", "not a hashmatch delta, or a malformed one"},
    {HM_E_DELTA_TRUNCATED, "delta_truncated", "the delta is truncated"},
    {HM_E_DELTA_CORRUPT, "delta_corrupt", "the delta does not match its checksums"},
    {HM_E_DELTA_BASE, "delta_base", "the delta was made for another old set"},
    {HM_E_DELTA_RESULT, "delta_result", "the rebuilt set is not the one the delta names"},
    {HM_E_DELTA_CHAIN, "delta_chain", "the new set does not follow the old one in its hash chain"},
    {HM_E_SCAN_NO_ALGORITHM, "scan_no_algorithm", "the set holds no algorithm this scanner can match"},
    {HM_E_VIDEO_FORMAT, "video_format", "not a video container this build accepts"},
    {HM_E_VIDEO_TRUNCATED, "video_truncated", "the video data ends early"},
    {HM_E_VIDEO_CORRUPT, "video_corrupt", "the video data is corrupt"},
    {HM_E_VIDEO_CODEC, "video_codec", "the video codec is not accepted"},
    {HM_E_VIDEO_NO_STREAM, "video_no_stream", "the file holds no video stream"},
    {HM_E_VIDEO_DIMENSIONS, "video_dimensions", "the video frame size is invalid"},
    {HM_E_VIDEO_TOO_LARGE, "video_too_large", "a video frame has more pixels than allowed"},
    {HM_E_VIDEO_LIMIT, "video_limit", "the video exceeds a frame, duration or decoded-size limit"},
    {HM_E_VIDEO_FRAME_RATE, "video_frame_rate", "the video has no usable frame rate"},
    {HM_E_VIDEO_PIXEL_FORMAT, "video_pixel_format", "unsupported decoded pixel format"},
};

static const status_info *find_status(hm_status status)
{
    for (size_t i = 0; i < HM_ARRAY_SIZE(STATUS_TABLE); i++)
        if (STATUS_TABLE[i].status == status) return &STATUS_TABLE[i];
    return NULL;
}

const char *hm_strerror(hm_status status)
{
    const status_info *s = find_status(status);
    return s ? s->text : "unknown status";
}

const char *hm_status_name(hm_status status)
{
    const status_info *s = find_status(status);
    return s ? s->name : "unknown";
}

hm_status hm__fail(hm_error *err, hm_status status, const char *fmt, ...)
{
    if (err) {
        err->status = status;
        if (fmt && *fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err->message, sizeof err->message, fmt, ap);
            va_end(ap);
        } else {
            snprintf(err->message, sizeof err->message, "%s", hm_strerror(status));
        }
    }
    return status;
}

void hm__ok(hm_error *err)
{
    if (err) {
        err->status = HM_OK;
        err->message[0] = '\0';
    }
}

const char *hm_version(void) { return HM_VERSION_STRING; }

unsigned hm_version_number(void) { return HM_VERSION_NUMBER; }
