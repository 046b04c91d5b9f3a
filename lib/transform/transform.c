/* transform.c - the transform text syntax and hm_image_transform, which runs a
 * chain of edits step by step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "transform.h"

typedef struct {
    const char *name;
    hm_transform_kind kind;
    unsigned min_params, max_params;
    double lo[HM_TRANSFORM_MAX_PARAMS], hi[HM_TRANSFORM_MAX_PARAMS];
} kind_info;

static const kind_info KINDS[] = {
    {"jpeg", HM_TRANSFORM_JPEG, 1, 1, {1}, {100}},
    {"scale", HM_TRANSFORM_SCALE, 1, 1, {0.01}, {16}},
    {"crop", HM_TRANSFORM_CROP, 1, 3, {0, 0, 0}, {99, 1, 1}},
    {"rotate", HM_TRANSFORM_ROTATE, 1, 1, {-360}, {360}},
    {"flip", HM_TRANSFORM_FLIP, 0, 0, {0}, {0}},
    {"flipv", HM_TRANSFORM_FLIPV, 0, 0, {0}, {0}},
    {"pad", HM_TRANSFORM_PAD, 1, 2, {0, 0}, {100, 255}},
    {"letterbox", HM_TRANSFORM_LETTERBOX, 1, 2, {0, 0}, {100, 255}},
    {"brightness", HM_TRANSFORM_BRIGHTNESS, 1, 1, {-255}, {255}},
    {"contrast", HM_TRANSFORM_CONTRAST, 1, 1, {0}, {10}},
    {"gamma", HM_TRANSFORM_GAMMA, 1, 1, {0.05}, {20}},
    {"blur", HM_TRANSFORM_BLUR, 1, 1, {0}, {50}},
    {"noise", HM_TRANSFORM_NOISE, 1, 1, {0}, {255}},
    {"overlay", HM_TRANSFORM_OVERLAY, 1, 4, {0, 0, 0, 0}, {100, 1, 1, 255}},
};

/* The standard robustness suite: the everyday edits at a few strengths. */
static const char STANDARD[] =
    "jpeg:90,jpeg:70,jpeg:50,jpeg:30,scale:0.5,scale:0.25,scale:2,"
    "crop:5,crop:10,crop:20,crop:10:0:0,rotate:2,rotate:5,rotate:90,rotate:180,rotate:270,"
    "flip,pad:10,letterbox:12.5,brightness:40,brightness:-40,contrast:1.4,contrast:0.6,"
    "gamma:0.6,gamma:1.6,blur:1,blur:3,noise:8,noise:20,overlay:5,overlay:15,"
    "jpeg:70+scale:0.5,crop:5+scale:0.75+jpeg:70";

static const kind_info *find_kind(const char *name, size_t len)
{
    for (size_t i = 0; i < HM_ARRAY_SIZE(KINDS); i++)
        if (strlen(KINDS[i].name) == len && !memcmp(KINDS[i].name, name, len)) return &KINDS[i];
    return NULL;
}

static const kind_info *kind_of(hm_transform_kind k)
{
    for (size_t i = 0; i < HM_ARRAY_SIZE(KINDS); i++)
        if (KINDS[i].kind == k) return &KINDS[i];
    return NULL;
}

