/* test_cases.c: the front-door case table (testdata/frontdoor/cases.json, through the generated
 * cases.h) run through the C API: policy diagnostics, rewrite and rewrite_alloc, the batch, explain, coverage,
 * diff and the second pass. The Rust, Go and JS tests run the same rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgrepl.h"
#include "tap.h"
#include "cases.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The policy of a row, in its mode (-1: as parsed); bails out when it is invalid. */
static imgrepl_policy *policy(const char *text, int mode) {
    imgrepl_policy *p = NULL;
    imgrepl_status s = imgrepl_policy_parse(text, strlen(text), &p, NULL);
    if (s != IMGREPL_STATUS_OK) {
        printf("Bail out! imgrepl_policy_parse: %s\n", imgrepl_status_name(s));
        exit(1);
    }
    if (mode < 0) return p;
    imgrepl_policy *m = NULL;
    s = imgrepl_policy_with_mode(p, (uint32_t)mode, &m);
    imgrepl_policy_free(p);
    if (s != IMGREPL_STATUS_OK) {
        printf("Bail out! imgrepl_policy_with_mode: %s\n", imgrepl_status_name(s));
        exit(1);
    }
    return m;
}

/* A JSON output equals the table's, as the library writes it; frees it. */
static void is_json(imgrepl_status s, imgrepl_string *json, const char *want, const char *what, const char *name) {
    is_status(s, IMGREPL_STATUS_OK, "%s: %s: status", what, name);
    is_str(json->ptr, json->len, want, "%s: %s", what, name);
    imgrepl_string_free(json);
}

/* A list of diagnostics is the row's; frees it. */
static void check_diagnostics(imgrepl_diagnostics *list, const frontdoor_policy *c, const char *what) {
    ok(imgrepl_diagnostics_len(list) == c->len, "policy: %s: %s: %zu diagnostics", c->name, what,
       imgrepl_diagnostics_len(list));
    for (size_t j = 0; j < c->len && j < imgrepl_diagnostics_len(list); j++) {
        const frontdoor_diagnostic *w = &c->diagnostics[j];
        imgrepl_diagnostic d;
        is_status(imgrepl_diagnostics_get(list, j, &d), IMGREPL_STATUS_OK, "policy: %s: diagnostic %zu", c->name, j);
        ok(d.severity == w->severity, "policy: %s: %zu severity", c->name, j);
        is_str(d.code.ptr, d.code.len, w->code, "policy: %s: %zu code", c->name, j);
        is_str(d.message.ptr, d.message.len, w->message, "policy: %s: %zu message", c->name, j);
        ok(d.rule == w->rule, "policy: %s: %zu rule %lld", c->name, j, (long long)d.rule);
        is_str(d.field.ptr, d.field.len, w->field, "policy: %s: %zu field", c->name, j);
        is_str(d.pointer.ptr, d.pointer.len, w->pointer, "policy: %s: %zu pointer", c->name, j);
        ok(d.span_start == w->span_start && d.span_end == w->span_end, "policy: %s: %zu span [%zu, %zu)", c->name, j,
           d.span_start, d.span_end);
        ok(d.has_related == w->has_related &&
               (!w->has_related || (d.related_start == w->related_start && d.related_end == w->related_end)),
           "policy: %s: %zu related", c->name, j);
    }
    imgrepl_diagnostics_free(list);
}

static void test_policy(void) {
    for (size_t i = 0; i < LEN(FRONTDOOR_POLICY); i++) {
        const frontdoor_policy *c = &FRONTDOOR_POLICY[i];
        imgrepl_policy *p = NULL;
        imgrepl_diagnostics *list = NULL;
        imgrepl_status s = imgrepl_policy_parse(c->text, strlen(c->text), &p, &list);
        is_status(s, c->ok ? IMGREPL_STATUS_OK : IMGREPL_STATUS_INVALID_POLICY, "policy: %s: status", c->name);
        ok((p != NULL) == c->ok, "policy: %s: a policy only when it is valid", c->name);
        /* Errors and warnings on failure; the warnings on success. */
        check_diagnostics(list, c, "parse");
        if (c->ok) {
            list = NULL;
            is_status(imgrepl_policy_warnings(p, &list), IMGREPL_STATUS_OK, "policy: %s: warnings", c->name);
            check_diagnostics(list, c, "imgrepl_policy_warnings");
        }
        imgrepl_policy_free(p);
    }
}

