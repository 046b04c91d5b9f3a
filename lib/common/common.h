/*
 * common.h - internal helpers shared by every part of the library.
 * Nothing here is exported; only hm_-prefixed functions in hashmatch.h are.
 */
#ifndef HM_COMMON_H
#define HM_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hashmatch.h"

#if defined(__GNUC__)
#define HM_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define HM_LIKELY(x) __builtin_expect(!!(x), 1)
#define HM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define HM_PRINTF(fmt, args)
#define HM_LIKELY(x) (x)
#define HM_UNLIKELY(x) (x)
#endif

#define HM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Fills *err (if not NULL) with `status` and a formatted message, and returns
 * `status`, so that a failure is one line: return hm__fail(err, HM_E_IO, "...", ...). */
hm_status hm__fail(hm_error *err, hm_status status, const char *fmt, ...) HM_PRINTF(3, 4);

/* Sets *err to HM_OK with an empty message. */
void hm__ok(hm_error *err);

/* Guard macros: keep the happy path flat. */
#define HM_RETURN_IF(cond, err, status, ...)                                                      \
    do {                                                                                          \
        if (HM_UNLIKELY(cond)) return hm__fail((err), (status), __VA_ARGS__);                     \
    } while (0)

#define HM_FORWARD_IF_ERROR(expr)                                                                 \
    do {                                                                                          \
        hm_status hm__st = (expr);                                                                \
        if (HM_UNLIKELY(hm__st != HM_OK)) return hm__st;                                          \
    } while (0)

/* Overflow-checked size arithmetic: return 0 on overflow, 1 otherwise. */
static inline int hm__mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b) return 0;
    *out = a * b;
    return 1;
}

static inline int hm__add_size(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b) return 0;
    *out = a + b;
    return 1;
}

/* Opens an input file for reading without ever blocking (a FIFO with no
 * writer) or acquiring a controlling terminal; close-on-exec. -1 and errno
 * on failure. The descriptor still has to pass hm__read_fd's checks. */
int hm__open_input(const char *path);

/* The one check of every input descriptor: HM_OK when fstat says regular
 * file (its size in *size, which may be NULL), HM_E_NOT_REGULAR_FILE for a
 * FIFO, device, socket or directory (what it is in the message), HM_E_IO
 * when fstat fails. `name` is used in messages. */
hm_status hm__fd_regular(int fd, const char *name, uint64_t *size, hm_error *err);
/* The same check, giving the whole fstat result to a caller that needs more
 * of it than the size. */
struct stat;
hm_status hm__fd_stat_regular(int fd, const char *name, struct stat *st, hm_error *err);

/* Reads a whole file from an open descriptor into a malloc'd buffer (*data,
 * *size): HM_E_NOT_REGULAR_FILE unless fstat says regular file,
 * HM_E_FILE_TOO_LARGE over max_bytes (0: HM_DEFAULT_MAX_FILE_BYTES) before
 * anything is allocated, HM_E_IO when the file shrinks or grows while it is
 * read. `name` is used in messages. A zero-length file gives *data == NULL
 * and *size == 0 with HM_OK. */
hm_status hm__read_fd(int fd, const char *name, uint64_t max_bytes, uint8_t **data, size_t *size,
                      hm_error *err);

/* The status of a failed hm__open_input (errno set): HM_E_NOT_REGULAR_FILE
 * for a path that names a socket or device, HM_E_IO otherwise. The _as form
 * names the file `name` in the message. */
hm_status hm__fail_open(const char *path, hm_error *err);
hm_status hm__fail_open_as(const char *path, const char *name, hm_error *err);

/* hm__open_input then hm__read_fd. */
hm_status hm__read_file(const char *path, uint64_t max_bytes, uint8_t **data, size_t *size,
                        hm_error *err);

/* "a directory", "a FIFO", ... for an st_mode that is not a regular file. */
const char *hm__file_type_name(unsigned mode);

/* Replaces `path` with `data` atomically: a temporary file next to it
 * (path.tmp-XXXXXX, mode 0644 less the umask, created exclusively),
 * fsync, rename over path, fsync of the directory. On failure the temporary
 * file is removed and path is untouched. */
hm_status hm__write_file_atomic(const char *path, const void *data, size_t size, hm_error *err);

/* malloc for big arrays: 64-byte aligned, and from 2 MiB on aligned to 2 MiB
 * and backed by transparent huge pages where the OS supports them (fewer TLB
 * misses on scans and random probes). Free with free(). NULL on failure or
 * overflow. */
void *hm__alloc_large(size_t size);

/* A working buffer kept across calls (per-thread contexts such as
 * hm_hasher): it only grows, through hm__alloc_large, and its contents are
 * not kept when it does. Zero-initialise; release with hm__scratch_free. */
typedef struct hm__scratch {
    uint8_t *data;
    size_t cap;
} hm__scratch;
hm_status hm__scratch_reserve(hm__scratch *s, size_t bytes);
void hm__scratch_free(hm__scratch *s);

/* hm__read_file into a buffer kept across calls: *data points into `buf`
 * (NULL for an empty file). */
hm_status hm__read_file_scratch(const char *path, uint64_t max_bytes, hm__scratch *buf,
                                const uint8_t **data, size_t *size, hm_error *err);
/* The same from an open descriptor (hm__read_fd's checks). */
hm_status hm__read_fd_scratch(int fd, const char *name, uint64_t max_bytes, hm__scratch *buf,
                              const uint8_t **data, size_t *size, hm_error *err);

/* Byte order helpers for file formats (always little-endian on disk unless a
 * format says otherwise). */
static inline uint16_t hm__load_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t hm__load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t hm__load_le64(const uint8_t *p)
{
    return (uint64_t)hm__load_le32(p) | ((uint64_t)hm__load_le32(p + 4) << 32);
}
static inline void hm__store_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void hm__store_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void hm__store_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t hm__load_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t hm__load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline uint64_t hm__load_be64(const uint8_t *p)
{
    return ((uint64_t)hm__load_be32(p) << 32) | (uint64_t)hm__load_be32(p + 4);
}
static inline void hm__store_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* FNV-1a over n bytes, with the high bits folded into the low ones that
 * open-addressing tables take as the slot. */
static inline uint64_t hm__fnv1a(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

/* Portable popcount (the compiler emits POPCNT/CNT where the baseline has it). */
static inline unsigned hm__popcount64(uint64_t x)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

#endif /* HM_COMMON_H */
