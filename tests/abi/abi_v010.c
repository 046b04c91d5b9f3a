/* abi_v010.c - a program written and compiled against the frozen 0.1.0
 * header (hashmatch-0.1.0.h, `git show 0b5279b:include/hashmatch.h`), run
 * against today's shared library: decoding, hashing, opening a signed set,
 * reading entries, building a scanner, scanning, reading the report, policies.
 *
 * Every struct it hands over lives in a heap block filled with a pattern
 * before its fields are set one by one: the struct's own padding is garbage,
 * as a 0.1.0 program may leave it, and so is everything after it. A library
 * that read a 0.1.0 struct with a later layout would find there a file size
 * limit of 16 bytes (decoding and hashing options: HM_E_FILE_TOO_LARGE),
 * quality floors of 0x01010101 (set and scanner options: HM_E_SET_POLICY),
 * or a forced SIMD tier that does not exist; one that wrote past a 0.1.0
 * output struct would change the canary after it. Expected hashes and
 * matches are the demo's published ones (README.md).
 *
 *   abi_v010 DEMO_DIR   (the repository's demo/ folder) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmatch-0.1.0.h"

#define POISON_LIMITS 0x0101010101010101ull /* huge ceilings and floors */
#define POISON_SIZES 16ull                    /* a 16-byte file size limit */
#define CANARY 0x5a
#define TAIL 256

static int failures, checks;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        checks++;                                                                                 \
        if (!(cond)) {                                                                            \
            printf("%s:%d: failed: %s\n", __FILE__, __LINE__, #cond);                             \
            failures++;                                                                           \
        }                                                                                         \
    } while (0)

/* A block for a struct of `size` bytes, TAIL more after: every 8 bytes
 * `pattern` (little-endian). */
static void *poisoned(size_t size, unsigned long long pattern)
{
    unsigned char *p = malloc(size + TAIL);
    if (!p) abort();
    for (size_t i = 0; i < size + TAIL; i++) p[i] = (unsigned char)(pattern >> (8 * (i % 8)));
    return p;
}

/* An output struct followed by a canary. */
static void *canaried(size_t size)
{
    unsigned char *p = malloc(size + TAIL);
    if (!p) abort();
    memset(p, 0, size);
    memset(p + size, CANARY, TAIL);
    return p;
}

static int canary_intact(const void *block, size_t size)
{
    const unsigned char *p = (const unsigned char *)block + size;
    for (size_t i = 0; i < TAIL; i++)
        if (p[i] != CANARY) return 0;
    return 1;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (!s) abort();
    snprintf(s, n, "%s/%s", dir, name);
    return s;
}

static int read_public_key(const char *path, uint8_t key[HM_ED25519_PUBLIC_BYTES])
{
    char line[512], hex[65];
    FILE *f = fopen(path, "r");
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f))
        found = sscanf(line, "key %64s", hex) == 1 &&
                hm_hex_decode(hex, key, HM_ED25519_PUBLIC_BYTES) == HM_OK;
    if (f) fclose(f);
    return found;
}

static void hex_of(const uint8_t *b, size_t n, char *out) { hm_hex_encode(b, n, out); }

