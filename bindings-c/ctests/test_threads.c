/* One const imgrepl_policy shared by many threads, each rewriting and checking results; with it
 * one const corpus, workload options and pull secrets, filled before the threads start.
 * Run under valgrind (helgrind is not needed: the objects are immutable) and ASAN+UBSAN. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "imgrepl.h"
#include "tap.h"

#define THREADS 8
#define ROUNDS 500

static const char POLICY[] =
    "[{\"repositoryPrefix\": \"harbor.domain\", \"replaceWith\": \"swr.cn-north-4.myhuaweicloud.com/org1\"},"
    " {\"repositoryPrefix\": \"\", \"replaceWith\": \"swr.cn-north-4.myhuaweicloud.com/org1\"},"
    " {\"repositoryPrefix\": \"harbor.domain/a/b/c/d\", \"replaceWith\": \"swr.cn-north-4.myhuaweicloud.com/org2\"}]";

static const char *CASES[][2] = {
    {"harbor.domain/ubuntu:latest", "swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest"},
    {"nginx:latest", "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest"},
    {"harbor.domain/a/b/c/d/redis:latest", "swr.cn-north-4.myhuaweicloud.com/org2/redis:latest"},
    {"quay.io/x/y:1", "quay.io/x/y:1"},
};
#define NCASES (sizeof CASES / sizeof CASES[0])

static const char POD[] =
    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"labels\": {\"virtual-kubelet.io/burst-to-cci\": \"auto\"}},"
    " \"spec\": {\"imagePullSecrets\": [{\"name\": \"quay\"}], \"containers\": [{\"name\": \"c\", \"image\": \"nginx:1\"}]}}";

struct job {
    const imgrepl_policy *policy;
    const imgrepl_corpus *corpus;
    const imgrepl_workload_options *options;
    imgrepl_coverage_summary coverage; /* what the main thread computed */
    int id;
    int wrong;
};

/* The toolkit from a thread: the same coverage as the main thread's, and a workload rewrite with
 * the shared options (burst auto, pull secrets that do not cover the mirror). */
static void toolkit(struct job *job) {
    imgrepl_string json = {0};
    imgrepl_coverage_summary got;
    if (imgrepl_policy_coverage(job->policy, job->corpus, &json, &got) != IMGREPL_STATUS_OK ||
        memcmp(&got, &job->coverage, sizeof got) != 0) {
        job->wrong++;
    }
    imgrepl_string_free(&json);
    if (imgrepl_workload_rewrite_with_options(POD, strlen(POD), job->options, &json, NULL) != IMGREPL_STATUS_OK ||
        strstr(json.ptr, "\"value\":\"swr.cn-north-4.myhuaweicloud.com/org1/nginx:1\"") == NULL ||
        strstr(json.ptr, "\"code\":\"pull-secret-uncovered\"") == NULL) {
        job->wrong++;
    }
    imgrepl_string_free(&json);
}