/* Parses one number of a step; *end gets the first byte after it. */
static hm_status parse_number(const char *s, const char **end, double *v, hm_error *err)
{
    char *e;
    HM_RETURN_IF(!((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == '.'), err,
                 HM_E_PARSE, "expected a number at '%.20s'", s);
    *v = strtod(s, &e);
    HM_RETURN_IF(e == s || !isfinite(*v), err, HM_E_PARSE, "bad number at '%.20s'", s);
    *end = e;
    return HM_OK;
}

static hm_status check_step(const kind_info *ki, const hm_transform_step *st, unsigned n,
                            hm_error *err)
{
    HM_RETURN_IF(n < ki->min_params || n > ki->max_params, err, HM_E_INVALID_ARGUMENT,
                 "'%s' takes %u to %u parameters, not %u", ki->name, ki->min_params,
                 ki->max_params, n);
    for (unsigned i = 0; i < n; i++)
        HM_RETURN_IF(st->param[i] < ki->lo[i] || st->param[i] > ki->hi[i], err,
                     HM_E_INVALID_ARGUMENT, "'%s' parameter %u must be in %g..%g", ki->name,
                     i + 1, ki->lo[i], ki->hi[i]);
    HM_RETURN_IF(st->kind == HM_TRANSFORM_JPEG && st->param[0] != floor(st->param[0]), err,
                 HM_E_INVALID_ARGUMENT, "JPEG quality must be an integer");
    HM_RETURN_IF(st->kind == HM_TRANSFORM_OVERLAY && n == 2, err, HM_E_INVALID_ARGUMENT,
                 "overlay takes both X and Y or neither");
    HM_RETURN_IF(st->kind == HM_TRANSFORM_CROP && n == 2, err, HM_E_INVALID_ARGUMENT,
                 "crop takes both X and Y or neither");
    return HM_OK;
}

/* Parses `name[:p...]` from s up to a '+', ',' or the end; *end gets the stop. */
static hm_status parse_step(const char *s, const char **end, hm_transform_step *st, hm_error *err)
{
    size_t len = 0;
    while (s[len] && s[len] != ':' && s[len] != '+' && s[len] != ',') len++;
    HM_RETURN_IF(len == 0, err, HM_E_PARSE, "empty transform name");
    const kind_info *ki = find_kind(s, len);
    HM_RETURN_IF(!ki, err, HM_E_PARSE, "unknown transform '%.*s'", (int)(len > 40 ? 40 : len), s);
    st->kind = ki->kind;
    for (unsigned i = 0; i < HM_TRANSFORM_MAX_PARAMS; i++) st->param[i] = NAN;
    s += len;
    unsigned n = 0;
    while (*s == ':') {
        HM_RETURN_IF(n == HM_TRANSFORM_MAX_PARAMS, err, HM_E_INVALID_ARGUMENT,
                     "too many parameters for '%s'", ki->name);
        HM_FORWARD_IF_ERROR(parse_number(s + 1, &s, &st->param[n], err));
        n++;
    }
    HM_RETURN_IF(*s && *s != '+' && *s != ',', err, HM_E_PARSE, "unexpected '%c' in transform",
                 *s);
    *end = s;
    return check_step(ki, st, n, err);
}

/* Parses one chain from s up to a ',' or the end. */
static hm_status parse_chain(const char *s, const char **end, hm_transform *out, hm_error *err)
{
    memset(out, 0, sizeof *out);
    for (;;) {
        HM_RETURN_IF(out->count == HM_TRANSFORM_MAX_STEPS, err, HM_E_INVALID_ARGUMENT,
                     "a chain has at most %d steps", HM_TRANSFORM_MAX_STEPS);
        HM_FORWARD_IF_ERROR(parse_step(s, &s, &out->steps[out->count], err));
        out->count++;
        if (*s != '+') break;
        s++;
    }
    *end = s;
    return HM_OK;
}

hm_status hm_transform_parse(const char *text, hm_transform *out, hm_error *err)
{
    HM_RETURN_IF(!text || !out, err, HM_E_INVALID_ARGUMENT, "text and output are required");
    const char *end;
    hm_status st = parse_chain(text, &end, out, err);
    if (st == HM_OK && *end) st = hm__fail(err, HM_E_PARSE, "one chain expected, found ','");
    if (st != HM_OK) memset(out, 0, sizeof *out);
    return st;
}

static hm_status parse_list(const char *s, hm_transform *out, size_t max, size_t *count,
                            int depth, hm_error *err)
{
    for (;;) {
        if (!strncmp(s, "standard", 8) && (s[8] == ',' || !s[8]) && depth == 0) {
            HM_FORWARD_IF_ERROR(parse_list(STANDARD, out, max, count, 1, err));
            s += 8;
        } else {
            HM_RETURN_IF(*count >= max, err, HM_E_LIMIT, "more than %zu transforms", max);
            HM_FORWARD_IF_ERROR(parse_chain(s, &s, &out[*count], err));
            (*count)++;
        }
        if (!*s) return HM_OK;
        s++; /* the ',' */
    }
}

hm_status hm_transform_parse_list(const char *text, hm_transform *out, size_t max,
                                  size_t *count, hm_error *err)
{
    HM_RETURN_IF(!text || !out || !count, err, HM_E_INVALID_ARGUMENT,
                 "text, output and count are required");
    *count = 0;
    hm_status st = parse_list(text, out, max, count, 0, err);
    if (st != HM_OK) {
        memset(out, 0, *count * sizeof *out);
        *count = 0;
    }
    return st;
}

/* Appends text at *len, tolerating truncation; *len counts the full length. */
static void put(char *buf, size_t size, size_t *len, const char *text)
{
    size_t n = strlen(text);
    if (buf && *len < size) snprintf(buf + *len, size - *len, "%s", text);
    *len += n;
}

static void put_number(char *buf, size_t size, size_t *len, double v)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%g", v);
    put(buf, size, len, tmp);
}

