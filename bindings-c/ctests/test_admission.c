/* The admission path for a webhook: the policy cache (bounds, counters, shared by threads),
 * audit mode, the excluded namespace, and the per-container outcomes of
 * imgrepl_admission_review_outcome (TAP, run by `prove`, under valgrind and ASAN+UBSAN). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "imgrepl.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define THREADS 4
#define ROUNDS 100

/* An AdmissionReview of a Pod in namespace `ns` whose annotation holds `policy` (a JSON string
 * literal's contents, already escaped) and whose containers are `containers` (JSON). */
static void review(char *out, size_t cap, const char *ns, const char *policy, const char *containers) {
    snprintf(out, cap,
             "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u-1\","
             " \"operation\": \"CREATE\", \"namespace\": \"%s\", \"object\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\","
             " \"metadata\": {\"annotations\": {\"coordinator.cci.io/image-replacement\": \"%s\"}},"
             " \"spec\": {\"imagePullSecrets\": [{\"name\": \"m\"}], \"containers\": %s}}}}",
             ns, policy, containers);
}

static const char POLICY[] =
    "[{\\\"repositoryPrefix\\\": \\\"\\\", \\\"replaceWith\\\": \\\"m.io/hub\\\"},"
    " {\\\"repositoryPrefix\\\": \\\"harbor.domain\\\", \\\"replaceWith\\\": \\\"m.io/h\\\"}]";

static const char CONTAINERS[] =
    "[{\"name\": \"web\", \"image\": \"nginx\"}, {\"name\": \"h\", \"image\": \"harbor.domain/x/y:1\"},"
    " {\"name\": \"q\", \"image\": \"quay.io/a/b\"}, {\"name\": \"bad\", \"image\": \"Bad\"}]";