static void *work(void *arg) {
    struct job *job = arg;
    char buf[128];
    for (int round = 0; round < ROUNDS; round++) {
        size_t c = (size_t)(round + job->id) % NCASES;
        size_t len = 0;
        imgrepl_status s = imgrepl_policy_rewrite(job->policy, CASES[c][0], strlen(CASES[c][0]), buf, sizeof buf,
                                                  &len, NULL, NULL);
        if (s != IMGREPL_STATUS_OK || len != strlen(CASES[c][1]) || memcmp(buf, CASES[c][1], len) != 0) {
            job->wrong++;
        }
        if (round % 100 == 0) toolkit(job);
        if (round % 50 == 0) {
            /* the batch call and an error path, from every thread too */
            const char images[] = "nginx:latest" "Bad";
            size_t lens[] = {12, 3};
            imgrepl_batch *b = NULL;
            const imgrepl_batch_item *items = NULL;
            size_t n = 0;
            if (imgrepl_policy_rewrite_batch(job->policy, images, sizeof images - 1, lens, 2, &b) != IMGREPL_STATUS_OK ||
                imgrepl_batch_items(b, &items, &n) != IMGREPL_STATUS_OK || n != 2 ||
                items[1].status != IMGREPL_STATUS_INVALID_IMAGE || items[0].image.len != strlen(CASES[1][1]) ||
                memcmp(items[0].image.ptr, CASES[1][1], items[0].image.len) != 0) {
                job->wrong++;
            }
            imgrepl_batch_free(b);
            /* and into the thread's own memory, which shares the library's scratch per thread */
            imgrepl_batch_entry entries[2];
            if (imgrepl_policy_rewrite_batch_into(job->policy, images, sizeof images - 1, lens, 2, entries, buf,
                                                  sizeof buf, &len) != IMGREPL_STATUS_OK ||
                entries[1].status != IMGREPL_STATUS_INVALID_IMAGE || len != strlen(CASES[1][1]) ||
                entries[0].start != 0 || entries[0].end != len || memcmp(buf, CASES[1][1], len) != 0) {
                job->wrong++;
            }
            imgrepl_error *e = NULL;
            if (imgrepl_policy_rewrite(job->policy, "Bad", 3, buf, sizeof buf, &len, NULL, &e) !=
                IMGREPL_STATUS_INVALID_IMAGE) {
                job->wrong++;
            }
            imgrepl_error_free(e);
        }
    }
    return NULL;
}

int main(void) {
    imgrepl_policy *policy = NULL;
    ok(imgrepl_policy_parse(POLICY, strlen(POLICY), &policy, NULL) == IMGREPL_STATUS_OK, "policy parsed");
    imgrepl_corpus *corpus = NULL;
    const char images[] = "nginx:latest" "harbor.domain/a/b/c/d/redis:7" "quay.io/x/y" "Bad";
    size_t lens[] = {12, 29, 11, 3};
    ok(imgrepl_corpus_new(&corpus) == IMGREPL_STATUS_OK &&
           imgrepl_corpus_add(corpus, images, sizeof images - 1, lens, 4, "Pod/p", 5) == IMGREPL_STATUS_OK,
       "corpus filled");
    imgrepl_coverage_summary coverage;
    imgrepl_string json = {0};
    ok(imgrepl_policy_coverage(policy, corpus, &json, &coverage) == IMGREPL_STATUS_OK && coverage.rewritten == 2 &&
           coverage.uncovered == 1 && coverage.invalid == 1,
       "coverage from the main thread");
    imgrepl_string_free(&json);
    imgrepl_pull_secrets *secrets = NULL;
    const char config[] = "{\"auths\": {\"quay.io\": {}}}";
    ok(imgrepl_pull_secrets_new(&secrets) == IMGREPL_STATUS_OK &&
           imgrepl_pull_secrets_add_docker_config(secrets, "quay", 4, NULL, 0, config, strlen(config), NULL) ==
               IMGREPL_STATUS_OK,
       "pull secrets filled");
    imgrepl_options base = {0};
    base.policy = policy;
    imgrepl_workload_options *options = NULL;
    ok(imgrepl_workload_options_new(&base, &options) == IMGREPL_STATUS_OK &&
           imgrepl_workload_options_set_burst(options, IMGREPL_BURST_MODE_AUTO) == IMGREPL_STATUS_OK &&
           imgrepl_workload_options_set_pull_secrets(options, secrets) == IMGREPL_STATUS_OK,
       "workload options set");
    pthread_t threads[THREADS];
    struct job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){policy, corpus, options, coverage, i, 0};
        ok(pthread_create(&threads[i], NULL, work, &jobs[i]) == 0, "thread %d started", i);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        ok(jobs[i].wrong == 0, "thread %d: %d rewrites, %d wrong", i, ROUNDS, jobs[i].wrong);
    }
    imgrepl_workload_options_free(options);
    imgrepl_pull_secrets_free(secrets);
    imgrepl_corpus_free(corpus);
    imgrepl_policy_free(policy);
    return done_testing();
}