static size_t format(const hm_transform *t, int names, int params, char *buf, size_t size)
{
    size_t len = 0;
    if (buf && size) buf[0] = '\0';
    int any = names;
    for (unsigned i = 0; t && i < t->count && i < HM_TRANSFORM_MAX_STEPS; i++)
        any |= !isnan(t->steps[i].param[0]);
    if (!any) return 0; /* parameters of parameterless steps: "" rather than "+" */
    for (unsigned i = 0; t && i < t->count && i < HM_TRANSFORM_MAX_STEPS; i++) {
        const kind_info *ki = kind_of(t->steps[i].kind);
        if (i) put(buf, size, &len, "+");
        if (names) put(buf, size, &len, ki ? ki->name : "?");
        for (unsigned p = 0; p < HM_TRANSFORM_MAX_PARAMS && params; p++) {
            if (isnan(t->steps[i].param[p])) break;
            if (names || p) put(buf, size, &len, ":");
            put_number(buf, size, &len, t->steps[i].param[p]);
        }
    }
    return len;
}

size_t hm_transform_format(const hm_transform *t, int name_only, char *buf, size_t size)
{
    return format(t, 1, !name_only, buf, size);
}

size_t hm_transform_format_params(const hm_transform *t, char *buf, size_t size)
{
    return format(t, 0, 1, buf, size);
}

/* ---- applying a chain ---- */

static uint32_t round_side(double v)
{
    double r = floor(v + 0.5);
    return r < 1 ? 1 : r > 1e6 ? 1000001u : (uint32_t)r;
}

static double param_or(const hm_transform_step *st, int i, double dflt)
{
    return isnan(st->param[i]) ? dflt : st->param[i];
}

static hm_status apply_jpeg(const hm_image *src, int quality, hm_image **out, hm_error *err)
{
    uint8_t *data;
    size_t size;
    HM_FORWARD_IF_ERROR(hm__jpeg_encode(src, quality, &data, &size, err));
    hm_status st = hm_image_decode(data, size, NULL, out, err);
    free(data);
    return st;
}

static hm_status apply_crop(const hm_image *src, const hm_transform_step *st, hm_image **out,
                            hm_error *err)
{
    double keep = (100.0 - st->param[0]) / 100.0;
    uint32_t w = round_side(src->width * keep), h = round_side(src->height * keep);
    if (w > src->width) w = src->width;
    if (h > src->height) h = src->height;
    uint32_t x0 = (uint32_t)floor(param_or(st, 1, 0.5) * (src->width - w) + 0.5);
    uint32_t y0 = (uint32_t)floor(param_or(st, 2, 0.5) * (src->height - h) + 0.5);
    return hm__tf_crop(src, x0, y0, w, h, out, err);
}

static hm_status apply_rotate(const hm_image *src, double deg, hm_image **out, hm_error *err)
{
    double q = deg / 90.0;
    if (q == floor(q)) return hm__tf_rotate90(src, (unsigned)(((long)q % 4 + 4) % 4), out, err);
    return hm__tf_rotate(src, deg, out, err);
}

static hm_status apply_pad(const hm_image *src, const hm_transform_step *st, int sides,
                           hm_image **out, hm_error *err)
{
    double f = st->param[0] / 100.0;
    uint32_t lr = sides ? (uint32_t)floor(src->width * f + 0.5) : 0;
    uint32_t tb = (uint32_t)floor(src->height * f + 0.5);
    uint8_t v = (uint8_t)param_or(st, 1, 0);
    return hm__tf_pad(src, lr, tb, lr, tb, v, out, err);
}

static hm_status apply_tone(const hm_image *src, const hm_transform_step *st, hm_image **out,
                            hm_error *err)
{
    uint8_t lut[256];
    double p = st->param[0];
    for (int v = 0; v < 256; v++) {
        double r = v;
        if (st->kind == HM_TRANSFORM_BRIGHTNESS) r = v + p;
        else if (st->kind == HM_TRANSFORM_CONTRAST) r = (v - 128.0) * p + 128.0;
        else r = 255.0 * pow(v / 255.0, p);
        lut[v] = hm__clamp_u8(r);
    }
    return hm__tf_lut(src, lut, out, err);
}