static void test_rewrite(void) {
    for (size_t i = 0; i < LEN(FRONTDOOR_REWRITE); i++) {
        const frontdoor_rewrite *c = &FRONTDOOR_REWRITE[i];
        const frontdoor_want *w = &c->want;
        imgrepl_policy *p = policy(c->policy, c->mode);
        char buf[512];
        size_t len = 0;
        int64_t rule = -7;
        imgrepl_error *err = NULL;
        imgrepl_status s = imgrepl_policy_rewrite(p, c->image, strlen(c->image), buf, sizeof buf, &len, &rule, &err);
        is_status(s, w->status, "rewrite: %s: status", c->name);
        if (w->image != NULL) {
            is_str(buf, len, w->image, "rewrite: %s: image", c->name);
            ok(rule == w->rule, "rewrite: %s: rule %lld", c->name, (long long)rule);
            imgrepl_string out = {0};
            is_status(imgrepl_policy_rewrite_alloc(p, c->image, strlen(c->image), &out, &rule, NULL), IMGREPL_STATUS_OK,
                      "rewrite_alloc: %s", c->name);
            is_str(out.ptr, out.len, w->image, "rewrite_alloc: %s: image", c->name);
            imgrepl_string_free(&out);
        } else {
            ok(rule == -7, "rewrite: %s: rule_out not written on error", c->name);
            ok(err != NULL, "rewrite: %s: an error", c->name);
            imgrepl_str code = imgrepl_error_code(err);
            is_str(code.ptr, code.len, w->code, "rewrite: %s: code", c->name);
            ok(imgrepl_error_offset(err) == (int64_t)w->offset, "rewrite: %s: offset %lld", c->name,
               (long long)imgrepl_error_offset(err));
            is_status(imgrepl_error_status(err), w->status, "rewrite: %s: the error's status", c->name);
            imgrepl_error_free(err);
        }
        imgrepl_policy_free(p);
    }
}

static void test_batch(void) {
    for (size_t i = 0; i < LEN(FRONTDOOR_BATCH); i++) {
        const frontdoor_batch *c = &FRONTDOOR_BATCH[i];
        imgrepl_policy *p = policy(c->policy, c->mode);
        size_t lens[64] = {0}, total = 0;
        char all[4096];
        for (size_t j = 0; j < c->len; j++) {
            lens[j] = strlen(c->images[j]);
            if (j >= LEN(lens) || total + lens[j] > sizeof all) {
                printf("Bail out! batch: %s: more images than this test holds\n", c->name);
                exit(1);
            }
            memcpy(all + total, c->images[j], lens[j]);
            total += lens[j];
        }
        imgrepl_batch *b = NULL;
        is_status(imgrepl_policy_rewrite_batch(p, c->len ? all : NULL, total, c->len ? lens : NULL, c->len, &b),
                  IMGREPL_STATUS_OK, "batch: %s", c->name);
        const imgrepl_batch_item *items = NULL;
        size_t n = 0;
        is_status(imgrepl_batch_items(b, &items, &n), IMGREPL_STATUS_OK, "batch: %s: items", c->name);
        ok(n == c->len, "batch: %s: %zu items", c->name, n);
        for (size_t j = 0; j < n && j < c->len; j++) {
            const frontdoor_want *w = &c->want[j];
            is_status(items[j].status, w->status, "batch: %s: item %zu status", c->name, j);
            ok(items[j].rule == w->rule, "batch: %s: item %zu rule %lld", c->name, j, (long long)items[j].rule);
            /* Each item's range in the output holds its image. */
            imgrepl_str out = imgrepl_batch_output(b);
            size_t span = items[j].end - items[j].start;
            ok(span == items[j].image.len && (span == 0 || memcmp(out.ptr + items[j].start, items[j].image.ptr, span) == 0),
               "batch: %s: item %zu range [%zu, %zu)", c->name, j, items[j].start, items[j].end);
            if (w->image != NULL) {
                is_str(items[j].image.ptr, items[j].image.len, w->image, "batch: %s: item %zu", c->name, j);
            } else {
                /* An image left as it is keeps its range. */
                is_str(items[j].image.ptr, items[j].image.len, c->images[j], "batch: %s: item %zu kept", c->name, j);
                is_str(items[j].code.ptr, items[j].code.len, w->code, "batch: %s: item %zu code", c->name, j);
                ok(items[j].offset == w->offset, "batch: %s: item %zu offset %zu", c->name, j, items[j].offset);
            }
        }
        imgrepl_batch_free(b);
        imgrepl_policy_free(p);
    }
}

