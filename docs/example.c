/* example.c - the library in one page: open a signed set with a trust
 * policy, build a scanner once, scan an image, read the report.
 *
 *   cc example.c $(pkg-config --cflags --libs hashmatch) -o example
 *   ./example demo/demo.hmset demo/demo.pub demo/inbox/bridge-resized.jpg
 *
 * Exit status: 0 no match, 1 match, 2 error (like `hashmatch scan`). */
#include <stdio.h>
#include <string.h>

#include <hashmatch.h>

/* Reads the 64 hex digits after "key " in a NAME.pub file. */
static int read_public_key(const char *path, uint8_t key[HM_ED25519_PUBLIC_BYTES])
{
    char line[512], hex[65];
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = sscanf(line, "key %64s", hex) == 1 &&
                hm_hex_decode(hex, key, HM_ED25519_PUBLIC_BYTES) == HM_OK;
    fclose(f);
    return found ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s SET PUBLIC_KEY IMAGE\n", argv[0]);
        return 2;
    }
    uint8_t key[1][HM_ED25519_PUBLIC_BYTES];
    if (read_public_key(argv[2], key[0]) != 0) {
        fprintf(stderr, "%s: no public key\n", argv[2]);
        return 2;
    }

    /* Trust one key, require its signature; store the version you accept and
     * pass it as min_version next time (rollback protection). */
    hm_set_open_options opt;
    memset(&opt, 0, sizeof opt);
    opt.trust.keys = (const uint8_t(*)[HM_ED25519_PUBLIC_BYTES])key;
    opt.trust.key_count = 1;
    opt.trust.threshold = 1;
    opt.min_version = 1;

    hm_error err;
    hm_set *set = NULL;
    if (hm_set_open_file(argv[1], &opt, &set, &err) != HM_OK) {
        fprintf(stderr, "set refused: %s (%s)\n", err.message, hm_status_name(err.status));
        return 2;
    }
    hm_scanner *scanner = NULL; /* build once, share between threads */
    if (hm_scanner_new(set, NULL, &scanner, &err) != HM_OK) {
        fprintf(stderr, "scanner: %s\n", err.message);
        hm_set_free(set);
        return 2;
    }

    hm_report *report = NULL;
    int status = 2;
    if (hm_scanner_scan_file(scanner, argv[3], &report, &err) != HM_OK) {
        fprintf(stderr, "%s: %s\n", argv[3], err.message);
    } else {
        size_t n = hm_report_match_count(report);
        for (size_t i = 0; i < n; i++) {
            const hm_match *m = hm_report_match(report, i);
            printf("%s matches %s entry %zu (%s) at distance %u\n", argv[3],
                   hm_algo_name(m->algo), m->entry, m->category_name, m->distance);
        }
        if (n == 0) printf("%s: no match\n", argv[3]);
        status = n ? 1 : 0;
    }
    hm_report_free(report);
    hm_scanner_free(scanner);
    hm_set_free(set);
    return status;
}
