/* set.c - opening a set (authenticate, then policy, then structure) and the
 * read-only accessors of the immutable handle. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../common/abi.h"
#include "delta.h"
#include "set_internal.h"

/* ---- sources for hm__set_ingest ---- */

typedef struct {
    const uint8_t *p;
} mem_source;

static hm_status mem_read(void *ctx, uint8_t *dst, size_t n, hm_error *err)
{
    (void)err;
    mem_source *m = ctx;
    memcpy(dst, m->p, n);
    m->p += n;
    return HM_OK;
}

typedef struct {
    int fd;
    const char *path;
} fd_source;

static hm_status fd_read(void *ctx, uint8_t *dst, size_t n, hm_error *err)
{
    fd_source *f = ctx;
    while (n > 0) {
        ssize_t r = read(f->fd, dst, n);
        if (r < 0 && errno == EINTR) continue;
        HM_RETURN_IF(r < 0, err, HM_E_IO, "%s: %s", f->path, strerror(errno));
        HM_RETURN_IF(r == 0, err, HM_E_IO, "%s: the file shrank while it was read", f->path);
        dst += r;
        n -= (size_t)r;
    }
    return HM_OK;
}

/* ---- the pipeline after ingest ---- */

static hm_status check_policy(const hm__set_header *h, const hm_set_open_options *opt,
                              hm_error *err)
{
    char a[HM__TIME_SIZE], b[HM__TIME_SIZE];
    HM_RETURN_IF(h->version < opt->min_version, err, HM_E_SET_ROLLBACK,
                 "set version %llu is below the minimum accepted version %llu",
                 (unsigned long long)h->version, (unsigned long long)opt->min_version);
    uint64_t now = opt->now;
    if (now == 0) {
        time_t t = time(NULL);
        HM_RETURN_IF(t <= 0, err, HM_E_INVALID_ARGUMENT,
                     "the system clock cannot be read: pass the current time");
        now = (uint64_t)t;
    }
    hm__format_time(now, b);
    if (h->created > now && h->created - now > opt->max_clock_skew) {
        hm__format_time(h->created, a);
        return hm__fail(err, HM_E_SET_NOT_YET_VALID,
                        "created %s, which is after the current time %s", a, b);
    }
    hm__format_time(h->expires, a);
    HM_RETURN_IF(now >= h->expires, err, HM_E_SET_EXPIRED, "expired %s (the time is now %s)", a,
                 b);
    /* The expiry bounds a freeze only if it is near: the app's ceiling. */
    uint64_t valid = h->expires - h->created;
    HM_RETURN_IF(opt->max_validity && valid > opt->max_validity, err, HM_E_SET_POLICY,
                 "valid for %llu seconds (%.1f days, until %s), longer than this client's "
                 "maximum validity of %llu seconds (%.1f days)",
                 (unsigned long long)valid, (double)valid / 86400, a,
                 (unsigned long long)opt->max_validity, (double)opt->max_validity / 86400);
    return HM_OK;
}

static hm_status check_digest(const hm__set_frame *f, const uint8_t digest[HM_SET_DIGEST_BYTES],
                              hm_error *err)
{
    if (!memcmp(f->stored_digest, digest, HM_SET_DIGEST_BYTES)) return HM_OK;
    char got[33], want[33];
    hm_hex_encode(digest, 16, got);
    hm_hex_encode(f->stored_digest, 16, want);
    return hm__fail(err, HM_E_SET_DIGEST,
                    "the content (%llu bytes) hashes to %s..., the signature block at "
                    "offset %llu says %s...",
                    (unsigned long long)f->content_size, got,
                    (unsigned long long)f->content_size, want);
}

/* Takes ownership of `mem` (released on failure). opt == NULL: unverified. */
static hm_status finish_open(uint8_t *mem, size_t size, const uint8_t digest[HM_SET_DIGEST_BYTES],
                             const hm_set_open_options *opt, hm_set **out, hm_error *err)
{
    hm_set *s = calloc(1, sizeof *s);
    if (!s) {
        free(mem);
        return hm__fail(err, HM_E_NO_MEMORY, "cannot allocate a set");
    }
    s->mem = mem;
    s->size = size;
    memcpy(s->digest, digest, HM_SET_DIGEST_BYTES);
    hm__set_frame f;
    hm__set_header h;
    hm_status st = hm__set_read_frame(mem, size, &f, err);
    if (st == HM_OK) st = check_digest(&f, digest, err);
    if (st == HM_OK && opt) st = hm__set_check_signatures(&f, digest, &opt->trust, s->sigs, err);
    if (st == HM_OK) {
        s->content_size = (size_t)f.content_size;
        s->sig_count = f.sig_count;
        for (size_t i = 0; !opt && i < f.sig_count; i++) {
            s->sigs[i].key_id = f.sigs + i * HM__SIG_RECORD_SIZE;
            s->sigs[i].signature = s->sigs[i].key_id + HM_KEY_ID_BYTES;
            s->sigs[i].status = HM_SIG_UNCHECKED;
            s->sigs[i].trusted_index = -1;
        }
        st = hm__set_parse_header(mem, s->content_size, &h, err);
    }
    if (st == HM_OK && opt) st = check_policy(&h, opt, err);
    if (st == HM_OK) {
        s->min_attesters = opt ? opt->min_attesters : 0;
        s->limits = opt ? &opt->limits : NULL;
        st = hm__set_parse_body(mem, s->content_size, &h, s, err);
        s->limits = NULL;
    }
    if (st != HM_OK) {
        hm_set_free(s);
        return st;
    }
    s->verified = opt != NULL;
    *out = s;
    hm__ok(err);
    return HM_OK;
}