static const char BRIDGE_PDQ[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
static const char BRIDGE_PHASH[] = "aca29c1c33dc23d7";
static const char BRIDGE_SHA256[] =
    "b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298";

static hm_hashes *hash_bridge(const char *bridge)
{
    hm_decode_options *d = poisoned(sizeof *d, POISON_SIZES);
    d->max_pixels = 0;
    d->apply_exif_orientation = 0;
    hm_image *img = NULL;
    hm_error err;
    CHECK(hm_image_load(bridge, d, &img, &err) == HM_OK);
    CHECK(hm_image_width(img) == 1600 && hm_image_height(img) == 1004);
    static const uint8_t TINY_PGM[] = "P5 2 1 255\n\x10\x20";
    hm_image *pgm = NULL;
    CHECK(hm_image_decode(TINY_PGM, sizeof TINY_PGM - 1, d, &pgm, &err) == HM_OK);
    CHECK(hm_image_width(pgm) == 2 && hm_image_pixels(pgm)[1] == 0x20);
    hm_image_free(pgm);

    hm_hash_options *o = poisoned(sizeof *o, POISON_SIZES);
    o->algos = HM_MASK_ALL;
    o->pdq_mode = HM_PDQ_FULLRES;
    o->pdq_dihedral = 1;
    o->decode.max_pixels = 0;
    o->decode.apply_exif_orientation = 0;
    hm_hashes *h = canaried(sizeof *h);
    char hex[HM_MAX_HEX_SIZE];
    CHECK(hm_hash_file(bridge, o, h, &err) == HM_OK);
    CHECK(canary_intact(h, sizeof *h));
    hex_of(h->pdq, HM_PDQ_BYTES, hex);
    CHECK(!strcmp(hex, BRIDGE_PDQ));
    hex_of(h->phash, HM_IMAGEHASH_BYTES, hex);
    CHECK(!strcmp(hex, BRIDGE_PHASH));
    hex_of(h->sha256, HM_SHA256_BYTES, hex);
    CHECK(!strcmp(hex, BRIDGE_SHA256));
    CHECK(h->has_pdq_dihedral && !memcmp(h->pdq_dihedral[0], h->pdq, HM_PDQ_BYTES));
    CHECK(h->width == 1600 && h->pdq_quality == 100);

    hm_hashes *hi = canaried(sizeof *hi);
    CHECK(hm_hash_image(img, o, hi, &err) == HM_OK);
    CHECK(canary_intact(hi, sizeof *hi));
    CHECK(!memcmp(hi->pdq, h->pdq, HM_PDQ_BYTES) && hi->algos == HM_MASK_PERCEPTUAL);

    uint8_t px[2 * 2 * 3] = {0};
    hm_image *raw = NULL;
    CHECK(hm_image_from_pixels(2, 2, 3, px, 6, &raw) == HM_OK);
    hm_image_free(raw);
    hm_image_free(img);
    free(hi);
    free(o);
    free(d);
    return h;
}

static hm_set *open_demo(const char *dir, const uint8_t (*key)[HM_ED25519_PUBLIC_BYTES])
{
    hm_set_open_options *o = poisoned(sizeof *o, POISON_LIMITS);
    o->trust.keys = key;
    o->trust.key_count = 1;
    o->trust.threshold = 1;
    o->trust.allow_unknown_keys = 0;
    o->min_version = 1;
    o->now = 0;
    o->max_clock_skew = 0;
    o->min_attesters = 0;
    char *path = join(dir, "demo.hmset");
    hm_set *set = NULL;
    hm_error err;
    hm_status st = hm_set_open_file(path, o, &set, &err);
    if (st != HM_OK) printf("set refused: %s\n", err.message);
    CHECK(st == HM_OK);
    free(path);
    free(o);
    return set;
}

static void check_entries_and_policy(const hm_set *set)
{
    hm_set_entry *e = canaried(sizeof *e);
    CHECK(hm_set_entry_get(set, HM_ALGO_PDQ, 2, e) == HM_OK);
    CHECK(canary_intact(e, sizeof *e));
    CHECK(e->attesters == 1 && !strcmp(e->external_id, "bridge.jpg") &&
          !strcmp(e->category_name, "demo") && e->active == 1);
    const hm_set_section *sec = hm_set_section_get(set, HM_ALGO_PDQ);
    CHECK(sec && sec->entry_count == 3 && sec->radius == 31);
    free(e);

    hm_set_policy *p = canaried(sizeof *p);
    hm_set_policy_default(HM_ALGO_PDQ, p);
    CHECK(canary_intact(p, sizeof *p));
    CHECK(p->radius == 31 && p->min_quality == 50 && p->allow_radius == 31 && p->variant == 0);
    hm_set_builder *b = NULL;
    hm_error err;
    CHECK(hm_set_builder_new(&b) == HM_OK);
    p->radius = 20;
    CHECK(hm_set_builder_set_policy(b, HM_ALGO_PDQ, p, &err) == HM_OK);
    p->radius = 300;
    CHECK(hm_set_builder_set_policy(b, HM_ALGO_PDQ, p, &err) == HM_E_INVALID_ARGUMENT);
    hm_set_builder_free(b);
    free(p);
}

static void check_scanner(const hm_set *set, const char *dir, const hm_hashes *bridge)
{
    hm_scanner_options *o = poisoned(sizeof *o, POISON_LIMITS);
    o->algos = 0;
    o->pdq_dihedral = 0;
    o->decode.max_pixels = 0;
    o->decode.apply_exif_orientation = 0;
    o->force_tier = 0;
    o->tier = HM_MATCH_TIER_SCALAR;
    o->build_threads = 1;
    hm_scanner *sc = NULL;
    hm_error err;
    hm_status st = hm_scanner_new(set, o, &sc, &err);
    if (st != HM_OK) printf("scanner refused: %s\n", err.message);
    CHECK(st == HM_OK);
    free(o);
    if (!sc) return;

    char *path = join(dir, "inbox/bridge-resized.jpg");
    hm_report *r = NULL;
    CHECK(hm_scanner_scan_file(sc, path, &r, &err) == HM_OK);
    CHECK(hm_report_match_count(r) == 3);
    const hm_match *m = hm_report_match(r, 0);
    CHECK(m && m->algo == HM_ALGO_PDQ && m->entry == 2 && m->distance == 8 &&
          !strcmp(m->external_id, "bridge.jpg") && m->attesters == 1);
    m = hm_report_match(r, 1);
    CHECK(m && m->algo == HM_ALGO_DHASH && m->entry == 1 && m->distance == 1);
    CHECK(hm_report_suppressed_count(r) == 0 && !hm_report_pdq_skipped(r));
    CHECK(hm_report_hashes(r)->algos & HM_MASK(HM_ALGO_PDQ));
    hm_report_free(r);
    free(path);

    hm_hashes *h = poisoned(sizeof *h, POISON_LIMITS);
    memcpy(h, bridge, sizeof *h);
    CHECK(hm_scanner_scan_hashes(sc, h, &r, &err) == HM_OK);
    m = hm_report_match(r, 0);
    CHECK(m && m->algo == HM_ALGO_PDQ && m->entry == 2 && m->distance == 0);
    hm_report_free(r);
    free(h);
    hm_scanner_free(sc);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DEMO_DIR\n", argv[0]);
        return 2;
    }
    CHECK(hm_version_number() >= HM_VERSION_NUMBER);
    uint8_t key[1][HM_ED25519_PUBLIC_BYTES];
    char *pub = join(argv[1], "demo.pub"), *bridge = join(argv[1], "images/bridge.jpg");
    CHECK(read_public_key(pub, key[0]));
    hm_hashes *h = hash_bridge(bridge);
    hm_set *set = open_demo(argv[1], (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])key);
    if (set) {
        check_entries_and_policy(set);
        check_scanner(set, argv[1], h);
    }
    hm_set_free(set);
    free(h);
    free(pub);
    free(bridge);
    printf("a program built against the 0.1.0 header, library %s: %d checks, %d failed\n",
           hm_version(), checks, failures);
    return failures ? 1 : 0;
}
