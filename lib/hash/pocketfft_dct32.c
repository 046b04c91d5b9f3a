/* pocketfft_dct32.c - the unnormalised DCT-II of length 32 in scipy's operation order.
 *
 * scipy.fftpack.dct (scipy >= 1.4) runs pocketfft's DCT-II: a pre-step that
 * doubles the end samples and turns neighbouring pairs into differences and
 * sums, a real backward FFT (radix passes 2, 4, 4 for N = 32) and a
 * post-twiddle. Any accurate DCT gives the same hash bits on natural images,
 * but on flat or symmetric images scipy returns exact zeros that tie with the
 * median; only this order of operations with these constants reproduces them.
 * The constants are pocketfft's (its own sin/cos tables, which differ from
 * libm's cos in the last bit for 14 of the 32 post-twiddles). */
#include <string.h>

#include "imagehash.h"

/* Radix-2 pass twiddles (l1 = 1, ido = 16): Re, Im of w^i, w = e^(2 pi i/32). */
static const double TW_RADIX2[15] = {
    0x1.f6297cff75cb0p-1, 0x1.8f8b83c69a60ap-3, 0x1.d906bcf328d46p-1, 0x1.87de2a6aea963p-2,
    0x1.a9b66290ea1a3p-1, 0x1.1c73b39ae68c8p-1, 0x1.6a09e667f3bccp-1, 0x1.6a09e667f3bcdp-1,
    0x1.1c73b39ae68c8p-1, 0x1.a9b66290ea1a3p-1, 0x1.87de2a6aea963p-2, 0x1.d906bcf328d46p-1,
    0x1.8f8b83c69a60ap-3, 0x1.f6297cff75cb0p-1, 0.0};

/* First radix-4 pass twiddles (l1 = 2, ido = 4): Re, Im of w^(2j), j = 1..3. */
static const double TW_RADIX4[9] = {
    0x1.d906bcf328d46p-1, 0x1.87de2a6aea963p-2, 0.0, 0x1.6a09e667f3bccp-1, 0x1.6a09e667f3bcdp-1,
    0.0, 0x1.87de2a6aea963p-2, 0x1.d906bcf328d46p-1, 0.0};

/* Post-twiddle: Re(e^(2 pi i (k+1)/128)), k = 0..31. */
static const double TW_DCT[32] = {
    0x1.ff621e3796d7ep-1, 0x1.fd88da3d12526p-1, 0x1.fa7557f08a517p-1, 0x1.f6297cff75cb0p-1,
    0x1.f0a7efb9230d7p-1, 0x1.e9f4156c62ddap-1, 0x1.e212104f686e5p-1, 0x1.d906bcf328d46p-1,
    0x1.ced7af43cc773p-1, 0x1.c38b2f180bdb1p-1, 0x1.b728345196e3ep-1, 0x1.a9b66290ea1a3p-1,
    0x1.9b3e047f38741p-1, 0x1.8bc806b151741p-1, 0x1.7b5df226aafafp-1, 0x1.6a09e667f3bccp-1,
    0x1.57d69348cec9fp-1, 0x1.44cf325091dd6p-1, 0x1.30ff7fce17034p-1, 0x1.1c73b39ae68c8p-1,
    0x1.073879922ffedp-1, 0x1.e2b5d3806f639p-2, 0x1.b5d1009e15cbfp-2, 0x1.87de2a6aea961p-2,
    0x1.58f9a75ab1fdbp-2, 0x1.294062ed59f04p-2, 0x1.f19f97b215f1cp-3, 0x1.8f8b83c69a60ap-3,
    0x1.2c8106e8e6136p-3, 0x1.917a6bc29b424p-4, 0x1.91f65f10dd810p-5, -0.0};

static const double SQRT2 = 0x1.6a09e667f3bcdp+0;

/* Index helpers of the FFTPACK layout: the input of a pass is cdim blocks of
 * ido per l1 group, the output l1 blocks of ido per factor slot. */
#define CC(a, b, c) cc[(a) + ido * ((b) + cdim * (c))]
#define CH(a, b, c) ch[(a) + ido * ((b) + l1 * (c))]
#define WA(x, i) wa[(i) + (x) * (ido - 1)]

/* a + ib = conj(c + id) * (e + if), as pocketfft writes it */
#define MULPM(a, b, c, d, e, f)                                                                   \
    do {                                                                                          \
        (a) = (c) * (e) + (d) * (f);                                                              \
        (b) = (c) * (f) - (d) * (e);                                                              \
    } while (0)

static void radb2(size_t ido, size_t l1, const double *cc, double *ch, const double *wa)
{
    const size_t cdim = 2;
    for (size_t k = 0; k < l1; k++) {
        CH(0, k, 0) = CC(0, 0, k) + CC(ido - 1, 1, k);
        CH(0, k, 1) = CC(0, 0, k) - CC(ido - 1, 1, k);
    }
    if ((ido & 1) == 0)
        for (size_t k = 0; k < l1; k++) {
            CH(ido - 1, k, 0) = 2 * CC(ido - 1, 0, k);
            CH(ido - 1, k, 1) = -2 * CC(0, 1, k);
        }
    if (ido <= 2) return;
    for (size_t k = 0; k < l1; k++)
        for (size_t i = 2; i < ido; i += 2) {
            size_t ic = ido - i;
            double tr2 = CC(i - 1, 0, k) - CC(ic - 1, 1, k);
            double ti2 = CC(i, 0, k) + CC(ic, 1, k);
            CH(i - 1, k, 0) = CC(i - 1, 0, k) + CC(ic - 1, 1, k);
            CH(i, k, 0) = CC(i, 0, k) - CC(ic, 1, k);
            MULPM(CH(i, k, 1), CH(i - 1, k, 1), WA(0, i - 2), WA(0, i - 1), ti2, tr2);
        }
}