static hm_status apply_overlay(const hm_image *src, const hm_transform_step *st, hm__rng *rng,
                               hm_image **out, hm_error *err)
{
    double area = st->param[0] / 100.0 * src->width * src->height;
    uint32_t w = round_side(sqrt(area)), h;
    if (w > src->width) w = src->width;
    h = round_side(area / w);
    if (h > src->height) h = src->height;
    if (area == 0) w = h = 0;
    double fx = isnan(st->param[1]) ? hm__rng_uniform(rng) : st->param[1];
    double fy = isnan(st->param[2]) ? hm__rng_uniform(rng) : st->param[2];
    uint32_t x0 = (uint32_t)floor(fx * (src->width - w) + 0.5);
    uint32_t y0 = (uint32_t)floor(fy * (src->height - h) + 0.5);
    return hm__tf_fill(src, x0, y0, w, h, (uint8_t)param_or(st, 3, 255), out, err);
}

static hm_status apply_step(const hm_image *src, const hm_transform_step *st, hm__rng *rng,
                            hm_image **out, hm_error *err)
{
    double p = st->param[0];
    switch (st->kind) {
    case HM_TRANSFORM_JPEG: return apply_jpeg(src, (int)p, out, err);
    case HM_TRANSFORM_SCALE:
        return hm__tf_resize(src, round_side(src->width * p), round_side(src->height * p), out, err);
    case HM_TRANSFORM_CROP: return apply_crop(src, st, out, err);
    case HM_TRANSFORM_ROTATE: return apply_rotate(src, p, out, err);
    case HM_TRANSFORM_FLIP: return hm__tf_flip(src, 0, out, err);
    case HM_TRANSFORM_FLIPV: return hm__tf_flip(src, 1, out, err);
    case HM_TRANSFORM_PAD: return apply_pad(src, st, 1, out, err);
    case HM_TRANSFORM_LETTERBOX: return apply_pad(src, st, 0, out, err);
    case HM_TRANSFORM_BRIGHTNESS:
    case HM_TRANSFORM_CONTRAST:
    case HM_TRANSFORM_GAMMA: return apply_tone(src, st, out, err);
    case HM_TRANSFORM_BLUR: return hm__tf_blur(src, p, out, err);
    case HM_TRANSFORM_NOISE: return hm__tf_noise(src, p, rng, out, err);
    case HM_TRANSFORM_OVERLAY: return apply_overlay(src, st, rng, out, err);
    }
    return hm__fail(err, HM_E_INVALID_ARGUMENT, "unknown transform kind %d", (int)st->kind);
}

static hm_status validate(const hm_transform *t, hm_error *err)
{
    HM_RETURN_IF(t->count == 0 || t->count > HM_TRANSFORM_MAX_STEPS, err, HM_E_INVALID_ARGUMENT,
                 "a chain has 1 to %d steps", HM_TRANSFORM_MAX_STEPS);
    for (unsigned i = 0; i < t->count; i++) {
        const hm_transform_step *st = &t->steps[i];
        const kind_info *ki = kind_of(st->kind);
        HM_RETURN_IF(!ki, err, HM_E_INVALID_ARGUMENT, "unknown transform kind %d", (int)st->kind);
        unsigned n = 0;
        while (n < HM_TRANSFORM_MAX_PARAMS && !isnan(st->param[n])) n++;
        for (unsigned j = n; j < HM_TRANSFORM_MAX_PARAMS; j++)
            HM_RETURN_IF(!isnan(st->param[j]), err, HM_E_INVALID_ARGUMENT,
                         "'%s': parameters after a missing one", ki->name);
        HM_FORWARD_IF_ERROR(check_step(ki, st, n, err));
    }
    return HM_OK;
}

hm_status hm_image_transform(const hm_image *img, const hm_transform *t, uint64_t seed,
                             hm_image **out, hm_error *err)
{
    HM_RETURN_IF(!out, err, HM_E_INVALID_ARGUMENT, "output handle is required");
    *out = NULL;
    HM_RETURN_IF(!img || !t, err, HM_E_INVALID_ARGUMENT, "image and transform are required");
    HM_FORWARD_IF_ERROR(validate(t, err));
    hm__rng rng;
    hm__rng_seed(&rng, seed);
    hm_image *cur = NULL;
    for (unsigned i = 0; i < t->count; i++) {
        hm_image *next = NULL;
        hm_status st = apply_step(cur ? cur : img, &t->steps[i], &rng, &next, err);
        hm_image_free(cur);
        if (st != HM_OK) return st;
        cur = next;
    }
    *out = cur;
    hm__ok(err);
    return HM_OK;
}
