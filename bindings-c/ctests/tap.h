/* tap.h: a tiny TAP (Test Anything Protocol) harness for the C tests, run by `prove`. */
#ifndef IMGREPL_TAP_H
#define IMGREPL_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count = 0;
static int tap_failed = 0;

/* One test line: "ok N - name" or "not ok N - name", with the file and line on failure. */
#define ok(cond, ...)                                                         \
    do {                                                                      \
        int tap_pass_ = (cond) ? 1 : 0;                                       \
        tap_count++;                                                          \
        if (!tap_pass_) tap_failed++;                                         \
        printf("%sok %d - ", tap_pass_ ? "" : "not ", tap_count);             \
        printf(__VA_ARGS__);                                                  \
        printf("\n");                                                         \
        if (!tap_pass_) printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    } while (0)

/* Two statuses are equal; on failure both names are shown. */
#define is_status(got, want, ...)                                             \
    do {                                                                      \
        imgrepl_status tap_got_ = (got);                                      \
        imgrepl_status tap_want_ = (want);                                    \
        ok(tap_got_ == tap_want_, __VA_ARGS__);                               \
        if (tap_got_ != tap_want_)                                            \
            printf("#   got %s, want %s\n", imgrepl_status_name(tap_got_),    \
                   imgrepl_status_name(tap_want_));                           \
    } while (0)

/* A (ptr, len) string equals a C string; on failure both are shown. */
#define is_str(ptr, len, want, ...)                                           \
    do {                                                                      \
        const char *tap_p_ = (ptr);                                           \
        size_t tap_l_ = (len);                                                \
        const char *tap_w_ = (want);                                          \
        int tap_eq_ = tap_l_ == strlen(tap_w_) && (tap_l_ == 0 || memcmp(tap_p_, tap_w_, tap_l_) == 0); \
        ok(tap_eq_, __VA_ARGS__);                                             \
        if (!tap_eq_) printf("#   got \"%.*s\", want \"%s\"\n", (int)tap_l_, tap_p_ ? tap_p_ : "", tap_w_); \
    } while (0)

/* Prints the plan and returns the exit status: 0 when every test passed. */
static int done_testing(void) {
    printf("1..%d\n", tap_count);
    return tap_failed == 0 && tap_count > 0 ? 0 : 1;
}

#endif