static size_t count(imgrepl_string s, const char *needle) {
    size_t n = 0;
    for (const char *p = s.ptr; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

static void test_cache_new(void) {
    imgrepl_policy_cache *cache = NULL;
    imgrepl_error *error = NULL;
    is_status(imgrepl_policy_cache_new(0, 1024, &cache, &error), IMGREPL_STATUS_INVALID_ARGUMENT, "0 entries");
    ok(cache == NULL && error != NULL, "  nothing made, an error");
    imgrepl_str code = imgrepl_error_code(error);
    is_str(code.ptr, code.len, "invalid-argument", "  its code");
    imgrepl_error_free(error);
    is_status(imgrepl_policy_cache_new(8, 0, &cache, NULL), IMGREPL_STATUS_INVALID_ARGUMENT, "0 bytes");
    is_status(imgrepl_policy_cache_new(8, 1024, NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "NULL out");
    imgrepl_cache_stats stats = {1, 1, 1, 1, 1};
    is_status(imgrepl_policy_cache_stats(NULL, &stats), IMGREPL_STATUS_NULL_ARGUMENT, "stats: NULL cache");
    ok(stats.hits == 1, "  stats not written");
    is_status(imgrepl_policy_cache_new(8, 1 << 20, &cache, NULL), IMGREPL_STATUS_OK, "a cache");
    is_status(imgrepl_policy_cache_stats(cache, &stats), IMGREPL_STATUS_OK, "stats");
    ok(stats.hits == 0 && stats.misses == 0 && stats.evictions == 0 && stats.entries == 0 && stats.bytes == 0,
       "  all zero");
    is_status(imgrepl_workload_options_set_cache(NULL, cache), IMGREPL_STATUS_NULL_ARGUMENT, "set_cache: NULL options");
    imgrepl_policy_cache_free(cache);
    imgrepl_policy_cache_free(NULL);
}

/* The same answer with and without a cache; the counters count it. Two entries at most: the
 * third policy evicts the least recently used. */
static void test_cache_reviews(void) {
    imgrepl_policy_cache *cache = NULL;
    imgrepl_policy_cache_new(2, 1 << 20, &cache, NULL);
    imgrepl_workload_options *plain = NULL, *cached = NULL;
    imgrepl_workload_options_new(NULL, &plain);
    imgrepl_workload_options_new(NULL, &cached);
    is_status(imgrepl_workload_options_set_cache(cached, cache), IMGREPL_STATUS_OK, "set_cache");
    const char *policies[] = {POLICY, POLICY, "not json", "[]", POLICY};
    for (size_t i = 0; i < N(policies); i++) {
        char body[4096];
        review(body, sizeof body, "shop", policies[i], CONTAINERS);
        imgrepl_string a = {0}, b = {0};
        is_status(imgrepl_admission_review_with_options(body, strlen(body), plain, &a, NULL, NULL), IMGREPL_STATUS_OK,
                  "review %zu without a cache", i);
        is_status(imgrepl_admission_review_with_options(body, strlen(body), cached, &b, NULL, NULL), IMGREPL_STATUS_OK,
                  "  with the cache");
        ok(a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0, "  the same response");
        imgrepl_string_free(&a);
        imgrepl_string_free(&b);
    }
    imgrepl_cache_stats stats;
    imgrepl_policy_cache_stats(cache, &stats);
    /* POLICY miss, hit; "not json" miss; "[]" miss evicts POLICY; POLICY miss evicts "not json". */
    ok(stats.hits == 1 && stats.misses == 4 && stats.evictions == 2 && stats.entries == 2 && stats.bytes > 0,
       "counters: %llu hits, %llu misses, %llu evictions, %llu entries, %llu bytes", (unsigned long long)stats.hits,
       (unsigned long long)stats.misses, (unsigned long long)stats.evictions, (unsigned long long)stats.entries,
       (unsigned long long)stats.bytes);
    imgrepl_workload_options_free(plain);
    imgrepl_workload_options_free(cached);
    imgrepl_policy_cache_free(cache);
}

struct job {
    const imgrepl_workload_options *options;
    int wrong;
};

static void *reviewer(void *arg) {
    struct job *job = arg;
    char body[4096];
    review(body, sizeof body, "shop", POLICY, CONTAINERS);
    for (int r = 0; r < ROUNDS; r++) {
        imgrepl_string response = {0};
        imgrepl_admission_info info = {0, false};
        if (imgrepl_admission_review_with_options(body, strlen(body), job->options, &response, &info, NULL) !=
                IMGREPL_STATUS_OK ||
            info.patch_ops != 2 || !info.has_errors)
            job->wrong++;
        imgrepl_string_free(&response);
    }
    return NULL;
}

static void test_cache_threads(void) {
    imgrepl_policy_cache *cache = NULL;
    imgrepl_policy_cache_new(16, 1 << 20, &cache, NULL);
    imgrepl_workload_options *o = NULL;
    imgrepl_workload_options_new(NULL, &o);
    imgrepl_workload_options_set_cache(o, cache);
    pthread_t threads[THREADS];
    struct job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (struct job){o, 0};
        pthread_create(&threads[t], NULL, reviewer, &jobs[t]);
    }
    int wrong = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        wrong += jobs[t].wrong;
    }
    ok(wrong == 0, "%d threads share one cache: %d wrong answers", THREADS, wrong);
    imgrepl_cache_stats stats;
    imgrepl_policy_cache_stats(cache, &stats);
    ok(stats.hits + stats.misses == THREADS * ROUNDS && stats.entries == 1 && stats.misses >= 1 &&
           stats.misses <= THREADS,
       "  %llu hits, %llu misses, one entry", (unsigned long long)stats.hits, (unsigned long long)stats.misses);
    imgrepl_workload_options_free(o);
    imgrepl_policy_cache_free(cache);
}

static void test_outcomes(void) {
    static const struct {
        int audit;
        const char *exclude; /* the excluded namespace, or NULL */
        const char *ns;
        size_t patch_ops;
        const char *excluded;
        size_t containers;
    } cases[] = {
        {0, NULL, "shop", 2, "", 4},
        {1, NULL, "shop", 0, "", 4},
        {0, "imgrepl-system", "shop", 2, "", 4},
        {0, "shop", "shop", 0, "excluded-namespace", 0},
        {1, "shop", "shop", 0, "excluded-namespace", 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        imgrepl_workload_options *o = NULL;
        imgrepl_workload_options_new(NULL, &o);
        is_status(imgrepl_workload_options_set_audit(o, cases[i].audit), IMGREPL_STATUS_OK, "case %zu: audit %d", i,
                  cases[i].audit);
        if (cases[i].exclude != NULL)
            is_status(imgrepl_workload_options_set_exclude_namespace(o, cases[i].exclude, strlen(cases[i].exclude)),
                      IMGREPL_STATUS_OK, "  exclude namespace %s", cases[i].exclude);
        char body[4096];
        review(body, sizeof body, cases[i].ns, POLICY, CONTAINERS);
        imgrepl_string response = {0};
        imgrepl_admission_outcome *outcome = NULL;
        is_status(imgrepl_admission_review_outcome(body, strlen(body), o, &response, &outcome, NULL),
                  IMGREPL_STATUS_OK, "  review");
        imgrepl_admission_info info = {99, false};
        is_status(imgrepl_admission_outcome_info(outcome, &info), IMGREPL_STATUS_OK, "  info");
        ok(info.patch_ops == cases[i].patch_ops, "  %zu patch ops", info.patch_ops);
        ok(info.has_errors == (cases[i].containers > 0), "  has_errors %d", info.has_errors);
        ok(count(response, "\"patch\"") == (cases[i].patch_ops > 0), "  a patch in the body: %d",
           cases[i].patch_ops > 0);
        ok(count(response, "imgrepl: audit: would rewrite") == (cases[i].audit && cases[i].containers ? 2u : 0u),
           "  audit warnings");
        imgrepl_str excluded = imgrepl_admission_outcome_excluded(outcome);
        is_str(excluded.ptr, excluded.len, cases[i].excluded, "  excluded");
        const imgrepl_container_outcome *items = NULL;
        size_t len = 99;
        is_status(imgrepl_admission_outcome_containers(outcome, &items, &len), IMGREPL_STATUS_OK, "  containers");
        ok(len == cases[i].containers, "  %zu containers", len);
        if (len == 4) {
            ok(items[0].outcome == IMGREPL_OUTCOME_REWRITTEN && items[0].rule == 0 && items[0].code.ptr == NULL,
               "  nginx: rewritten by rule 0");
            is_str(items[0].prefix.ptr, items[0].prefix.len, "", "  its prefix is empty");
            ok(items[1].outcome == IMGREPL_OUTCOME_REWRITTEN && items[1].rule == 1, "  harbor: rewritten by rule 1");
            is_str(items[1].prefix.ptr, items[1].prefix.len, "harbor.domain", "  its prefix");
            ok(items[2].outcome == IMGREPL_OUTCOME_UNCHANGED && items[2].rule == -1 && items[2].prefix.ptr == NULL,
               "  quay: unchanged");
            ok(items[3].outcome == IMGREPL_OUTCOME_ERROR && items[3].rule == -1, "  Bad: an error");
            is_str(items[3].code.ptr, items[3].code.len, "uppercase", "  its code");
        }
        imgrepl_admission_outcome_free(outcome);
        imgrepl_string_free(&response);
        imgrepl_workload_options_free(o);
    }

    /* Outcome optional; errors write nothing. */
    char body[4096];
    review(body, sizeof body, "shop", POLICY, CONTAINERS);
    imgrepl_string response = {0};
    is_status(imgrepl_admission_review_outcome(body, strlen(body), NULL, &response, NULL, NULL), IMGREPL_STATUS_OK,
              "no outcome asked for");
    ok(count(response, "\"patch\"") == 1, "  the response has its patch");
    imgrepl_string_free(&response);
    imgrepl_admission_outcome *outcome = NULL;
    imgrepl_error *error = NULL;
    is_status(imgrepl_admission_review_outcome("{}", 2, NULL, &response, &outcome, &error),
              IMGREPL_STATUS_INVALID_REVIEW, "not a review");
    ok(outcome == NULL && response.ptr == NULL && error != NULL, "  only the error is written");
    imgrepl_error_free(error);
    const imgrepl_container_outcome *items = NULL;
    size_t len = 0;
    is_status(imgrepl_admission_outcome_containers(NULL, &items, &len), IMGREPL_STATUS_NULL_ARGUMENT,
              "containers: NULL outcome");
    imgrepl_str excluded = imgrepl_admission_outcome_excluded(NULL);
    ok(excluded.ptr == NULL && excluded.len == 0, "excluded: NULL outcome");
    imgrepl_admission_outcome_free(NULL);
    is_status(imgrepl_workload_options_set_audit(NULL, true), IMGREPL_STATUS_NULL_ARGUMENT, "set_audit: NULL options");
    is_status(imgrepl_workload_options_set_exclude_namespace(NULL, "a", 1), IMGREPL_STATUS_NULL_ARGUMENT,
              "set_exclude_namespace: NULL options");
}

/* An object that opts out, and the CCI 2.0 bursting label, through the C options. */
static void test_excluded_and_bursting(void) {
    const char *reviews[] = {
        "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u\","
        " \"operation\": \"CREATE\", \"object\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"labels\":"
        " {\"imgrepl.io/exclude\": \"true\"}, \"annotations\": {\"coordinator.cci.io/image-replacement\":"
        " \"[{\\\"repositoryPrefix\\\": \\\"\\\", \\\"replaceWith\\\": \\\"m.io/hub\\\"}]\"}},"
        " \"spec\": {\"containers\": [{\"image\": \"nginx\"}]}}}}",
        "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u\","
        " \"operation\": \"CREATE\", \"object\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"labels\":"
        " {\"bursting.cci.io/burst-to-cci\": \"off\"}, \"annotations\": {\"coordinator.cci.io/image-replacement\":"
        " \"[{\\\"repositoryPrefix\\\": \\\"\\\", \\\"replaceWith\\\": \\\"m.io/hub\\\"}]\"}},"
        " \"spec\": {\"containers\": [{\"image\": \"nginx\"}]}}}}",
    };
    const char *excluded[] = {"excluded", ""};
    imgrepl_workload_options *o = NULL;
    imgrepl_workload_options_new(NULL, &o);
    imgrepl_workload_options_set_burst(o, IMGREPL_BURST_MODE_AUTO | IMGREPL_BURST_MODE_ENFORCE);
    for (size_t i = 0; i < N(reviews); i++) {
        imgrepl_string response = {0};
        imgrepl_admission_outcome *outcome = NULL;
        is_status(imgrepl_admission_review_outcome(reviews[i], strlen(reviews[i]), o, &response, &outcome, NULL),
                  IMGREPL_STATUS_OK, "review %zu", i);
        imgrepl_str e = imgrepl_admission_outcome_excluded(outcome);
        is_str(e.ptr, e.len, excluded[i], "  excluded");
        ok(count(response, "\"patch\"") == 0, "  no patch");
        ok(count(response, i == 0 ? "imgrepl: excluded: the Pod's label" : "the bursting label \\\"off\\\"") == 1,
           "  the warning says why");
        imgrepl_admission_outcome_free(outcome);
        imgrepl_string_free(&response);
    }
    imgrepl_workload_options_free(o);
}

int main(void) {
    test_cache_new();
    test_cache_reviews();
    test_cache_threads();
    test_outcomes();
    test_excluded_and_bursting();
    return done_testing();
}
