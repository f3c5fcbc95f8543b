/* One const imgrepl_policy shared by many threads, each rewriting and checking results.
 * Run under valgrind (helgrind is not needed: the policy is immutable) and ASAN+UBSAN. */
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

struct job {
    const imgrepl_policy *policy;
    int id;
    int wrong;
};

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
    pthread_t threads[THREADS];
    struct job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){policy, i, 0};
        ok(pthread_create(&threads[i], NULL, work, &jobs[i]) == 0, "thread %d started", i);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        ok(jobs[i].wrong == 0, "thread %d: %d rewrites, %d wrong", i, ROUNDS, jobs[i].wrong);
    }
    imgrepl_policy_free(policy);
    return done_testing();
}
