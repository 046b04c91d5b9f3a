/* trust_opts.c - trust options, trust files and times for the commands that
 * open sets. */
#include "trust_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "escape.h"
#include "keyfile.h"

const char CLI_TRUST_HELP[] =
    "  --trust FILE          trust file: 'key <public key> [name]' lines and\n"
    "                        'threshold K' (docs/TRUST.md)\n"
    "  --trusted-key PUB     a NAME.pub file or a public key (64 hex digits or\n"
    "                        base64); repeat for several keys\n"
    "  --threshold K         signatures needed with --trusted-key (default: all)\n"
    "  --min-version V       reject sets older than version V (store the last\n"
    "                        version you accepted and pass it here)\n"
    "  --now TIME            the current time (ISO 8601 UTC or @SECONDS;\n"
    "                        default: the system clock)\n"
    "  --allow-unknown-keys  ignore signatures by keys not in the policy\n"
    "                        (default: such a signature rejects the set)\n"
    "  --min-attesters N     entries attested by fewer organisations are not\n"
    "                        matched\n"
    "  --max-radius A=N,...  accept sets whose radius and allowlist radius for\n"
    "                        algorithm A are at most N (defaults: pdq 31, ahash\n"
    "                        dhash phash whash 10); repeatable\n"
    "  --min-quality-floor N accept sets whose PDQ minimum quality is at least N\n"
    "                        (default 50; 0: any)\n"
    "  --max-validity DAYS   reject sets whose expiry is more than DAYS after their\n"
    "                        creation (default: no limit)\n"
    "  --max-set-size N[K|M|G]\n"
    "                        reject set files larger than N bytes (KiB, MiB, GiB)\n"
    "                        before reading them (default: no limit)\n";

void cli_trust_init(cli_trust *t) { memset(t, 0, sizeof *t); }

void cli_trust_free(cli_trust *t)
{
    free(t->key_args);
    for (size_t i = 0; i < t->key_count; i++) free(t->names[i]);
    free(t->names);
    free(t->keys);
    cli_trust_init(t);
}

int cli_trust_option(cli_trust *t, int c, const char *arg, const char *cmd)
{
    uint64_t v;
    switch (c) {
    case CLI_O_TRUST:
        if (t->trust_file) return cli_usage_error(cmd, "--trust may be given once"), -1;
        t->trust_file = arg;
        break;
    case CLI_O_TRUSTED_KEY: {
        const char **k = realloc(t->key_args, (t->key_arg_count + 1) * sizeof *k);
        if (!k) return cli_error("out of memory"), -1;
        t->key_args = k;
        t->key_args[t->key_arg_count++] = arg;
        break;
    }
    case CLI_O_THRESHOLD:
        if (cli_parse_u64(arg, 1, HM_SET_MAX_TRUSTED_KEYS, &v))
            return cli_usage_error(cmd, "--threshold takes 1..%d", HM_SET_MAX_TRUSTED_KEYS), -1;
        t->threshold = (unsigned)v;
        break;
    case CLI_O_MIN_VERSION:
        if (cli_parse_u64(arg, 0, UINT64_MAX, &t->min_version))
            return cli_usage_error(cmd, "--min-version takes a non-negative integer"), -1;
        return 1;
    case CLI_O_NOW:
        if (cli_parse_time(arg, 0, &t->now) || t->now == 0)
            return cli_usage_error(cmd, "--now takes an ISO 8601 UTC time or @SECONDS"), -1;
        return 1;
    case CLI_O_ALLOW_UNKNOWN_KEYS: t->allow_unknown_keys = 1; break;
    case CLI_O_MIN_ATTESTERS:
        if (cli_parse_u64(arg, 0, 65535, &v))
            return cli_usage_error(cmd, "--min-attesters takes 0..65535"), -1;
        t->min_attesters = (unsigned)v;
        return 1;
    case CLI_O_MAX_VALIDITY:
        if (cli_parse_u64(arg, 1, 100000, &v))
            return cli_usage_error(cmd, "--max-validity takes 1..100000 days"), -1;
        t->opt.max_validity = v * 86400;
        return 1;
    case CLI_O_MAX_SET_SIZE:
        if (cli_parse_size(arg, &t->opt.max_set_bytes))
            return cli_usage_error(cmd, "--max-set-size takes 1 byte to 1 TiB: N, NK, NM or NG"),
                   -1;
        return 1;
    case CLI_O_MAX_RADIUS:
    case CLI_O_MIN_QUALITY_FLOOR: {
        const char *why;
        if (cli_parse_limits(arg, c == CLI_O_MIN_QUALITY_FLOOR, &t->opt.limits, &why))
            return cli_usage_error(cmd, "%s '%s': %s",
                                   c == CLI_O_MAX_RADIUS ? "--max-radius" : "--min-quality-floor",
                                   arg, why), -1;
        return 1;
    }
    default: return 0;
    }
    t->given = 1;
    return 1;
}