static void test_explain(void) {
    for (size_t i = 0; i < LEN(FRONTDOOR_EXPLAIN); i++) {
        const frontdoor_explain *c = &FRONTDOOR_EXPLAIN[i];
        imgrepl_policy *p = policy(c->policy, c->mode);
        imgrepl_string json = {0};
        is_json(imgrepl_policy_explain(p, c->image, strlen(c->image), &json), &json, c->want, "explain", c->name);
        imgrepl_policy_free(p);
    }
}

/* The corpus of a row, one image at a time with its workload. */
static imgrepl_corpus *corpus(const frontdoor_toolkit *c) {
    imgrepl_corpus *corpus = NULL;
    if (imgrepl_corpus_new(&corpus) != IMGREPL_STATUS_OK) {
        printf("Bail out! imgrepl_corpus_new\n");
        exit(1);
    }
    for (size_t i = 0; i < c->corpus_len; i++) {
        const frontdoor_item *item = &c->corpus[i];
        size_t len = strlen(item->image);
        const char *w = item->workload;
        imgrepl_status s = imgrepl_corpus_add(corpus, item->image, len, &len, 1, w, w ? strlen(w) : 0);
        if (s != IMGREPL_STATUS_OK) {
            printf("Bail out! imgrepl_corpus_add: %s\n", imgrepl_status_name(s));
            exit(1);
        }
    }
    return corpus;
}

static void test_toolkit(void) {
    for (size_t i = 0; i < LEN(FRONTDOOR_COVERAGE); i++) {
        const frontdoor_toolkit *c = &FRONTDOOR_COVERAGE[i];
        imgrepl_policy *p = policy(c->policy, c->mode);
        imgrepl_corpus *corp = corpus(c);
        imgrepl_string json = {0};
        imgrepl_coverage_summary coverage;
        memset(&coverage, 0xff, sizeof coverage);
        is_json(imgrepl_policy_coverage(p, corp, &json, &coverage), &json, c->want, "coverage", c->name);
        ok(memcmp(&coverage, &c->coverage, sizeof coverage) == 0, "coverage: %s: the summary counts the report", c->name);
        imgrepl_corpus_free(corp);
        imgrepl_policy_free(p);
    }
    for (size_t i = 0; i < LEN(FRONTDOOR_DIFF); i++) {
        const frontdoor_toolkit *c = &FRONTDOOR_DIFF[i];
        imgrepl_policy *old = policy(c->policy, c->mode), *new = policy(c->new_policy, c->new_mode);
        imgrepl_corpus *corp = corpus(c);
        imgrepl_string json = {0};
        imgrepl_diff_summary diff;
        memset(&diff, 0xff, sizeof diff);
        is_json(imgrepl_policy_diff(old, new, corp, &json, &diff), &json, c->want, "diff", c->name);
        ok(memcmp(&diff, &c->diff, sizeof diff) == 0, "diff: %s: the summary counts the report", c->name);
        imgrepl_corpus_free(corp);
        imgrepl_policy_free(old);
        imgrepl_policy_free(new);
    }
    for (size_t i = 0; i < LEN(FRONTDOOR_SECOND_PASS); i++) {
        const frontdoor_toolkit *c = &FRONTDOOR_SECOND_PASS[i];
        imgrepl_policy *p = policy(c->policy, c->mode);
        imgrepl_corpus *corp = corpus(c);
        imgrepl_string json = {0};
        imgrepl_second_pass_summary second_pass;
        memset(&second_pass, 0xff, sizeof second_pass);
        is_json(imgrepl_policy_second_pass(p, corp, &json, &second_pass), &json, c->want, "second pass", c->name);
        ok(memcmp(&second_pass, &c->second_pass, sizeof second_pass) == 0, "second pass: %s: the summary counts the report",
           c->name);
        imgrepl_corpus_free(corp);
        imgrepl_policy_free(p);
    }
}

int main(void) {
    test_policy();
    test_rewrite();
    test_batch();
    test_explain();
    test_toolkit();
    return done_testing();
}
