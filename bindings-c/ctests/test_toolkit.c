/* The operators' toolkit from C: corpora built in batches, the bursting set, pull checks and pull
 * secrets, with every error path. The coverage, diff and second-pass cases are rows of the case
 * table (test_cases.c). TAP output, run by `prove`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgrepl.h"
#include "tap.h"

#define S(lit) (lit), (sizeof(lit) - 1)
#define N(array) (sizeof(array) / sizeof((array)[0]))

static imgrepl_policy *policy(const char *json) {
    imgrepl_policy *p = NULL;
    if (imgrepl_policy_parse(json, strlen(json), &p, NULL) != IMGREPL_STATUS_OK) {
        printf("Bail out! a test policy does not parse: %s\n", json);
        exit(1);
    }
    return p;
}

/* How many times `needle` occurs in an owned string. */
static size_t count(imgrepl_string s, const char *needle) {
    size_t n = 0;
    if (s.ptr == NULL) return 0;
    for (const char *at = strstr(s.ptr, needle); at != NULL; at = strstr(at + 1, needle)) n++;
    return n;
}

/* A corpus of NULL-terminated image lists: images[i] found in workloads[i] (NULL for none). */
static imgrepl_corpus *corpus(const char *const *images, const char *workload) {
    imgrepl_corpus *c = NULL;
    if (imgrepl_corpus_new(&c) != IMGREPL_STATUS_OK) {
        printf("Bail out! imgrepl_corpus_new failed\n");
        exit(1);
    }
    char all[4096];
    size_t lens[64], n = 0, total = 0;
    for (; images[n] != NULL; n++) {
        lens[n] = strlen(images[n]);
        memcpy(all + total, images[n], lens[n]);
        total += lens[n];
    }
    imgrepl_status s = imgrepl_corpus_add(c, all, total, lens, n, workload, workload ? strlen(workload) : 0);
    if (s != IMGREPL_STATUS_OK) {
        printf("Bail out! imgrepl_corpus_add: %s\n", imgrepl_status_name(s));
        exit(1);
    }
    return c;
}

static const char POLICY_A[] =
    "[{\"repositoryPrefix\": \"harbor.domain\", \"replaceWith\": \"m.io/org1\"},"
    " {\"repositoryPrefix\": \"harbor.domain/team\", \"replaceWith\": \"m.io/team\"},"
    " {\"repositoryPrefix\": \"harbour.domain\", \"replaceWith\": \"m.io/typo\"}]";
static const char *const CORPUS_A[] = {"harbor.domain/team/app:1", "nginx", "harbor.domain/db", "quay.io/a/b",
                                       "Bad", NULL};

/* Coverage, diff and the second pass, their JSON and summaries, are rows of the case table
 * (test_cases.c); here, what only C has: images added in batches to one corpus. */
static void test_coverage(void) {
    /* Workload names are examples; the summary is optional. */
    imgrepl_policy *p = policy(POLICY_A);
    imgrepl_corpus *c = corpus(CORPUS_A, NULL);
    char all[] = "nginxnginx";
    size_t lens[] = {5, 5};
    is_status(imgrepl_corpus_add(c, all, 10, lens, 2, S("Pod/shop/db")), IMGREPL_STATUS_OK, "a second batch, with a workload");
    ok(imgrepl_corpus_len(c) == 7, "the corpus holds 7 images: %zu", imgrepl_corpus_len(c));
    imgrepl_string json = {0};
    is_status(imgrepl_policy_coverage(p, c, &json, NULL), IMGREPL_STATUS_OK, "coverage without a summary");
    ok(count(json, "{\"image\":\"nginx\",\"count\":3,\"workloads\":[\"Pod/shop/db\"]}") == 1,
       "nginx: 3 occurrences, the one workload that named it");
    imgrepl_string_free(&json);
    imgrepl_corpus_free(c);
    imgrepl_policy_free(p);
}

