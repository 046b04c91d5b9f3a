/* policy.c - the client's ceilings on a publisher's match policy. A signed
 * set decides how far a match reaches; these limits decide how far the
 * client lets it reach (docs/TRUST.md, "Limits on the publisher's policy"). */
#include "set_internal.h"

static int known_algo(hm_algo a) { return (int)a >= 1 && (int)a <= HM_ALGO_COUNT; }

/* Only PDQ hashes carry a quality; a vPDQ section is PDQ hashes of frames. */
static int is_pdq(hm_algo a) { return a == HM_ALGO_PDQ || a == HM_ALGO_VPDQ; }
static int has_quality(hm_algo a) { return is_pdq(a); }

static unsigned default_max_radius(hm_algo a)
{
    if (is_pdq(a)) return HM_DEFAULT_MAX_RADIUS_PDQ;
    return known_algo(a) && hm_algo_is_perceptual(a) ? HM_DEFAULT_MAX_RADIUS_64BIT : 0;
}

static unsigned default_quality_floor(hm_algo a)
{
    return is_pdq(a) ? HM_DEFAULT_MIN_QUALITY_PDQ : 0;
}

void hm_policy_limits_default(hm_policy_limits *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        out->max_radius[a] = default_max_radius((hm_algo)a);
        out->min_quality_floor[a] = default_quality_floor((hm_algo)a);
    }
}

static unsigned max_radius(const hm_policy_limits *l, hm_algo a)
{
    unsigned v = l && (unsigned)a < HM_POLICY_ALGO_SLOTS ? l->max_radius[a] : 0;
    return v ? v : default_max_radius(a);
}

static unsigned quality_floor(const hm_policy_limits *l, hm_algo a)
{
    unsigned v = l && (unsigned)a < HM_POLICY_ALGO_SLOTS ? l->min_quality_floor[a] : 0;
    if (v == HM_POLICY_UNLIMITED) return 0;
    return v ? v : default_quality_floor(a);
}

hm_status hm__set_check_section_policy(const hm_set_section *s, const hm_policy_limits *l,
                                       hm_error *err)
{
    const char *name = hm_algo_name(s->algo);
    unsigned max = max_radius(l, s->algo);
    HM_RETURN_IF(s->radius > max, err, HM_E_SET_POLICY,
                 "%s radius %u is above this client's maximum radius %u", name, s->radius, max);
    /* An allowlist hash suppresses every match within allow_radius of it: a
     * wide one would hide matches far from any known false positive. */
    HM_RETURN_IF(s->allow_radius > max, err, HM_E_SET_POLICY,
                 "%s allowlist radius %u is above this client's maximum radius %u", name,
                 s->allow_radius, max);
    unsigned floor = has_quality(s->algo) ? quality_floor(l, s->algo) : 0;
    HM_RETURN_IF(s->min_quality < floor, err, HM_E_SET_POLICY,
                 "%s minimum quality %u is below this client's floor %u", name, s->min_quality,
                 floor);
    return HM_OK;
}

hm_status hm_set_check_policy(const hm_set *set, const hm_policy_limits *limits, hm_error *err)
{
    HM_RETURN_IF(!set, err, HM_E_INVALID_ARGUMENT, "a set is required");
    for (int a = 1; a <= HM_ALGO_COUNT; a++) {
        const hm_set_section *s = hm_set_section_get(set, (hm_algo)a);
        if (s) HM_FORWARD_IF_ERROR(hm__set_check_section_policy(s, limits, err));
    }
    hm__ok(err);
    return HM_OK;
}