hm_status hm__set_adopt(uint8_t *mem, size_t size, const uint8_t digest[HM_SET_DIGEST_BYTES],
                        const hm_set_open_options *opt, hm_set **out, hm_error *err)
{
    *out = NULL;
    return finish_open(mem, size, digest, opt, out, err);
}

hm_status hm__set_check_size(uint64_t bytes, const hm_set_open_options *opt, const char *what,
                             hm_error *err)
{
    HM_RETURN_IF(opt && opt->max_set_bytes && bytes > opt->max_set_bytes, err,
                 HM_E_FILE_TOO_LARGE, "%s is %llu bytes, more than this client's maximum set "
                 "size of %llu bytes", what, (unsigned long long)bytes,
                 (unsigned long long)opt->max_set_bytes);
    return HM_OK;
}

static hm_status open_memory(const void *data, size_t size, const hm_set_open_options *opt,
                             hm_set **out, hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "an output handle is required");
    *out = NULL;
    HM_RETURN_IF(!data && size, err, HM_E_INVALID_ARGUMENT, "no data");
    HM_FORWARD_IF_ERROR(hm__set_check_size(size, opt, "the set", err));
    mem_source src = {data};
    uint8_t *mem, digest[HM_SET_DIGEST_BYTES];
    HM_FORWARD_IF_ERROR(hm__set_ingest(mem_read, &src, size, &mem, digest, err));
    return finish_open(mem, size, digest, opt, out, err);
}

static hm_status open_file(const char *path, const hm_set_open_options *opt, hm_set **out,
                           hm_error *err)
{
    HM_RETURN_IF(!out || !path, err, HM_E_INVALID_ARGUMENT, "a path and an output are required");
    *out = NULL;
    int fd = hm__open_input(path); /* never blocks on a FIFO */
    if (fd < 0) return hm__fail_open(path, err);
    uint64_t bytes = 0;
    uint8_t *mem = NULL, digest[HM_SET_DIGEST_BYTES], extra;
    hm_status rc = hm__fd_regular(fd, path, &bytes, err);
    if (rc == HM_OK) rc = hm__set_check_size(bytes, opt, path, err);
    if (rc == HM_OK && bytes > (uint64_t)SIZE_MAX / 2)
        rc = hm__fail(err, HM_E_LIMIT, "%s: file too large", path);
    if (rc == HM_OK) {
        fd_source src = {fd, path};
        rc = hm__set_ingest(fd_read, &src, (size_t)bytes, &mem, digest, err);
    }
    /* The private copy is what gets verified; a file still growing is an
     * error rather than a silently different set. */
    if (rc == HM_OK && read(fd, &extra, 1) != 0) {
        free(mem);
        rc = hm__fail(err, HM_E_IO, "%s: the file changed while it was read", path);
    }
    close(fd);
    if (rc != HM_OK) return rc;
    return finish_open(mem, (size_t)bytes, digest, opt, out, err);
}

/* The caller's options (docs/ABI.md): required, since they hold the trust. */
static hm_status read_options(const hm_set_open_options *opt, size_t opt_size,
                              hm_set_open_options *o, hm_set **out, hm_error *err)
{
    if (out) *out = NULL;
    HM_RETURN_IF(!opt, err, HM_E_INVALID_ARGUMENT, "options with a trust policy are required");
    return HM__ABI_READ(hm_set_open_options, o, opt, opt_size, err);
}

hm_status hm_set_open_sized(const void *data, size_t size, const hm_set_open_options *opt,
                            size_t opt_size, hm_set **out, hm_error *err)
{
    hm_set_open_options o;
    HM_FORWARD_IF_ERROR(read_options(opt, opt_size, &o, out, err));
    return open_memory(data, size, &o, out, err);
}

