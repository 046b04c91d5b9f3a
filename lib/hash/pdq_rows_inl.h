/* pdq_rows_inl.h - PDQ's row-wise box filter steps (hm__pdq_vstep_fn,
 * hm__pdq_divide_fn) in HM__PDQ_LANES float lanes, included by a tier file
 * compiled with its own flags. Each lane does the scalar operations in the
 * scalar order (the library is built with -ffp-contract=off), so every
 * width gives the same floats; the tail runs the 4-lane baseline. */
#include <string.h>

typedef float hm__pdq_vf __attribute__((vector_size(4 * HM__PDQ_LANES)));

static inline hm__pdq_vf pdq_load(const float *p)
{
    hm__pdq_vf v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The loop for one combination of NULL arguments (constant after inlining). */
static inline __attribute__((always_inline)) size_t
pdq_vstep_body(float *sum, const float *enter, const float *leave, size_t n, float *out,
               float count)
{
    size_t x = 0;
    for (; x + HM__PDQ_LANES <= n; x += HM__PDQ_LANES) {
        hm__pdq_vf s = pdq_load(sum + x);
        if (enter) s += pdq_load(enter + x);
        if (leave) s -= pdq_load(leave + x);
        memcpy(sum + x, &s, sizeof s);
        if (out) {
            s = s / count;
            memcpy(out + x, &s, sizeof s);
        }
    }
    return x;
}

static void pdq_vstep_wide(float *sum, const float *enter, const float *leave, size_t n,
                           float *out, float count)
{
    size_t x;
    if (enter && leave && out) x = pdq_vstep_body(sum, enter, leave, n, out, count);
    else if (enter && out) x = pdq_vstep_body(sum, enter, NULL, n, out, count);
    else if (leave && out) x = pdq_vstep_body(sum, NULL, leave, n, out, count);
    else { /* no quotients: cheap at any width */
        hm__pdq_vstep_v4(sum, enter, leave, n, out, count);
        return;
    }
    if (x < n)
        hm__pdq_vstep_v4(sum + x, enter ? enter + x : NULL, leave ? leave + x : NULL, n - x,
                         out + x, count);
}

static void pdq_divide_wide(float *row, const float *counts, size_t n)
{
    size_t x = 0;
    for (; x + HM__PDQ_LANES <= n; x += HM__PDQ_LANES) {
        hm__pdq_vf q = pdq_load(row + x) / pdq_load(counts + x);
        memcpy(row + x, &q, sizeof q);
    }
    if (x < n) hm__pdq_divide_v4(row + x, counts + x, n - x);
}
