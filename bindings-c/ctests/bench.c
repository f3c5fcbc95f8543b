/* One rewrite through the C API, and the batch call per image, timed over the shared corpus
 * (testdata/bench-images.txt and bench-policy.json, paths given as arguments), for
 * `cargo xtask bench-ffi`. Prints "check <bytes>" and "<name> <ns per image>" lines. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imgrepl.h"

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench POLICY.json IMAGES.txt\n");
        return 2;
    }
    size_t plen = 0, ilen = 0;
    char *json = slurp(argv[1], &plen);
    char *text = slurp(argv[2], &ilen);
    if (!json || !text) {
        fprintf(stderr, "cannot read the corpus\n");
        return 2;
    }
    imgrepl_policy *policy = NULL;
    if (imgrepl_policy_parse(json, plen, &policy, NULL) != IMGREPL_STATUS_OK) {
        fprintf(stderr, "the policy does not parse\n");
        return 1;
    }
    /* Split the lines in place: the concatenation and lengths also feed the batch call. */
    const char *images[256];
    size_t lens[256], n = 0;
    char *all = malloc(ilen + 1);
    size_t all_len = 0;
    for (char *line = strtok(text, "\n"); line && n < 256; line = strtok(NULL, "\n")) {
        images[n] = line;
        lens[n] = strlen(line);
        memcpy(all + all_len, line, lens[n]);
        all_len += lens[n];
        n++;
    }
    char buf[512];
    size_t out_len = 0, check = 0;
    for (size_t i = 0; i < n; i++) {
        if (imgrepl_policy_rewrite(policy, images[i], lens[i], buf, sizeof buf, &out_len, NULL, NULL) != IMGREPL_STATUS_OK) {
            fprintf(stderr, "cannot rewrite %s\n", images[i]);
            return 1;
        }
        check += out_len;
    }
    printf("check %zu\n", check);

    double start = now(), passes = 0;
    while (now() - start < 5e8) {
        for (int k = 0; k < 100; k++) {
            for (size_t i = 0; i < n; i++) {
                imgrepl_policy_rewrite(policy, images[i], lens[i], buf, sizeof buf, &out_len, NULL, NULL);
            }
        }
        passes += 100;
    }
    printf("c/imgrepl_policy_rewrite %.1f\n", (now() - start) / (passes * (double)n));

    start = now();
    passes = 0;
    while (now() - start < 5e8) {
        for (int k = 0; k < 100; k++) {
            imgrepl_batch *batch = NULL;
            imgrepl_policy_rewrite_batch(policy, all, all_len, lens, n, &batch);
            imgrepl_batch_free(batch);
        }
        passes += 100;
    }
    printf("c/imgrepl_policy_rewrite_batch %.1f\n", (now() - start) / (passes * (double)n));

    /* The batch into the caller's memory (what the Go package calls): no allocation. */
    imgrepl_batch_entry entries[256];
    char out[256 * 512];
    start = now();
    passes = 0;
    while (now() - start < 5e8) {
        for (int k = 0; k < 100; k++) {
            imgrepl_policy_rewrite_batch_into(policy, all, all_len, lens, n, entries, out, sizeof out, &out_len);
        }
        passes += 100;
    }
    printf("c/imgrepl_policy_rewrite_batch_into %.1f\n", (now() - start) / (passes * (double)n));
    imgrepl_policy_free(policy);
    free(all);
    free(json);
    free(text);
    return 0;
}