hm_status hm_set_open_file_sized(const char *path, const hm_set_open_options *opt,
                                 size_t opt_size, hm_set **out, hm_error *err)
{
    hm_set_open_options o;
    HM_FORWARD_IF_ERROR(read_options(opt, opt_size, &o, out, err));
    return open_file(path, &o, out, err);
}

hm_status hm_set_open_unverified(const void *data, size_t size, hm_set **out, hm_error *err)
{
    return open_memory(data, size, NULL, out, err);
}

hm_status hm_set_open_file_unverified(const char *path, hm_set **out, hm_error *err)
{
    return open_file(path, NULL, out, err);
}

void hm_set_free(hm_set *set)
{
    if (!set) return;
    free(set->mem);
    free(set);
}

/* ---- accessors: like every handle's, they accept NULL (0 or NULL) ---- */

int hm_set_is_verified(const hm_set *set) { return set ? set->verified : 0; }
const char *hm_set_name(const hm_set *set) { return set ? set->name : NULL; }
const char *hm_set_issuer(const hm_set *set) { return set ? set->issuer : NULL; }
uint64_t hm_set_version(const hm_set *set) { return set ? set->version : 0; }
uint64_t hm_set_created(const hm_set *set) { return set ? set->created : 0; }
uint64_t hm_set_expires(const hm_set *set) { return set ? set->expires : 0; }
const uint8_t *hm_set_previous_digest(const hm_set *set) { return set ? set->previous : NULL; }
const uint8_t *hm_set_digest(const hm_set *set) { return set ? set->digest : NULL; }
size_t hm_set_file_size(const hm_set *set) { return set ? set->size : 0; }
size_t hm_set_content_size(const hm_set *set) { return set ? set->content_size : 0; }
size_t hm_set_category_count(const hm_set *set) { return set ? set->category_count : 0; }
unsigned hm_set_min_attesters(const hm_set *set) { return set ? set->min_attesters : 0; }
uint32_t hm_set_algos(const hm_set *set) { return set ? set->algos : 0; }
size_t hm_set_signature_count(const hm_set *set) { return set ? set->sig_count : 0; }

const char *hm__set_category(const hm_set *set, unsigned index)
{
    return set->strings + hm__load_le32(set->categories + 4 * (size_t)index);
}

const char *hm_set_category_name(const hm_set *set, size_t index)
{
    return set && index < set->category_count ? hm__set_category(set, (unsigned)index) : NULL;
}

const hm__set_view *hm__set_view_get(const hm_set *set, hm_algo algo)
{
    if (!set || (int)algo < 1 || (int)algo > HM_ALGO_COUNT || !(set->algos & HM_MASK(algo)))
        return NULL;
    return &set->views[algo];
}

const hm_set_section *hm_set_section_get(const hm_set *set, hm_algo algo)
{
    const hm__set_view *v = hm__set_view_get(set, algo);
    return v ? &v->info : NULL;
}

const char *hm__set_entry_external_id(const hm_set *set, const hm__set_view *v, size_t i)
{
    return set->strings + hm__load_le32(v->meta + i * HM__META_SIZE + HM__M_EXTERNAL_ID);
}

hm_status hm_set_entry_get_sized(const hm_set *set, hm_algo algo, size_t index,
                                 hm_set_entry *out, size_t out_size)
{
    if (HM__ABI_CHECK_OUT(hm_set_entry, out, out_size, NULL) != HM_OK) return HM_E_INVALID_ARGUMENT;
    hm_set_entry e;
    memset(&e, 0, sizeof e);
    const hm__set_view *v = set ? hm__set_view_get(set, algo) : NULL;
    hm_status st = HM_E_INVALID_ARGUMENT;
    if (v && index < v->info.entry_count) {
        /* a video's hash is its first frame's */
        e.hash = hm__set_hash(v, algo == HM_ALGO_VPDQ ? hm__set_video_first(v, index) : index);
        e.category = hm__set_entry_category(v, index);
        e.category_name = hm__set_category(set, e.category);
        e.attesters = hm__set_entry_attesters(v, index);
        e.external_id = hm__set_entry_external_id(set, v, index);
        e.active = hm__set_entry_active(v, index);
        st = HM_OK;
    }
    hm__abi_write(out, out_size, &e, sizeof e);
    return st;
}

const uint8_t *hm_set_allow_get(const hm_set *set, hm_algo algo, size_t index)
{
    const hm__set_view *v = hm__set_view_get(set, algo);
    if (!v || index >= v->info.allow_count) return NULL;
    return v->allow + index * v->hash_size;
}

const hm_set_signature *hm_set_signature_get(const hm_set *set, size_t index)
{
    return set && index < set->sig_count ? &set->sigs[index] : NULL;
}