static void test_corpus_errors(void) {
    imgrepl_policy *p = policy(POLICY_A);
    imgrepl_corpus *c = corpus(CORPUS_A, NULL);
    size_t before = imgrepl_corpus_len(c);
    const char images[] = "nginxredis";
    size_t wrong[] = {5, 4};
    is_status(imgrepl_corpus_add(c, images, 10, wrong, 2, NULL, 0), IMGREPL_STATUS_INVALID_ARGUMENT,
              "lengths that do not add up");
    size_t bad_lens[] = {3};
    is_status(imgrepl_corpus_add(c, "a\xff" "b", 3, bad_lens, 1, NULL, 0), IMGREPL_STATUS_INVALID_UTF8, "bad UTF-8 image");
    size_t lens[] = {5, 5};
    is_status(imgrepl_corpus_add(c, images, 10, lens, 2, "Pod/\xc3\x28", 6), IMGREPL_STATUS_INVALID_UTF8,
              "bad UTF-8 workload name");
    is_status(imgrepl_corpus_add(c, images, 10, NULL, 2, NULL, 0), IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 2) lengths");
    is_status(imgrepl_corpus_add(c, NULL, 10, lens, 2, NULL, 0), IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 10) images");
    is_status(imgrepl_corpus_add(c, images, 10, lens, 2, NULL, 3), IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 3) workload");
    is_status(imgrepl_corpus_add(c, images, 10, lens, IMGREPL_MAX_CORPUS_IMAGES, NULL, 0),
              IMGREPL_STATUS_INPUT_TOO_LARGE, "more images than a corpus holds");
    size_t huge_len[] = {IMGREPL_MAX_IMAGE_BYTES + 1};
    char *huge = calloc(IMGREPL_MAX_IMAGE_BYTES + 1, 1);
    is_status(imgrepl_corpus_add(c, huge, IMGREPL_MAX_IMAGE_BYTES + 1, huge_len, 1, NULL, 0),
              IMGREPL_STATUS_INPUT_TOO_LARGE, "an image over the limit");
    free(huge);
    ok(imgrepl_corpus_len(c) == before, "a failed add adds nothing (%zu images)", imgrepl_corpus_len(c));
    is_status(imgrepl_corpus_add(c, NULL, 0, NULL, 0, NULL, 0), IMGREPL_STATUS_OK, "adding nothing");
    is_status(imgrepl_corpus_add(NULL, images, 10, lens, 2, NULL, 0), IMGREPL_STATUS_NULL_ARGUMENT, "NULL corpus");
    is_status(imgrepl_corpus_new(NULL), IMGREPL_STATUS_NULL_ARGUMENT, "corpus_new: NULL out");
    ok(imgrepl_corpus_len(NULL) == 0, "a NULL corpus is empty");

    imgrepl_string json = {(char *)"untouched", 9};
    imgrepl_coverage_summary summary = {0};
    summary.images = 777;
    is_status(imgrepl_policy_coverage(NULL, c, &json, &summary), IMGREPL_STATUS_NULL_ARGUMENT, "coverage: NULL policy");
    is_status(imgrepl_policy_coverage(p, NULL, &json, &summary), IMGREPL_STATUS_NULL_ARGUMENT, "coverage: NULL corpus");
    is_status(imgrepl_policy_coverage(p, c, NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "coverage: no output wanted");
    is_status(imgrepl_policy_diff(p, NULL, c, &json, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "diff: NULL new policy");
    is_status(imgrepl_policy_second_pass(p, NULL, &json, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "second pass: NULL corpus");
    is_status(imgrepl_policy_diff(p, p, c, NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "diff: no output wanted");
    ok(strcmp(json.ptr, "untouched") == 0 && summary.images == 777, "nothing written on error");
    is_status(imgrepl_policy_coverage(p, c, NULL, &summary), IMGREPL_STATUS_OK, "coverage: the summary alone");
    ok(summary.images == before && summary.dead_rules == 1 && strcmp(json.ptr, "untouched") == 0,
       "the summary, and no JSON (%zu images)", summary.images);
    imgrepl_second_pass_summary passes = {0};
    passes.images = 777;
    is_status(imgrepl_policy_second_pass(p, c, NULL, &passes), IMGREPL_STATUS_OK, "second pass: the summary alone");
    ok(passes.images == 0 && passes.longest_chain == 0, "no result of POLICY_A is matched again");
    imgrepl_corpus_free(c);
    imgrepl_corpus_free(NULL);
    imgrepl_policy_free(p);
}

static void test_burst_parse(void) {
    static const struct {
        const char *text;
        imgrepl_status status;
        uint32_t mask;
        const char *message; /* on error */
    } cases[] = {
        {"auto", IMGREPL_STATUS_OK, IMGREPL_BURST_MODE_AUTO, NULL},
        {"auto,enforce", IMGREPL_STATUS_OK, IMGREPL_BURST_MODE_AUTO | IMGREPL_BURST_MODE_ENFORCE, NULL},
        {"off,auto,off", IMGREPL_STATUS_OK, IMGREPL_BURST_MODE_AUTO | IMGREPL_BURST_MODE_OFF, NULL},
        {"enforce,off,auto", IMGREPL_STATUS_OK, 7, NULL},
        {"", IMGREPL_STATUS_INVALID_ARGUMENT, 0,
         "unknown bursting value \"\": expected \"auto\", \"enforce\" or \"off\""},
        {"auto, enforce", IMGREPL_STATUS_INVALID_ARGUMENT, 0,
         "unknown bursting value \" enforce\": expected \"auto\", \"enforce\" or \"off\""},
        {"Auto", IMGREPL_STATUS_INVALID_ARGUMENT, 0,
         "unknown bursting value \"Auto\": expected \"auto\", \"enforce\" or \"off\""},
        {"ngin\xc3\x28", IMGREPL_STATUS_INVALID_UTF8, 0, NULL},
    };
    for (size_t i = 0; i < N(cases); i++) {
        uint32_t mask = 0xdead;
        imgrepl_error *error = NULL;
        is_status(imgrepl_burst_parse(cases[i].text, strlen(cases[i].text), &mask, &error), cases[i].status,
                  "burst \"%s\"", cases[i].text);
        if (cases[i].status == IMGREPL_STATUS_OK) {
            ok(mask == cases[i].mask && error == NULL, "  mask %u", mask);
        } else if (cases[i].message != NULL) {
            ok(mask == 0xdead, "  mask untouched");
            imgrepl_str code = imgrepl_error_code(error), message = imgrepl_error_message(error);
            is_str(code.ptr, code.len, "invalid-burst-label", "  code");
            is_str(message.ptr, message.len, cases[i].message, "  message");
            ok(imgrepl_error_status(error) == IMGREPL_STATUS_INVALID_ARGUMENT, "  the error's status");
        } else {
            ok(error == NULL && mask == 0xdead, "  nothing written");
        }
        imgrepl_error_free(error);
    }
    char long_text[300];
    memset(long_text, 'a', sizeof long_text);
    uint32_t mask = 0;
    is_status(imgrepl_burst_parse(long_text, sizeof long_text, &mask, NULL), IMGREPL_STATUS_INPUT_TOO_LARGE,
              "a bursting list over 256 bytes");
    is_status(imgrepl_burst_parse(S("auto"), NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "burst_parse: NULL out");
    is_status(imgrepl_burst_parse(NULL, 4, &mask, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "burst_parse: (NULL, 4)");
}

/* A Deployment with its policy annotation, the bursting label `label` on its pod template (none
 * when NULL), and `pull_secrets` as its pod spec's imagePullSecrets JSON (none when NULL). */
static void deployment(char *out, size_t cap, const char *label, const char *pull_secrets) {
    char labels[128] = "";
    if (label != NULL) snprintf(labels, sizeof labels, ", \"labels\": {\"virtual-kubelet.io/burst-to-cci\": \"%s\"}", label);
    char secrets[256] = "";
    if (pull_secrets != NULL) snprintf(secrets, sizeof secrets, "\"imagePullSecrets\": %s, ", pull_secrets);
    snprintf(out, cap,
             "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"web\", \"namespace\": \"shop\"},"
             " \"spec\": {\"template\": {\"metadata\": {\"annotations\": {\"coordinator.cci.io/image-replacement\":"
             " \"[{\\\"repositoryPrefix\\\": \\\"\\\", \\\"replaceWith\\\": \\\"m.io/hub\\\"}]\"}%s},"
             " \"spec\": {%s\"containers\": [{\"name\": \"web\", \"image\": \"nginx:1.27\"}]}}}}",
             labels, secrets);
}

static void test_burst_options(void) {
    static const struct {
        const char *label;
        uint32_t mask;
        size_t patch_ops;
        const char *warning; /* a code the report must carry, or NULL */
        int not_bursting;
    } cases[] = {
        {"auto", IMGREPL_BURST_MODE_AUTO | IMGREPL_BURST_MODE_ENFORCE, 1, NULL, 0},
        {"enforce", IMGREPL_BURST_MODE_ENFORCE, 1, NULL, 0},
        {"off", IMGREPL_BURST_MODE_AUTO | IMGREPL_BURST_MODE_ENFORCE, 0, "\"code\":\"not-bursting\"", 1},
        {NULL, IMGREPL_BURST_MODE_AUTO, 0, "\"code\":\"not-bursting\"", 1},
        {"off", 0, 1, NULL, 0},
        {"off", IMGREPL_BURST_MODE_OFF, 1, NULL, 0},
        {"sometimes", 0, 1, "\"code\":\"invalid-burst-label\"", 0},
        {"sometimes", IMGREPL_BURST_MODE_AUTO, 0, "\"code\":\"not-bursting\"", 1},
    };
    for (size_t i = 0; i < N(cases); i++) {
        char object[2048], review[4096];
        deployment(object, sizeof object, cases[i].label, NULL);
        imgrepl_workload_options *o = NULL;
        is_status(imgrepl_workload_options_new(NULL, &o), IMGREPL_STATUS_OK, "options, label %s, mask %u",
                  cases[i].label ? cases[i].label : "(none)", cases[i].mask);
        is_status(imgrepl_workload_options_set_burst(o, cases[i].mask), IMGREPL_STATUS_OK, "  set_burst");
        imgrepl_string report = {0};
        is_status(imgrepl_workload_rewrite_with_options(object, strlen(object), o, &report, NULL), IMGREPL_STATUS_OK,
                  "  workload rewrite");
        ok(count(report, "\"op\":\"replace\"") == cases[i].patch_ops, "  %zu patch op(s)", cases[i].patch_ops);
        ok(count(report, "\"notBursting\":true") == (size_t)cases[i].not_bursting, "  notBursting is %s",
           cases[i].not_bursting ? "true" : "false");
        if (cases[i].warning != NULL) ok(count(report, cases[i].warning) == 1, "  the report has %s", cases[i].warning);
        if (cases[i].label != NULL) {
            char value[64];
            snprintf(value, sizeof value, "\"burst\":{\"value\":\"%s\"", cases[i].label);
            ok(count(report, value) >= 1, "  the report shows the label %s", cases[i].label);
        }
        imgrepl_string_free(&report);

        snprintf(review, sizeof review,
                 "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u-%zu\","
                 " \"operation\": \"CREATE\", \"object\": %s}}", i, object);
        imgrepl_string response = {0};
        imgrepl_admission_info info = {99, true};
        is_status(imgrepl_admission_review_with_options(review, strlen(review), o, &response, &info, NULL),
                  IMGREPL_STATUS_OK, "  admission review");
        ok(info.patch_ops == cases[i].patch_ops && !info.has_errors, "  %zu patch op(s) in the response",
           info.patch_ops);
        ok(count(response, "not bursting") == (size_t)cases[i].not_bursting, "  'not bursting' among the warnings");
        imgrepl_string_free(&response);
        imgrepl_workload_options_free(o);
    }

    imgrepl_workload_options *o = NULL;
    imgrepl_workload_options_new(NULL, &o);
    is_status(imgrepl_workload_options_set_burst(o, 8), IMGREPL_STATUS_INVALID_ARGUMENT, "an unknown burst bit");
    is_status(imgrepl_workload_options_set_burst(NULL, 1), IMGREPL_STATUS_NULL_ARGUMENT, "set_burst: NULL options");
    is_status(imgrepl_workload_options_set_check_pulls(NULL, false), IMGREPL_STATUS_NULL_ARGUMENT,
              "set_check_pulls: NULL options");
    is_status(imgrepl_workload_options_set_pull_secrets(NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT,
              "set_pull_secrets: NULL options");
    imgrepl_workload_options_free(o);
    imgrepl_workload_options_free(NULL);

    /* The base options carry over: the caller's policy, key, mode. */
    imgrepl_policy *p = policy("[{\"repositoryPrefix\": \"\", \"replaceWith\": \"other.io/x\"}]");
    imgrepl_options base = {0};
    base.policy = p;
    o = NULL;
    is_status(imgrepl_workload_options_new(&base, &o), IMGREPL_STATUS_OK, "options from a base");
    char object[2048];
    deployment(object, sizeof object, NULL, NULL);
    imgrepl_string report = {0};
    is_status(imgrepl_workload_rewrite_with_options(object, strlen(object), o, &report, NULL), IMGREPL_STATUS_OK,
              "rewrite with the base's policy");
    ok(count(report, "\"value\":\"other.io/x/nginx:1.27\"") == 1, "the base's policy wins over the annotation");
    imgrepl_string_free(&report);
    imgrepl_workload_options_free(o);
    base.policy = NULL;
    base.annotation_key = "example.com/other";
    base.annotation_key_len = strlen(base.annotation_key);
    o = NULL;
    is_status(imgrepl_workload_options_new(&base, &o), IMGREPL_STATUS_OK, "options with another key");
    base.annotation_key = "changed after new";
    is_status(imgrepl_workload_rewrite_with_options(object, strlen(object), o, &report, NULL), IMGREPL_STATUS_OK,
              "rewrite with the copied key");
    ok(count(report, "\"patch\":[]") == 1, "no policy under the key: empty patch");
    imgrepl_string_free(&report);
    imgrepl_workload_options_free(o);
    base.annotation_key = NULL;
    base.annotation_key_len = 0;
    base.mode = 5;
    o = (imgrepl_workload_options *)0x1;
    is_status(imgrepl_workload_options_new(&base, &o), IMGREPL_STATUS_INVALID_ARGUMENT, "a base with an unknown mode");
    ok(o == (imgrepl_workload_options *)0x1, "no options written");
    base.mode = 0;
    base.annotation_key_len = 4;
    is_status(imgrepl_workload_options_new(&base, &o), IMGREPL_STATUS_NULL_ARGUMENT, "a base key of (NULL, 4)");
    is_status(imgrepl_workload_options_new(NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT, "options_new: NULL out");

    /* Errors of the calls are those of the calls without options. */
    imgrepl_error *error = NULL;
    is_status(imgrepl_workload_rewrite_with_options(S("{not json"), NULL, &report, &error), IMGREPL_STATUS_INVALID_WORKLOAD,
              "rewrite with options: not JSON");
    imgrepl_str code = imgrepl_error_code(error);
    is_str(code.ptr, code.len, "object-invalid-json", "  its code");
    ok(imgrepl_error_offset(error) == 1, "  at byte 1: %lld", (long long)imgrepl_error_offset(error));
    imgrepl_error_free(error);
    error = NULL;
    imgrepl_admission_info info = {0};
    is_status(imgrepl_admission_review_with_options(S("{\"kind\": \"Pod\"}"), NULL, &report, &info, &error),
              IMGREPL_STATUS_INVALID_REVIEW, "review with options: not a review");
    code = imgrepl_error_code(error);
    is_str(code.ptr, code.len, "not-a-review", "  its code");
    imgrepl_error_free(error);
    is_status(imgrepl_workload_rewrite_with_options(S("{}"), NULL, NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT,
              "rewrite with options: NULL report");
    is_status(imgrepl_admission_review_with_options(NULL, 2, NULL, &report, NULL, NULL), IMGREPL_STATUS_NULL_ARGUMENT,
              "review with options: (NULL, 2)");
    ok(report.ptr == NULL, "no report written by the failures");
    imgrepl_policy_free(p);
}

static const char SECRETS_LIST[] =
    "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": ["
    "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"type\": \"kubernetes.io/dockerconfigjson\","
    " \"metadata\": {\"name\": \"mirror\", \"namespace\": \"shop\"},"
    " \"stringData\": {\".dockerconfigjson\": \"{\\\"auths\\\": {\\\"https://m.io/v1/\\\": {}}}\"}},"
    "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"type\": \"kubernetes.io/dockerconfigjson\","
    " \"metadata\": {\"name\": \"broken\"}, \"data\": {\".dockerconfigjson\": \"not base64!\"}},"
    "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}]}";

static void test_pull_secrets(void) {
    imgrepl_pull_secrets *secrets = NULL;
    is_status(imgrepl_pull_secrets_new(&secrets), IMGREPL_STATUS_OK, "pull secrets");
    is_status(imgrepl_pull_secrets_add_objects(secrets, S(SECRETS_LIST), NULL), IMGREPL_STATUS_OK, "a List of Secrets");
    is_status(imgrepl_pull_secrets_add_docker_config(secrets, S("quay"), NULL, 0,
                                                     S("{\"auths\": {\"quay.io\": {\"auth\": \"dTpw\"}}}"), NULL),
              IMGREPL_STATUS_OK, "a .dockerconfigjson by name");
    imgrepl_string json = {0};
    is_status(imgrepl_pull_secrets_json(secrets, &json), IMGREPL_STATUS_OK, "pull secrets as JSON");
    ok(count(json, "{\"name\":\"mirror\",\"namespace\":\"shop\",\"registries\":[\"m.io\"]}") == 1,
       "the Secret's key as the kubelet keeps it");
    ok(count(json, "{\"name\":\"quay\",\"namespace\":null,\"registries\":[\"quay.io\"]}") == 1, "the config's key");
    ok(count(json, "\"code\":\"invalid-pull-secret\"") == 1 && count(json, "\"pointer\":\"/items/1\"") == 1,
       "the broken Secret is a problem, at /items/1");
    ok(count(json, "\"name\":\"c\"") == 0, "the ConfigMap is ignored");
    imgrepl_string_free(&json);

    /* Bad input: a status and an error, nothing added. */
    imgrepl_error *error = NULL;
    is_status(imgrepl_pull_secrets_add_objects(secrets, S("{\"kind\": x}"), &error), IMGREPL_STATUS_INVALID_WORKLOAD,
              "not JSON");
    imgrepl_str code = imgrepl_error_code(error);
    is_str(code.ptr, code.len, "object-invalid-json", "  its code");
    ok(imgrepl_error_offset(error) == 9, "  at byte 9: %lld", (long long)imgrepl_error_offset(error));
    imgrepl_error_free(error);
    error = NULL;
    is_status(imgrepl_pull_secrets_add_docker_config(secrets, S("bad"), S("shop"), S("[1]"), &error),
              IMGREPL_STATUS_INVALID_ARGUMENT, "a docker config that is not an object");
    code = imgrepl_error_code(error);
    is_str(code.ptr, code.len, "invalid-pull-secret", "  its code");
    imgrepl_str message = imgrepl_error_message(error);
    is_str(message.ptr, message.len, "the pull secret \"bad\" cannot be read: \"auths\" is not an object",
           "  its message");
    imgrepl_error_free(error);
    is_status(imgrepl_pull_secrets_add_objects(secrets, S("[\"\xff\"]"), NULL), IMGREPL_STATUS_INVALID_UTF8, "bad UTF-8");
    is_status(imgrepl_pull_secrets_add_objects(NULL, S("{}"), NULL), IMGREPL_STATUS_NULL_ARGUMENT, "NULL secrets");
    char name[300];
    memset(name, 'n', sizeof name);
    is_status(imgrepl_pull_secrets_add_docker_config(secrets, name, sizeof name, NULL, 0, S("{}"), NULL),
              IMGREPL_STATUS_INPUT_TOO_LARGE, "a name over 253 bytes");
    char *huge = calloc(IMGREPL_MAX_OBJECT_BYTES + 1, 1);
    is_status(imgrepl_pull_secrets_add_objects(secrets, huge, IMGREPL_MAX_OBJECT_BYTES + 1, NULL),
              IMGREPL_STATUS_INPUT_TOO_LARGE, "a document over the object limit");
    free(huge);
    is_status(imgrepl_pull_secrets_json(secrets, &json), IMGREPL_STATUS_OK, "pull secrets as JSON again");
    ok(count(json, "\"registries\"") == 2 && count(json, "\"code\"") == 1, "the failures added nothing");
    imgrepl_string_free(&json);
    is_status(imgrepl_pull_secrets_json(NULL, &json), IMGREPL_STATUS_NULL_ARGUMENT, "JSON of NULL");
    is_status(imgrepl_pull_secrets_new(NULL), IMGREPL_STATUS_NULL_ARGUMENT, "pull_secrets_new: NULL out");

    /* Pull checks over a pod spec: (imagePullSecrets, secrets known, checks on, warning codes). */
    static const struct {
        const char *name;
        const char *pull_secrets;
        int known, checks;
        size_t anonymous, uncovered;
    } cases[] = {
        {"no imagePullSecrets: the pull is anonymous", NULL, 1, 1, 1, 0},
        {"pull checks off: no warning", NULL, 1, 0, 0, 0},
        {"a secret that covers m.io", "[{\"name\": \"mirror\"}]", 1, 1, 0, 0},
        {"a secret for quay.io only", "[{\"name\": \"quay\"}]", 1, 1, 0, 1},
        {"secrets not known: nothing to say about them", "[{\"name\": \"quay\"}]", 0, 1, 0, 0},
        /* Only what was read is judged: its problem is reported where it was read. */
        {"a Secret that could not be read is not judged", "[{\"name\": \"broken\"}]", 1, 1, 0, 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        char object[2048];
        deployment(object, sizeof object, NULL, cases[i].pull_secrets);
        imgrepl_workload_options *o = NULL;
        imgrepl_workload_options_new(NULL, &o);
        is_status(imgrepl_workload_options_set_check_pulls(o, cases[i].checks), IMGREPL_STATUS_OK, "pulls: %s",
                  cases[i].name);
        is_status(imgrepl_workload_options_set_pull_secrets(o, cases[i].known ? secrets : NULL), IMGREPL_STATUS_OK,
                  "  set_pull_secrets");
        imgrepl_string report = {0};
        is_status(imgrepl_workload_rewrite_with_options(object, strlen(object), o, &report, NULL), IMGREPL_STATUS_OK,
                  "  rewrite");
        ok(count(report, "\"code\":\"anonymous-pull\"") == cases[i].anonymous, "  %zu anonymous-pull",
           cases[i].anonymous);
        ok(count(report, "\"code\":\"pull-secret-uncovered\"") == cases[i].uncovered, "  %zu pull-secret-uncovered",
           cases[i].uncovered);
        ok(count(report, "\"op\":\"replace\"") == 1, "  the image is rewritten all the same");
        imgrepl_string_free(&report);
        imgrepl_workload_options_free(o);
    }
    imgrepl_pull_secrets_free(secrets);
    imgrepl_pull_secrets_free(NULL);
}

int main(void) {
    test_coverage();
    test_corpus_errors();
    test_burst_parse();
    test_burst_options();
    test_pull_secrets();
    return done_testing();
}
