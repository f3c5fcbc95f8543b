/* bindings-c/README.md's "Conventions", each shown by a check (TAP, run by `prove`). */
#include <string.h>

#include "imgrepl.h"
#include "tap.h"

int main(void) {
    /* 1. Statuses: OK is 0; every status has a static name and message. */
    ok(IMGREPL_STATUS_OK == 0, "%s: %s", imgrepl_status_name(IMGREPL_STATUS_OK),
       imgrepl_status_message(IMGREPL_STATUS_OK));

    /* 2. Strings in are (ptr, len) UTF-8: no NUL needed, (NULL, 0) is "", (NULL, n) an error. */
    const char *json = "[{\"repositoryPrefix\": \"\", \"replaceWith\": \"m.io/hub\"}]  trailing bytes";
    imgrepl_policy *policy = NULL;
    ok(imgrepl_policy_parse(json, strlen(json) - strlen("  trailing bytes"), &policy, NULL) == IMGREPL_STATUS_OK,
       "a length, not a NUL, ends the input");
    ok(imgrepl_policy_parse(NULL, 4, &policy, NULL) == IMGREPL_STATUS_NULL_ARGUMENT, "(NULL, 4) is NULL_ARGUMENT");
    ok(imgrepl_policy_parse("\xff", 1, &policy, NULL) == IMGREPL_STATUS_INVALID_UTF8, "bad UTF-8 is INVALID_UTF8");

    /* 3. Outputs are written only on OK; the caller's buffer reports the size it needs. */
    size_t needed = 0;
    ok(imgrepl_policy_rewrite(policy, "nginx", 5, NULL, 0, &needed, NULL, NULL) == IMGREPL_STATUS_BUFFER_TOO_SMALL &&
           needed == strlen("m.io/hub/nginx"),
       "(NULL, 0) as the buffer asks for the size: %zu", needed);
    char buf[64];
    size_t len = 0;
    int64_t rule = -7;
    ok(imgrepl_policy_rewrite(policy, "Nginx", 5, buf, sizeof buf, &len, &rule, NULL) == IMGREPL_STATUS_INVALID_IMAGE &&
           len == 0 && rule == -7,
       "on an error, out_len and rule_out are not written");

    /* 4. Owned strings (imgrepl_string) are freed by imgrepl_string_free; borrowed ones
     *    (imgrepl_str) live as long as the object they came from. */
    imgrepl_string owned = {0};
    ok(imgrepl_policy_rewrite_alloc(policy, "nginx", 5, &owned, NULL, NULL) == IMGREPL_STATUS_OK &&
           strcmp(owned.ptr, "m.io/hub/nginx") == 0,
       "an owned string is also NUL-terminated");
    imgrepl_string_free(&owned);
    imgrepl_string_free(&owned); /* cleared by the first call: a no-op */
    imgrepl_str prefix, replace;
    ok(imgrepl_policy_rule(policy, 0, &prefix, &replace) == IMGREPL_STATUS_OK && replace.len == 8 &&
           memcmp(replace.ptr, "m.io/hub", 8) == 0,
       "a borrowed string is (ptr, len), valid while the policy lives");

    /* 5. Every _parse/_new has a _free, and _free accepts NULL. */
    imgrepl_policy_free(policy);
    imgrepl_policy_free(NULL);
    imgrepl_diagnostics_free(NULL);
    imgrepl_error_free(NULL);
    imgrepl_batch_free(NULL);
    imgrepl_reference_free(NULL);
    return done_testing();
}
