/* Every function of imgrepl.h and every error path, from C. TAP output, run by `prove`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgrepl.h"
#include "tap.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static const char SEED_POLICY[] =
    "[{\"repositoryPrefix\": \"harbor.domain\", \"replaceWith\": \"swr.cn-north-4.myhuaweicloud.com/org1\"},"
    " {\"repositoryPrefix\": \"\", \"replaceWith\": \"swr.cn-north-4.myhuaweicloud.com/org1\"},"
    " {\"repositoryPrefix\": \"harbor.domain/a/b/c/d\", \"replaceWith\": \"swr.cn-north-4.myhuaweicloud.com/org2\"}]";

static imgrepl_policy *seed_policy(void) {
    imgrepl_policy *p = NULL;
    if (imgrepl_policy_parse(S(SEED_POLICY), &p, NULL) != IMGREPL_STATUS_OK) {
        printf("Bail out! the seed policy does not parse\n");
        exit(1);
    }
    return p;
}

static int contains(imgrepl_string s, const char *needle) {
    return s.ptr != NULL && strstr(s.ptr, needle) != NULL;
}

static void test_version_and_statuses(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", IMGREPL_VERSION_MAJOR, IMGREPL_VERSION_MINOR,
             IMGREPL_VERSION_PATCH);
    ok(strcmp(imgrepl_version(), expected) == 0, "version macros (%s) == imgrepl_version() (%s)",
       expected, imgrepl_version());
    ok(strcmp(imgrepl_version(), IMGREPL_VERSION) == 0, "IMGREPL_VERSION == imgrepl_version()");
    ok(IMGREPL_VERSION_NUMBER == ((IMGREPL_VERSION_MAJOR << 16) | (IMGREPL_VERSION_MINOR << 8) | IMGREPL_VERSION_PATCH),
       "IMGREPL_VERSION_NUMBER packs major, minor and patch");
    ok(strcmp(imgrepl_status_name(IMGREPL_STATUS_OK), "IMGREPL_STATUS_OK") == 0, "status name of OK");
    ok(strcmp(imgrepl_status_name(IMGREPL_STATUS_BUFFER_TOO_SMALL), "IMGREPL_STATUS_BUFFER_TOO_SMALL") == 0,
       "status name of BUFFER_TOO_SMALL");
    ok(strcmp(imgrepl_status_name(IMGREPL_STATUS_PANIC), "IMGREPL_STATUS_PANIC") == 0, "status name of PANIC");
    ok(strcmp(imgrepl_status_name(12345), "IMGREPL_STATUS_UNKNOWN") == 0, "an unknown status has a name");
    ok(strcmp(imgrepl_status_message(IMGREPL_STATUS_INVALID_UTF8), "a string argument is not valid UTF-8") == 0,
       "status message of INVALID_UTF8");
    ok(strcmp(imgrepl_status_message(99), "unknown status") == 0, "an unknown status has a message");
    ok(IMGREPL_STATUS_OK == 0 && IMGREPL_STATUS_NULL_ARGUMENT == 1 && IMGREPL_STATUS_PANIC == 100,
       "status numbers are fixed");
}

static void test_policy_parse(void) {
    imgrepl_policy *p = NULL;
    imgrepl_diagnostics *d = NULL;
    is_status(imgrepl_policy_parse(S(SEED_POLICY), &p, &d), IMGREPL_STATUS_OK, "the seed policy parses");
    ok(p != NULL && d != NULL, "policy and warning list written");
    ok(imgrepl_diagnostics_len(d) == 0, "the seed policy has no warning");
    ok(imgrepl_policy_rules_len(p) == 3, "three rules");
    imgrepl_str prefix = {0}, replace = {0};
    is_status(imgrepl_policy_rule(p, 2, &prefix, &replace), IMGREPL_STATUS_OK, "rule 2 read");
    is_str(prefix.ptr, prefix.len, "harbor.domain/a/b/c/d", "rule 2 prefix");
    is_str(replace.ptr, replace.len, "swr.cn-north-4.myhuaweicloud.com/org2", "rule 2 replaceWith");
    prefix.ptr = "untouched";
    is_status(imgrepl_policy_rule(p, 3, &prefix, &replace), IMGREPL_STATUS_INVALID_ARGUMENT, "rule 3 is past the end");
    ok(strcmp(prefix.ptr, "untouched") == 0, "nothing written on error");
    ok(imgrepl_policy_mode(p) == IMGREPL_MATCH_MODE_LONGEST_PREFIX, "longest-prefix by default");
    imgrepl_policy *exact = NULL;
    is_status(imgrepl_policy_with_mode(p, IMGREPL_MATCH_MODE_EXACT_PARENT, &exact), IMGREPL_STATUS_OK, "with_mode");
    ok(imgrepl_policy_mode(exact) == IMGREPL_MATCH_MODE_EXACT_PARENT, "the new policy is exact-parent");
    imgrepl_policy *bad_mode = (imgrepl_policy *)0x1;
    is_status(imgrepl_policy_with_mode(p, 7, &bad_mode), IMGREPL_STATUS_INVALID_ARGUMENT, "unknown mode");
    ok(bad_mode == (imgrepl_policy *)0x1, "nothing written for an unknown mode");
    imgrepl_diagnostics_free(d);

    imgrepl_policy_free(exact);
    imgrepl_policy_free(p);

    /* Every rewrite, diagnostic and warning of a policy is in the case table (test_cases.c);
     * here, what only C has. */
    const char dup[] = "[{\"repositoryPrefix\": \"a.io\", \"replaceWith\": \"b.io\"},"
                       " {\"repositoryPrefix\": \"a.io\", \"replacewith\": \"c.io\"}]";
    p = (imgrepl_policy *)0x1;
    d = NULL;
    is_status(imgrepl_policy_parse(S(dup), &p, &d), IMGREPL_STATUS_INVALID_POLICY, "an invalid policy");
    ok(p == (imgrepl_policy *)0x1, "no policy written for an invalid policy");
    imgrepl_diagnostic untouched = {0};
    is_status(imgrepl_diagnostics_get(d, 99, &untouched), IMGREPL_STATUS_INVALID_ARGUMENT, "diagnostic index past the end");
    ok(untouched.code.ptr == NULL, "nothing written past the end");
    imgrepl_diagnostics_free(d);

    /* Boundary errors. */
    p = NULL;
    is_status(imgrepl_policy_parse(NULL, 5, &p, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 5)");
    is_status(imgrepl_policy_parse(NULL, 0, &p, NULL), IMGREPL_STATUS_INVALID_POLICY, "(NULL, 0) is the empty text, not JSON");
    is_status(imgrepl_policy_parse(S("[]"), NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "NULL policy_out");
    is_status(imgrepl_policy_parse(S("[\"\xff\"]"), &p, NULL), IMGREPL_STATUS_INVALID_UTF8, "bad UTF-8");
    size_t big = IMGREPL_MAX_POLICY_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    huge[0] = '[';
    huge[big - 1] = ']';
    is_status(imgrepl_policy_parse(huge, big, &p, NULL), IMGREPL_STATUS_INPUT_TOO_LARGE, "a policy over 256 KiB");
    free(huge);
    ok(p == NULL, "no policy after the errors");
    ok(imgrepl_diagnostics_len(NULL) == 0 && imgrepl_policy_rules_len(NULL) == 0, "NULL lists are empty");
    imgrepl_diagnostics_free(NULL);
    imgrepl_policy_free(NULL);
}

static void test_rewrite(void) {
    imgrepl_policy *p = seed_policy();
    /* Each image's result is in the case table (test_cases.c); here, the owned string. */
    imgrepl_string s = {0};
    is_status(imgrepl_policy_rewrite_alloc(p, S("nginx:latest"), &s, NULL, NULL), IMGREPL_STATUS_OK, "rewrite_alloc");
    is_str(s.ptr, s.len, "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest", "the allocated result");
    ok(s.ptr[s.len] == '\0', "the owned string is NUL-terminated");
    imgrepl_string_free(&s);
    ok(s.ptr == NULL && s.len == 0, "imgrepl_string_free clears it");
    imgrepl_string_free(&s); /* a second free is a no-op */
    char buf[256];

    /* Buffer sizes: exact, one short, size query. */
    const char *image = "nginx:latest";
    const char *want = "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest";
    size_t needed = 0;
    is_status(imgrepl_policy_rewrite(p, image, strlen(image), NULL, 0, &needed, NULL, NULL),
              IMGREPL_STATUS_BUFFER_TOO_SMALL, "(NULL, 0) asks for the size");
    ok(needed == strlen(want), "needed length %zu", needed);
    char small[64];
    memset(small, '#', sizeof small);
    size_t len = 0;
    int64_t rule = 42;
    is_status(imgrepl_policy_rewrite(p, image, strlen(image), small, needed - 1, &len, &rule, NULL),
              IMGREPL_STATUS_BUFFER_TOO_SMALL, "len = needed - 1");
    ok(len == needed && rule == 42 && small[0] == '#', "needed length written, buffer and rule untouched");
    char *exact = malloc(needed);
    is_status(imgrepl_policy_rewrite(p, image, strlen(image), exact, needed, &len, NULL, NULL),
              IMGREPL_STATUS_OK, "len = needed");
    is_str(exact, len, want, "exact-size buffer");
    free(exact);
    is_status(imgrepl_policy_rewrite(p, image, strlen(image), NULL, 10, &len, NULL, NULL),
              IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 10) as the buffer");

    /* Invalid image: code, offset, message. */
    imgrepl_error *error = NULL;
    len = 777;
    is_status(imgrepl_policy_rewrite(p, S("team/App:1"), buf, sizeof buf, &len, NULL, &error),
              IMGREPL_STATUS_INVALID_IMAGE, "uppercase image");
    ok(len == 777, "out_len untouched on error");
    ok(error != NULL && imgrepl_error_status(error) == IMGREPL_STATUS_INVALID_IMAGE, "error written");
    imgrepl_str code = imgrepl_error_code(error);
    is_str(code.ptr, code.len, "uppercase", "error code");
    ok(imgrepl_error_offset(error) == 5, "error offset 5: %lld", (long long)imgrepl_error_offset(error));
    imgrepl_str message = imgrepl_error_message(error);
    is_str(message.ptr, message.len,
           "invalid image: repository name must be lowercase: uppercase letter in repository path at byte 5",
           "error message");
    imgrepl_str json = imgrepl_error_json(error);
    ok(json.len > 0 && json.ptr[0] == '{', "error as JSON");
    imgrepl_error_free(error);
    is_status(imgrepl_policy_rewrite(p, S("team/App:1"), buf, sizeof buf, &len, NULL, NULL),
              IMGREPL_STATUS_INVALID_IMAGE, "error_out may be NULL");

    /* Boundary errors. */
    is_status(imgrepl_policy_rewrite(NULL, S("nginx"), buf, sizeof buf, &len, NULL, NULL),
              IMGREPL_STATUS_NULL_ARGUMENT, "NULL policy");
    is_status(imgrepl_policy_rewrite(p, S("nginx"), buf, sizeof buf, NULL, NULL, NULL),
              IMGREPL_STATUS_NULL_ARGUMENT, "NULL out_len");
    is_status(imgrepl_policy_rewrite(p, NULL, 3, buf, sizeof buf, &len, NULL, NULL),
              IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 3) image");
    is_status(imgrepl_policy_rewrite(p, NULL, 0, buf, sizeof buf, &len, NULL, &error),
              IMGREPL_STATUS_INVALID_IMAGE, "(NULL, 0) is the empty image");
    imgrepl_error_free(error);
    is_status(imgrepl_policy_rewrite(p, S("ngin\xc3\x28"), buf, sizeof buf, &len, NULL, NULL),
              IMGREPL_STATUS_INVALID_UTF8, "bad UTF-8 image");
    char *huge = malloc(IMGREPL_MAX_IMAGE_BYTES + 1);
    memset(huge, 'a', IMGREPL_MAX_IMAGE_BYTES + 1);
    is_status(imgrepl_policy_rewrite(p, huge, IMGREPL_MAX_IMAGE_BYTES + 1, buf, sizeof buf, &len, NULL, NULL),
              IMGREPL_STATUS_INPUT_TOO_LARGE, "an image over the limit");
    s = (imgrepl_string){0};
    is_status(imgrepl_policy_rewrite_alloc(p, huge, IMGREPL_MAX_IMAGE_BYTES + 1, &s, NULL, NULL),
              IMGREPL_STATUS_INPUT_TOO_LARGE, "rewrite_alloc: an image over the limit");
    ok(s.ptr == NULL, "nothing allocated");
    free(huge);
    is_status(imgrepl_policy_rewrite_alloc(p, S("nginx"), NULL, NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT,
              "rewrite_alloc: NULL out");

    /* find */
    imgrepl_match m;
    is_status(imgrepl_policy_find(p, S("harbor.domain/a/b/c/d/redis:latest"), &m, NULL), IMGREPL_STATUS_OK, "find");
    ok(m.found && m.rule == 2 && m.prefix_len == 21, "rule 2, prefix length 21");
    is_status(imgrepl_policy_find(p, S("quay.io/x/y"), &m, NULL), IMGREPL_STATUS_OK, "find, no match");
    ok(!m.found, "no rule matches quay.io/x/y");
    error = NULL;
    is_status(imgrepl_policy_find(p, S("a//b"), &m, &error), IMGREPL_STATUS_INVALID_IMAGE, "find an invalid image");
    code = imgrepl_error_code(error);
    is_str(code.ptr, code.len, "invalid-format", "find error code");
    imgrepl_error_free(error);

    /* explain */
    imgrepl_string ex = {0};
    is_status(imgrepl_policy_explain(p, S("harbor.domain/team/app:1"), &ex), IMGREPL_STATUS_OK, "explain");
    ok(ex.ptr[ex.len] == '\0', "explanation NUL-terminated");
    imgrepl_string_free(&ex);
    is_status(imgrepl_policy_explain(p, S("nginx"), NULL), IMGREPL_STATUS_NULL_ARGUMENT, "explain: NULL out");

    imgrepl_error_free(NULL);
    imgrepl_string_free(NULL);
    ok(imgrepl_error_offset(NULL) == -1 && imgrepl_error_code(NULL).ptr == NULL, "NULL error accessors");
    imgrepl_policy_free(p);
}

static void test_batch(void) {
    imgrepl_policy *p = seed_policy();
    const char images[] = "nginx:1" "Bad" "quay.io/x/y" "harbor.domain/ubuntu";
    size_t lens[] = {7, 3, 11, 20};
    imgrepl_batch *b = NULL;
    is_status(imgrepl_policy_rewrite_batch(p, images, sizeof images - 1, lens, 4, &b), IMGREPL_STATUS_OK, "batch");
    /* Each item is in the case table (test_cases.c); here, the errors kept with the batch. */
    ok(imgrepl_batch_len(b) == 4, "four items");
    imgrepl_error *error = NULL;
    is_status(imgrepl_batch_error(b, 1, &error), IMGREPL_STATUS_OK, "the error of item 1");
    imgrepl_str message = imgrepl_error_message(error);
    ok(message.len > 0 && strstr(message.ptr, "at byte 0") != NULL, "its message names the byte");
    imgrepl_error_free(error);
    is_status(imgrepl_batch_error(b, 0, &error), IMGREPL_STATUS_INVALID_ARGUMENT, "item 0 has no error");
    imgrepl_batch_free(b);

    b = NULL;
    size_t wrong[] = {7, 3, 11, 19};
    is_status(imgrepl_policy_rewrite_batch(p, images, sizeof images - 1, wrong, 4, &b),
              IMGREPL_STATUS_INVALID_ARGUMENT, "lengths that do not add up");
    ok(b == NULL, "no batch written");
    is_status(imgrepl_policy_rewrite_batch(p, NULL, 0, NULL, 0, &b), IMGREPL_STATUS_OK, "an empty batch");
    ok(imgrepl_batch_len(b) == 0, "no item");
    imgrepl_batch_free(b);
    is_status(imgrepl_policy_rewrite_batch(p, images, sizeof images - 1, NULL, 4, &b),
              IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 4) lengths");
    size_t one[] = {3};
    is_status(imgrepl_policy_rewrite_batch(p, "a\xff" "b", 3, one, 1, &b), IMGREPL_STATUS_INVALID_UTF8, "bad UTF-8 in a batch");
    imgrepl_batch_free(NULL);
    imgrepl_policy_free(p);
}

/* The batch into the caller's memory: what the Go package calls. */
static void test_batch_into(void) {
    imgrepl_policy *p = seed_policy();
    const char images[] = "nginx:1" "Bad" "quay.io/x/y" "harbor.domain/ubuntu";
    size_t lens[] = {7, 3, 11, 20};
    imgrepl_batch_entry entries[4];
    size_t needed = 0;
    is_status(imgrepl_policy_rewrite_batch_into(p, images, sizeof images - 1, lens, 4, entries, NULL, 0, &needed),
              IMGREPL_STATUS_BUFFER_TOO_SMALL, "(NULL, 0) asks for the size");
    const char *want0 = "swr.cn-north-4.myhuaweicloud.com/org1/nginx:1";
    const char *want3 = "swr.cn-north-4.myhuaweicloud.com/org1/ubuntu";
    ok(needed == strlen(want0) + strlen(want3), "only the rewritten images need room");
    char *buf = malloc(needed);
    size_t out_len = 0;
    is_status(imgrepl_policy_rewrite_batch_into(p, images, sizeof images - 1, lens, 4, entries, buf, needed - 1, &out_len),
              IMGREPL_STATUS_BUFFER_TOO_SMALL, "one byte short");
    ok(out_len == needed, "the same size asked");
    is_status(imgrepl_policy_rewrite_batch_into(p, images, sizeof images - 1, lens, 4, entries, buf, needed, &out_len),
              IMGREPL_STATUS_OK, "batch into an exact buffer");
    ok(out_len == needed, "all of it used");
    ok(entries[0].status == IMGREPL_STATUS_OK && entries[0].rule == 1, "image 0 by rule 1");
    is_str(buf + entries[0].start, entries[0].end - entries[0].start, want0, "image 0 in the buffer");
    ok(entries[1].status == IMGREPL_STATUS_INVALID_IMAGE && entries[1].rule == -1, "image 1 invalid");
    ok(entries[1].start == entries[1].end, "image 1 not copied");
    ok(entries[2].status == IMGREPL_STATUS_OK && entries[2].rule == -1 && entries[2].start == entries[2].end,
       "image 2 unchanged, not copied");
    is_str(buf + entries[3].start, entries[3].end - entries[3].start, want3, "image 3 in the buffer");
    imgrepl_error *error = NULL;
    char one[64];
    size_t one_len = 0;
    is_status(imgrepl_policy_rewrite(p, images + 7, 3, one, sizeof one, &one_len, NULL, &error),
              IMGREPL_STATUS_INVALID_IMAGE, "the single call gives image 1's error");
    imgrepl_str code = imgrepl_error_code(error);
    is_str(code.ptr, code.len, "uppercase", "its code");
    imgrepl_error_free(error);

    out_len = 7;
    is_status(imgrepl_policy_rewrite_batch_into(p, NULL, 0, NULL, 0, NULL, NULL, 0, &out_len), IMGREPL_STATUS_OK,
              "an empty batch");
    ok(out_len == 0, "no output");
    size_t wrong[] = {7, 3, 11, 19};
    out_len = 7;
    is_status(imgrepl_policy_rewrite_batch_into(p, images, sizeof images - 1, wrong, 4, entries, buf, needed, &out_len),
              IMGREPL_STATUS_INVALID_ARGUMENT, "lengths that do not add up");
    ok(out_len == 7, "nothing written");
    is_status(imgrepl_policy_rewrite_batch_into(p, images, sizeof images - 1, lens, 4, NULL, buf, needed, &out_len),
              IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 4) entries");
    size_t halves[] = {2, 1};
    is_status(imgrepl_policy_rewrite_batch_into(p, "x\xc3\xa9", 3, halves, 2, entries, buf, needed, &out_len),
              IMGREPL_STATUS_INVALID_UTF8, "a character cut between two images");
    free(buf);
    imgrepl_policy_free(p);
}

static void test_reference(void) {
    imgrepl_reference *r = NULL;
    imgrepl_reference_parts parts;
    is_status(imgrepl_reference_parse(S("library/nginx"), IMGREPL_VIEW_AS_WRITTEN, &r, NULL), IMGREPL_STATUS_OK,
              "parse as written");
    is_status(imgrepl_reference_get(r, &parts), IMGREPL_STATUS_OK, "parts");
    is_str(parts.domain.ptr, parts.domain.len, "library", "as written, library is the domain");
    ok(parts.tag.ptr == NULL && parts.familiar.ptr == NULL, "no tag, no familiar form");
    imgrepl_reference_free(r);

    is_status(imgrepl_reference_parse(S("nginx:1.27"), IMGREPL_VIEW_NORMALIZED, &r, NULL), IMGREPL_STATUS_OK,
              "parse normalized");
    imgrepl_reference_get(r, &parts);
    is_str(parts.full.ptr, parts.full.len, "docker.io/library/nginx:1.27", "normalized");
    is_str(parts.path.ptr, parts.path.len, "library/nginx", "normalized path");
    is_str(parts.tag.ptr, parts.tag.len, "1.27", "tag");
    is_str(parts.familiar.ptr, parts.familiar.len, "nginx:1.27", "familiar");
    imgrepl_reference_free(r);

    is_status(imgrepl_reference_parse(S("nginx"), IMGREPL_VIEW_DOCKER_REF, &r, NULL), IMGREPL_STATUS_OK, "docker ref");
    imgrepl_reference_get(r, &parts);
    is_str(parts.full.ptr, parts.full.len, "docker.io/library/nginx:latest", "latest added");
    imgrepl_reference_free(r);

    imgrepl_error *error = NULL;
    r = NULL;
    is_status(imgrepl_reference_parse(S("a/b@sha256:abc"), IMGREPL_VIEW_AS_WRITTEN, &r, &error),
              IMGREPL_STATUS_INVALID_IMAGE, "a short digest");
    ok(r == NULL, "no reference written");
    imgrepl_str code = imgrepl_error_code(error);
    is_str(code.ptr, code.len, "invalid-format", "short digest code");
    imgrepl_error_free(error);
    is_status(imgrepl_reference_parse(S("a/b"), 3, &r, NULL), IMGREPL_STATUS_INVALID_ARGUMENT, "unknown view");
    is_status(imgrepl_reference_parse(S("a/b"), 0, NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "NULL out");
    is_status(imgrepl_reference_get(NULL, &parts), IMGREPL_STATUS_NULL_ARGUMENT, "parts of NULL");
    imgrepl_reference_free(NULL);
}

static const char DEPLOYMENT[] =
    "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"web\"},"
    " \"spec\": {\"template\": {\"metadata\": {\"annotations\": {\"coordinator.cci.io/image-replacement\":"
    " \"[{\\\"repositoryPrefix\\\": \\\"\\\", \\\"replaceWith\\\": \\\"m.io/hub\\\"}]\"}},"
    " \"spec\": {\"containers\": [{\"name\": \"web\", \"image\": \"nginx:1.27\"}]}}}}";

static void test_workload(void) {
    imgrepl_string report = {0};
    is_status(imgrepl_workload_rewrite(S(DEPLOYMENT), NULL, &report, NULL), IMGREPL_STATUS_OK, "workload");
    ok(contains(report, "\"path\":\"/spec/template/spec/containers/0/image\""), "patch path");
    ok(contains(report, "\"value\":\"m.io/hub/nginx:1.27\""), "patch value");
    imgrepl_string_free(&report);

    imgrepl_policy *p = seed_policy();
    imgrepl_options opts = {0};
    opts.policy = p;
    is_status(imgrepl_workload_rewrite(S(DEPLOYMENT), &opts, &report, NULL), IMGREPL_STATUS_OK, "caller's policy");
    ok(contains(report, "swr.cn-north-4.myhuaweicloud.com/org1/nginx:1.27"), "the caller's policy wins");
    imgrepl_string_free(&report);
    opts.policy = NULL;
    opts.annotation_key = "example.com/other";
    opts.annotation_key_len = strlen(opts.annotation_key);
    is_status(imgrepl_workload_rewrite(S(DEPLOYMENT), &opts, &report, NULL), IMGREPL_STATUS_OK, "another key");
    ok(contains(report, "\"patch\":[]"), "no policy under that key: empty patch");
    imgrepl_string_free(&report);
    opts.annotation_key = NULL;
    opts.annotation_key_len = 0;
    opts.mode = 9;
    is_status(imgrepl_workload_rewrite(S(DEPLOYMENT), &opts, &report, NULL), IMGREPL_STATUS_INVALID_ARGUMENT, "bad mode");

    imgrepl_error *error = NULL;
    is_status(imgrepl_workload_rewrite(S("{not json"), NULL, &report, &error), IMGREPL_STATUS_INVALID_WORKLOAD,
              "not JSON");
    ok(report.ptr == NULL, "no report written");
    ok(imgrepl_error_code(error).len > 0 && imgrepl_error_offset(error) >= 0, "code and offset");
    imgrepl_error_free(error);
    is_status(imgrepl_workload_rewrite(NULL, 1, NULL, &report, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 1)");

    char review[2048];
    snprintf(review, sizeof review,
             "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u-1\","
             " \"operation\": \"CREATE\", \"object\": %s}}", DEPLOYMENT);
    imgrepl_string response = {0};
    imgrepl_admission_info info = {99, true};
    is_status(imgrepl_admission_review(review, strlen(review), NULL, &response, &info, NULL), IMGREPL_STATUS_OK,
              "admission review");
    ok(contains(response, "\"uid\":\"u-1\"") && contains(response, "\"patchType\":\"JSONPatch\""), "response");
    ok(info.patch_ops == 1 && !info.has_errors, "one patch op, no error");
    imgrepl_string_free(&response);
    error = NULL;
    is_status(imgrepl_admission_review(S("{\"kind\": \"Pod\"}"), NULL, &response, &info, &error),
              IMGREPL_STATUS_INVALID_REVIEW, "not a review");
    ok(imgrepl_error_status(error) == IMGREPL_STATUS_INVALID_REVIEW, "review error");
    imgrepl_error_free(error);
    char *huge = calloc(IMGREPL_MAX_REVIEW_BYTES + 1, 1);
    is_status(imgrepl_admission_review(huge, IMGREPL_MAX_REVIEW_BYTES + 1, NULL, &response, NULL, NULL),
              IMGREPL_STATUS_INPUT_TOO_LARGE, "a review over the limit");
    free(huge);
    imgrepl_policy_free(p);
}

int main(void) {
    test_version_and_statuses();
    test_policy_parse();
    test_rewrite();
    test_batch();
    test_batch_into();
    test_reference();
    test_workload();
    return done_testing();
}