/* ---- limits on a set's policy ---- */

static int parse_limit(char *tok, int quality, hm_policy_limits *l, const char **why)
{
    char *eq = strchr(tok, '=');
    hm_algo a = HM_ALGO_PDQ;
    uint64_t v;
    if (eq) *eq = '\0';
    if (eq && hm_algo_from_name(tok, &a) != HM_OK) return *why = "unknown algorithm", -1;
    const char *num = eq ? eq + 1 : tok;
    if (!eq && !quality) return *why = "expected algo=N", -1;
    if (quality) {
        if (a != HM_ALGO_PDQ) return *why = "only pdq hashes have a quality", -1;
        if (cli_parse_u64(num, 0, 100, &v)) return *why = "the floor is 0..100", -1;
        l->min_quality_floor[a] = v ? (unsigned)v : HM_POLICY_UNLIMITED;
        return 0;
    }
    if (!hm_algo_is_perceptual(a)) return *why = "digests always match exactly", -1;
    /* 0 would read as "the default" in hm_policy_limits. */
    if (cli_parse_u64(num, 1, hm_algo_hash_size(a) * 8, &v))
        return *why = "N is 1 up to the hash's bits (leave an algorithm out with --algo)", -1;
    l->max_radius[a] = (unsigned)v;
    return 0;
}

int cli_parse_limits(const char *list, int quality, hm_policy_limits *l, const char **why)
{
    char *copy = strdup(list), *save = NULL;
    int rc = copy && *copy ? 0 : -1;
    *why = copy ? "empty" : "out of memory";
    for (char *tok = rc ? NULL : strtok_r(copy, ",", &save); tok && rc == 0;
         tok = strtok_r(NULL, ",", &save))
        rc = parse_limit(tok, quality, l, why);
    free(copy);
    return rc;
}

/* ---- collecting keys ---- */

