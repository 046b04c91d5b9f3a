/* test_pixels_memory.c - the heap memory hashing a camera frame takes,
 * measured: every allocation of this process goes through counting wrappers
 * around glibc's allocator, and the peak above what was in use before a call
 * is that call's extra memory. Printed as the table docs/EMBEDDING.md shows,
 * and bounded: hashing in place must stay far below a copy of the frame.
 *
 * glibc only (its __libc_* entry points), and not under the sanitizers,
 * which replace malloc themselves (CMake leaves the test out there). */
#define _GNU_SOURCE 1 /* posix_memalign, memalign: their prototypes */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#ifdef __GLIBC__

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

static size_t in_use, peak;

static void *counted(void *p)
{
    if (p) {
        in_use += malloc_usable_size(p);
        if (in_use > peak) peak = in_use;
    }
    return p;
}

void *malloc(size_t n) { return counted(__libc_malloc(n)); }
void *calloc(size_t n, size_t size) { return counted(__libc_calloc(n, size)); }
void *aligned_alloc(size_t align, size_t n) { return counted(__libc_memalign(align, n)); }
void *memalign(size_t align, size_t n) { return counted(__libc_memalign(align, n)); }

void free(void *p)
{
    if (p) in_use -= malloc_usable_size(p);
    __libc_free(p);
}

void *realloc(void *p, size_t n)
{
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = __libc_realloc(p, n);
    if (q || n == 0) in_use -= old;
    return counted(q);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p = counted(__libc_memalign(align, n));
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}

/* ---------------------------------------------------------------------- */

#define MIB (1024.0 * 1024.0)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef enum { IN_PLACE, COPY_FIRST } path;

/* Peak extra heap bytes of hashing `px` with `algos`, in place or through
 * hm_image_copy_pixels + hm_hash_image. */
static size_t measure(const hm_pixels *px, uint32_t algos, path how)
{
    hm_hash_options o;
    memset(&o, 0, sizeof o);
    o.algos = algos;
    hm_hashes h;
    size_t base = in_use;
    peak = in_use;
    if (how == IN_PLACE) {
        CU_ASSERT_EQUAL(hm_hash_pixels(px, &o, &h, NULL), HM_OK);
    } else {
        hm_image *img = NULL;
        CU_ASSERT_EQUAL_FATAL(hm_image_copy_pixels(px, &img, NULL), HM_OK);
        CU_ASSERT_EQUAL(hm_hash_image(img, &o, &h, NULL), HM_OK);
        hm_image_free(img);
    }
    CU_ASSERT_EQUAL(in_use, base); /* nothing kept */
    return peak - base;
}

typedef struct frame {
    uint32_t w, h;
    uint8_t *rgba, *y, *uv;
    hm_pixels px_rgba, px_nv12;
} frame;

static void frame_make(frame *f, uint32_t w, uint32_t h)
{
    memset(f, 0, sizeof *f);
    f->w = w, f->h = h;
    size_t n = (size_t)w * h;
    f->rgba = malloc(4 * n);
    f->y = malloc(n);
    f->uv = malloc(2 * (size_t)((w + 1) / 2) * ((h + 1) / 2));
    if (!f->rgba || !f->y || !f->uv) abort();
    tu_rng r;
    tu_rng_seed(&r, w * 31 + h);
    for (size_t i = 0; i < 4 * n; i++) f->rgba[i] = (uint8_t)(i / 4 % w + tu_rng_below(&r, 8));
    memset(f->y, 120, n);
    memset(f->uv, 128, 2 * (size_t)((w + 1) / 2) * ((h + 1) / 2));
    f->px_rgba.format = HM_PIXEL_RGBA8;
    f->px_rgba.width = w, f->px_rgba.height = h;
    f->px_rgba.data[0] = f->rgba, f->px_rgba.stride[0] = 4 * (size_t)w;
    f->px_nv12.format = HM_PIXEL_NV12;
    f->px_nv12.width = w, f->px_nv12.height = h;
    f->px_nv12.yuv_matrix = HM_YUV_BT601, f->px_nv12.yuv_range = HM_YUV_RANGE_FULL;
    f->px_nv12.data[0] = f->y, f->px_nv12.stride[0] = w;
    f->px_nv12.data[1] = f->uv, f->px_nv12.stride[1] = 2 * (size_t)((w + 1) / 2);
}

static void frame_free(frame *f)
{
    free(f->rgba);
    free(f->y);
    free(f->uv);
}

#define A(x) HM_MASK(HM_ALGO_##x)

static void test_peak_memory(void)
{
#ifdef HM_TEST_EMULATED
    static const uint32_t S[][2] = {{1000, 1000}, {2000, 1500}};
#else
    static const uint32_t S[][2] = {{1000, 1000}, {4000, 3000}};
#endif
    static const struct {
        const char *name;
        uint32_t algos;
    } SETS[] = {
        {"PDQ", A(PDQ)},
        {"PDQ+aHash+dHash+pHash", A(PDQ) | A(AHASH) | A(DHASH) | A(PHASH)},
        {"all five (with wHash)", HM_MASK_PERCEPTUAL},
    };
    printf("\n  | frame | algorithms | RGBA8 in place | NV12 in place | RGBA8 copied first |\n"
           "  |---|---|---|---|---|\n");
    for (size_t s = 0; s < COUNT(S); s++) {
        frame f;
        frame_make(&f, S[s][0], S[s][1]);
        double mp = (double)f.w * f.h / 1e6;
        for (size_t a = 0; a < COUNT(SETS); a++) {
            size_t rgba = measure(&f.px_rgba, SETS[a].algos, IN_PLACE);
            size_t nv12 = measure(&f.px_nv12, SETS[a].algos, IN_PLACE);
            size_t copy = measure(&f.px_rgba, SETS[a].algos, COPY_FIRST);
            printf("  | %ux%u | %s | %.2f MiB (%.2f MiB/MP) | %.2f MiB (%.2f MiB/MP) | %.2f MiB "
                   "(%.2f MiB/MP) |\n",
                   f.w, f.h, SETS[a].name, rgba / MIB, rgba / MIB / mp, nv12 / MIB, nv12 / MIB / mp,
                   copy / MIB, copy / MIB / mp);
            /* A copy of the frame is 3 bytes a pixel. In place, the scratch
             * grows with the width and height, not the area: without wHash
             * (whose s x s plane the algorithm itself needs) it is under a
             * quarter of the copy's, and never more than the copy. */
            CU_ASSERT(copy >= (size_t)f.w * f.h * 3);
            CU_ASSERT(rgba < copy && nv12 < copy);
            if (SETS[a].algos != HM_MASK_PERCEPTUAL) CU_ASSERT(4 * rgba < copy && 4 * nv12 < copy);
        }
        frame_free(&f);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const tu_test TESTS[] = {
        {"peak_memory", test_peak_memory},
        {NULL, NULL},
    };
    tu_add_suite("memory", TESTS);
    return tu_run("test_pixels_memory");
}

#else

int main(void)
{
    printf("not glibc: the allocator cannot be counted; skipped\n");
    return 0;
}

#endif
