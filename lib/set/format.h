/* format.h - byte layout of the fingerprint set file, version 1 (internal).
 * docs/FORMAT.md is the normative description; the constants here follow it
 * field by field. All integers are little-endian. */
#ifndef HM_SET_FORMAT_H
#define HM_SET_FORMAT_H

#include "../common/common.h"

/* "\x89HMSET\r\n": a non-ASCII first byte and a CR LF pair, so that a file
 * mangled by a text-mode transfer fails at the magic. */
#define HM__SET_MAGIC "\x89HMSET\r\n"
#define HM__SET_SIG_MAGIC "\x89HMSIG\r\n"
#define HM__SET_MAGIC_SIZE 8

/* ---- header: 256 bytes at offset 0 ---- */
#define HM__SET_HEADER_SIZE 256
#define HM__H_MAGIC 0            /* 8  magic */
#define HM__H_FORMAT_VERSION 8   /* u32 = 1 */
#define HM__H_HEADER_SIZE 12     /* u32 = 256 */
#define HM__H_CONTENT_SIZE 16    /* u64: bytes covered by the digest */
#define HM__H_SET_VERSION 24     /* u64 >= 1 */
#define HM__H_CREATED 32         /* u64 Unix seconds */
#define HM__H_EXPIRES 40         /* u64 > created */
#define HM__H_PREVIOUS 48        /* 32 bytes: previous content digest, zero = none */
#define HM__H_NAME 80            /* u32 string ref, non-empty */
#define HM__H_ISSUER 84          /* u32 string ref, 0 = none */
#define HM__H_CATEGORY_COUNT 88  /* u32 <= 65535 */
#define HM__H_SECTION_COUNT 92   /* u32 <= 8 */
#define HM__H_SECTIONS_OFFSET 96    /* u64 */
#define HM__H_CATEGORIES_OFFSET 104 /* u64 */
#define HM__H_STRINGS_OFFSET 112    /* u64 */
#define HM__H_STRINGS_SIZE 120      /* u64 >= 1 */
#define HM__H_FLAGS 128             /* u64 = 0 */
#define HM__H_RESERVED 136          /* 120 zero bytes up to 256 */

/* ---- section descriptor: 64 bytes each ---- */
#define HM__SECTION_SIZE 64
#define HM__S_ALGO 0          /* u16 hm_algo */
#define HM__S_VARIANT 2       /* u16 */
#define HM__S_RADIUS 4        /* u16 */
#define HM__S_ALLOW_RADIUS 6  /* u16 */
#define HM__S_MIN_QUALITY 8   /* u16 */
#define HM__S_RESERVED0 10    /* 6 zero bytes */
#define HM__S_ENTRY_COUNT 16  /* u64 */
#define HM__S_HASHES_OFFSET 24 /* u64 */
#define HM__S_META_OFFSET 32  /* u64 */
#define HM__S_ALLOW_COUNT 40  /* u64 */
#define HM__S_ALLOW_OFFSET 48 /* u64 */
#define HM__S_RESERVED1 56    /* 8 zero bytes */

/* ---- vPDQ sections (algo 9): the same descriptor, other meanings ---- */
#define HM__S_VPDQ_QUERY_PCT 10    /* u16 hundredths of a percent, <= 10000 */
#define HM__S_VPDQ_COMPARED_PCT 12 /* u16 hundredths of a percent, <= 10000 */
#define HM__S_VPDQ_RESERVED 14     /* u16 zero */
#define HM__S_FRAME_COUNT 56       /* u64: frames of all videos (entry_count = videos) */
#define HM__VPDQ_MAX_INTERVAL 60000 /* the variant: sampling interval, ms */

/* Its metadata region: entry_count standard 8-byte records (below), then
 * entry_count frame ranges, then frame_count frame records. */
#define HM__RANGE_SIZE 8
#define HM__R_FIRST 0 /* u32 first frame of the video */
#define HM__R_COUNT 4 /* u32 its number of frames, >= 1 */
#define HM__FRAME_SIZE 12
#define HM__F_NUMBER 0   /* u32 frame number, 0xffffffff = unknown */
#define HM__F_MS 4       /* u32 timestamp, milliseconds */
#define HM__F_QUALITY 8  /* u16 0..100 */
#define HM__F_RESERVED 10 /* u16 zero */

/* ---- per-entry metadata: 8 bytes each ---- */
#define HM__META_SIZE 8
#define HM__M_CATEGORY 0    /* u16 index into the category list */
#define HM__M_ATTESTERS 2   /* u16 >= 1 */
#define HM__M_EXTERNAL_ID 4 /* u32 string ref, 0 = none */

/* Every region starts at the next multiple of this after the previous one. */
#define HM__SET_ALIGN 64

/* ---- signature block, right after the content ---- */
#define HM__SIG_HEADER_SIZE 48
#define HM__SB_MAGIC 0   /* 8 bytes */
#define HM__SB_DIGEST 8  /* 32 bytes: SHA-256 of the content */
#define HM__SB_COUNT 40  /* u32 <= HM_SET_MAX_SIGNATURES */
#define HM__SB_RESERVED 44 /* u32 = 0 */
#define HM__SIG_RECORD_SIZE 96 /* key id (32) + Ed25519 signature (64) */

/* The signed message: this context string, its NUL, then the content digest. */
#define HM__SIG_CONTEXT "hashmatch-set-signature-v1"
#define HM__SIG_CONTEXT_SIZE 27 /* including the NUL */
#define HM__SIG_MESSAGE_SIZE (HM__SIG_CONTEXT_SIZE + HM_SET_DIGEST_BYTES)

static inline uint64_t hm__align_up64(uint64_t v) { return (v + (HM__SET_ALIGN - 1)) & ~(uint64_t)(HM__SET_ALIGN - 1); }

#endif /* HM_SET_FORMAT_H */