static int add_key(cli_trust *t, const uint8_t key[HM_ED25519_PUBLIC_BYTES], const char *name,
                   const char *where)
{
    char a[CLI_ESCAPE_SIZE], b[CLI_ESCAPE_SIZE];
    hm_error e;
    if (hm_key_check(key, &e) != HM_OK) {
        cli_error("%s: refusing key '%s': %s", where, cli_escape_into(name, a, sizeof a), e.message);
        return -1;
    }
    for (size_t i = 0; i < t->key_count; i++) {
        if (memcmp(t->keys[i], key, HM_ED25519_PUBLIC_BYTES)) continue;
        cli_error("%s: the same key is listed twice ('%s', also as '%s')", where,
                  cli_escape_into(name, a, sizeof a), cli_escape_into(t->names[i], b, sizeof b));
        return -1;
    }
    if (t->key_count >= HM_SET_MAX_TRUSTED_KEYS) {
        cli_error("%s: more than %d trusted keys", where, HM_SET_MAX_TRUSTED_KEYS);
        return -1;
    }
    if (!t->keys) {
        t->keys = calloc(HM_SET_MAX_TRUSTED_KEYS, sizeof *t->keys);
        t->names = calloc(HM_SET_MAX_TRUSTED_KEYS, sizeof *t->names);
        if (!t->keys || !t->names) return cli_error("out of memory"), -1;
    }
    t->names[t->key_count] = strdup(name);
    if (!t->names[t->key_count]) return cli_error("out of memory"), -1;
    memcpy(t->keys[t->key_count++], key, HM_ED25519_PUBLIC_BYTES);
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

/* One line of a trust file (or of a NAME.pub, which is a trust file with
 * one key and no threshold). */
static int trust_line(cli_trust *t, char *line, const char *path, unsigned lineno,
                      unsigned *threshold, const char *default_name)
{
    char where[4200];
    snprintf(where, sizeof where, "%s:%u", path, lineno);
    /* A comment runs from a '#' at the start or after a blank to the end. */
    for (char *h = strchr(line, '#'); h; h = strchr(h + 1, '#'))
        if (h == line || h[-1] == ' ' || h[-1] == '\t') {
            *h = '\0';
            break;
        }
    char *s = trim(line);
    if (!*s) return 0;
    char *word = s;
    s += strcspn(s, " \t");
    if (*s) *s++ = '\0';
    s = trim(s);
    if (!strcmp(word, "key")) {
        char *keytext = s;
        s += strcspn(s, " \t");
        if (*s) *s++ = '\0';
        char *name = trim(s);
        uint8_t key[HM_ED25519_PUBLIC_BYTES];
        char esc[CLI_ESCAPE_SIZE];
        if (cli_parse_public_key(keytext, key)) {
            cli_error("%s: '%s' is not an Ed25519 public key (64 hex digits or 44 base64 "
                      "characters)", where, cli_escape_into(keytext, esc, sizeof esc));
            return -1;
        }
        return add_key(t, key, *name ? name : default_name, where);
    }
    if (!strcmp(word, "threshold")) {
        uint64_t v;
        if (*threshold || cli_parse_u64(s, 1, HM_SET_MAX_TRUSTED_KEYS, &v)) {
            cli_error("%s: 'threshold' takes one number 1..%d, once", where,
                      HM_SET_MAX_TRUSTED_KEYS);
            return -1;
        }
        *threshold = (unsigned)v;
        return 0;
    }
    if (!strcmp(word, "allow-unknown-keys") && !*s) {
        t->allow_unknown_keys = 1;
        return 0;
    }
    char esc[CLI_ESCAPE_SIZE];
    cli_error("%s: unknown line '%s' (expected 'key', 'threshold' or 'allow-unknown-keys')",
              where, cli_escape_into(word, esc, sizeof esc));
    return -1;
}

/* Every line of a NUL-terminated text of `size` bytes. */
static int parse_lines(cli_trust *t, const char *path, char *text, size_t size,
                       unsigned *threshold, const char *name)
{
    char esc[CLI_ESCAPE_SIZE];
    if (memchr(text, 0, size)) {
        cli_error("%s: not a text file", cli_escape_into(path, esc, sizeof esc));
        return -1;
    }
    int rc = 0;
    unsigned lineno = 0;
    for (char *line = text, *next; line && rc == 0; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        lineno++;
        if (!*line && !next) break; /* after the last newline */
        rc = trust_line(t, line, path, lineno, threshold, name);
    }
    return rc;
}

int cli_trust_parse_file(cli_trust *t, const char *path, char *text, size_t size)
{
    unsigned threshold = 0;
    if (parse_lines(t, path, text, size, &threshold, "(unnamed)")) return -1;
    if (t->key_count == 0 || threshold == 0) {
        cli_error("%s: a trust file needs at least one 'key' line and a 'threshold' line", path);
        return -1;
    }
    if (threshold > t->key_count) {
        cli_error("%s: threshold %u but only %zu keys", path, threshold, t->key_count);
        return -1;
    }
    t->threshold = threshold;
    return 0;
}

int cli_trust_parse_pub(cli_trust *t, const char *path, char *text, size_t size)
{
    size_t before = t->key_count;
    unsigned threshold = 0;
    if (parse_lines(t, path, text, size, &threshold, path)) return -1;
    if (t->key_count != before + 1 || threshold) {
        cli_error("%s: a public key file holds exactly one 'key' line (use --trust for a trust "
                  "file)", path);
        return -1;
    }
    return 0;
}

/* Reads `path` and hands its text to `parse`. */
static int load_text(cli_trust *t, const char *path,
                     int (*parse)(cli_trust *, const char *, char *, size_t))
{
    uint8_t *text;
    size_t n;
    if (cli_read_all(path, &text, &n) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = parse(t, path, (char *)text, n);
    free(text);
    return rc;
}

static int load_key_arg(cli_trust *t, const char *arg)
{
    struct stat st;
    uint8_t key[HM_ED25519_PUBLIC_BYTES];
    if (stat(arg, &st) != 0) {
        if (cli_parse_public_key(arg, key) == 0) return add_key(t, key, arg, "--trusted-key");
        char esc[CLI_ESCAPE_SIZE];
        cli_error("--trusted-key %s: no such file, and not a public key",
                  cli_escape_into(arg, esc, sizeof esc));
        return -1;
    }
    return load_text(t, arg, cli_trust_parse_pub);
}

int cli_trust_finish(cli_trust *t, const char *cmd, int required)
{
    if (t->trust_file && (t->key_arg_count || t->threshold)) {
        cli_usage_error(cmd, "--trust and --trusted-key/--threshold are exclusive");
        return -1;
    }
    if (!t->trust_file && !t->key_arg_count) {
        if (t->threshold) return cli_usage_error(cmd, "--threshold needs --trusted-key"), -1;
        if (required) return cli_usage_error(cmd, "give --trust FILE or --trusted-key PUB"), -1;
        return 0;
    }
    if (t->trust_file) {
        if (load_text(t, t->trust_file, cli_trust_parse_file)) return -1;
    } else {
        for (size_t i = 0; i < t->key_arg_count; i++)
            if (load_key_arg(t, t->key_args[i])) return -1;
        if (!t->threshold) t->threshold = (unsigned)t->key_count;
        if (t->threshold > t->key_count) {
            cli_usage_error(cmd, "--threshold %u but only %zu trusted keys", t->threshold,
                            t->key_count);
            return -1;
        }
    }
    t->opt.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])t->keys;
    t->opt.trust.key_count = t->key_count;
    t->opt.trust.threshold = t->threshold;
    t->opt.trust.allow_unknown_keys = t->allow_unknown_keys;
    t->opt.min_version = t->min_version;
    t->opt.now = t->now;
    t->opt.min_attesters = t->min_attesters;
    return 0;
}