static void radb4_first(size_t ido, size_t l1, const double *cc, double *ch)
{
    const size_t cdim = 4;
    for (size_t k = 0; k < l1; k++) {
        double tr2 = CC(0, 0, k) + CC(ido - 1, 3, k);
        double tr1 = CC(0, 0, k) - CC(ido - 1, 3, k);
        double tr3 = 2 * CC(ido - 1, 1, k);
        double tr4 = 2 * CC(0, 2, k);
        CH(0, k, 0) = tr2 + tr3;
        CH(0, k, 2) = tr2 - tr3;
        CH(0, k, 3) = tr1 + tr4;
        CH(0, k, 1) = tr1 - tr4;
    }
}

static void radb4(size_t ido, size_t l1, const double *cc, double *ch, const double *wa)
{
    const size_t cdim = 4;
    radb4_first(ido, l1, cc, ch);
    if ((ido & 1) == 0)
        for (size_t k = 0; k < l1; k++) {
            double ti1 = CC(0, 3, k) + CC(0, 1, k);
            double ti2 = CC(0, 3, k) - CC(0, 1, k);
            double tr2 = CC(ido - 1, 0, k) + CC(ido - 1, 2, k);
            double tr1 = CC(ido - 1, 0, k) - CC(ido - 1, 2, k);
            CH(ido - 1, k, 0) = tr2 + tr2;
            CH(ido - 1, k, 1) = SQRT2 * (tr1 - ti1);
            CH(ido - 1, k, 2) = ti2 + ti2;
            CH(ido - 1, k, 3) = -SQRT2 * (tr1 + ti1);
        }
    if (ido <= 2) return;
    for (size_t k = 0; k < l1; k++)
        for (size_t i = 2; i < ido; i += 2) {
            size_t ic = ido - i;
            double tr2 = CC(i - 1, 0, k) + CC(ic - 1, 3, k), tr1 = CC(i - 1, 0, k) - CC(ic - 1, 3, k);
            double ti1 = CC(i, 0, k) + CC(ic, 3, k), ti2 = CC(i, 0, k) - CC(ic, 3, k);
            double tr4 = CC(i, 2, k) + CC(ic, 1, k), ti3 = CC(i, 2, k) - CC(ic, 1, k);
            double tr3 = CC(i - 1, 2, k) + CC(ic - 1, 1, k), ti4 = CC(i - 1, 2, k) - CC(ic - 1, 1, k);
            CH(i - 1, k, 0) = tr2 + tr3;
            double cr3 = tr2 - tr3;
            CH(i, k, 0) = ti2 + ti3;
            double ci3 = ti2 - ti3;
            double cr4 = tr1 + tr4, cr2 = tr1 - tr4;
            double ci2 = ti1 + ti4, ci4 = ti1 - ti4;
            MULPM(CH(i, k, 1), CH(i - 1, k, 1), WA(0, i - 2), WA(0, i - 1), ci2, cr2);
            MULPM(CH(i, k, 2), CH(i - 1, k, 2), WA(1, i - 2), WA(1, i - 1), ci3, cr3);
            MULPM(CH(i, k, 3), CH(i - 1, k, 3), WA(2, i - 2), WA(2, i - 1), ci4, cr4);
        }
}

#undef CC
#undef CH
#undef WA

void hm__dct32(double c[32])
{
    enum { N = 32, NS2 = 16 };
    double ch[N];
    c[0] *= 2;
    c[N - 1] *= 2;
    for (size_t k = 1; k < N - 1; k += 2) {
        double t = c[k + 1];
        c[k + 1] = t - c[k];
        c[k] = c[k] + t;
    }
    /* Backward real FFT: passes (ip, l1, ido) = (2, 1, 16), (4, 2, 4), (4, 8, 1),
     * ping-ponging between c and ch; the result lands in ch. */
    radb2(16, 1, c, ch, TW_RADIX2);
    radb4(4, 2, ch, c, TW_RADIX4);
    radb4_first(1, 8, c, ch);
    c[0] = ch[0];
    for (size_t k = 1, kc = N - 1; k < NS2; k++, kc--) {
        double t1 = TW_DCT[k - 1] * ch[kc] + TW_DCT[kc - 1] * ch[k];
        double t2 = TW_DCT[k - 1] * ch[k] - TW_DCT[kc - 1] * ch[kc];
        c[k] = 0.5 * (t1 + t2);
        c[kc] = 0.5 * (t1 - t2);
    }
    c[NS2] = ch[NS2] * TW_DCT[NS2 - 1];
}

void hm__dct32x32_low8(const uint8_t px[32 * 32], double out[64])
{
    /* Axis 0 (columns) on all 32 columns, then axis 1 on the 8 rows kept. */
    double cols[32][32]; /* cols[j] = column j */
    for (int j = 0; j < 32; j++) {
        for (int i = 0; i < 32; i++) cols[j][i] = px[i * 32 + j];
        hm__dct32(cols[j]);
    }
    for (int i = 0; i < 8; i++) {
        double row[32];
        for (int j = 0; j < 32; j++) row[j] = cols[j][i];
        hm__dct32(row);
        memcpy(out + i * 8, row, 8 * sizeof(double));
    }
}