const char *cli_trust_key_name(const cli_trust *t, size_t i)
{
    return i < t->key_count ? t->names[i] : "?";
}

int cli_set_exit_status(hm_status st)
{
    /* The set statuses 40..79: the set is refused (including a weak trusted
     * key and a policy beyond this client's limits), as is a set larger than
     * --max-set-size (the only file limit on opening a set). */
    int refused = st >= HM_E_SET_MAGIC && st < HM_E_SCAN_NO_ALGORITHM;
    return refused || st == HM_E_FILE_TOO_LARGE ? 1 : 2;
}

/* ---- times ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int days_in_month(unsigned y, unsigned m)
{
    static const int D[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return D[m - 1] + (m == 2 && leap);
}

/* Reads exactly `n` digits. */
static int digits(const char **s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (unsigned)(c - '0');
    }
    *s += n;
    *out = v;
    return 0;
}

static int parse_relative(const char *s, uint64_t base, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s + 1, &end, 10);
    if (errno || end == s + 1 || end[1] || (*end != 'd' && *end != 'h')) return -1;
    uint64_t unit = *end == 'd' ? 86400 : 3600;
    if (n > (UINT64_MAX - base) / unit) return -1;
    *out = base + n * unit;
    return 0;
}

int cli_parse_time(const char *s, uint64_t base, uint64_t *out)
{
    if (*s == '@') return cli_parse_u64(s + 1, 0, UINT64_MAX, out);
    if (*s == '+') return base ? parse_relative(s, base, out) : -1;
    unsigned y, mo, d, h = 0, mi = 0, sec = 0;
    if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
        digits(&s, 2, &d))
        return -1;
    if (*s == 'T' || *s == ' ') {
        s++;
        if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi)) return -1;
        if (*s == ':' && (s++, digits(&s, 2, &sec))) return -1;
        if (!strcmp(s, "Z") || !strcmp(s, "+00:00") || !strcmp(s, "+0000")) s += strlen(s);
    }
    if (*s || y < 1970 || mo < 1 || mo > 12 || d < 1 || (int)d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || sec > 59)
        return -1;
    *out = (uint64_t)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}

void cli_format_time(uint64_t t, char out[CLI_TIME_SIZE])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if ((uint64_t)tt != t || !gmtime_r(&tt, &tm) ||
        !strftime(out, CLI_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, CLI_TIME_SIZE, "@%llu", (unsigned long long)t);
}

uint64_t cli_time_now(void)
{
    time_t t = time(NULL);
    return t > 0 ? (uint64_t)t : 0;
}
