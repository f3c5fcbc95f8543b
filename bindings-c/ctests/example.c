/* The example of bindings-c/README.md, compiled and run by the C tests as it is. */
#include <stdio.h>
#include <string.h>

#include "imgrepl.h"

int main(void) {
    const char *json =
        "[{\"repositoryPrefix\": \"harbor.domain\", \"replaceWith\": \"mirror.local/org1\"},"
        " {\"repositoryPrefix\": \"\", \"replaceWith\": \"mirror.local/hub\"}]";
    imgrepl_policy *policy = NULL;
    imgrepl_diagnostics *diagnostics = NULL;
    imgrepl_status status = imgrepl_policy_parse(json, strlen(json), &policy, &diagnostics);
    if (status != IMGREPL_STATUS_OK) {
        /* Every error, with its code, message and byte span in the policy text. */
        for (size_t i = 0; i < imgrepl_diagnostics_len(diagnostics); i++) {
            imgrepl_diagnostic d;
            imgrepl_diagnostics_get(diagnostics, i, &d);
            fprintf(stderr, "%.*s at byte %zu: %.*s\n", (int)d.code.len, d.code.ptr,
                    d.span_start, (int)d.message.len, d.message.ptr);
        }
        imgrepl_diagnostics_free(diagnostics);
        return 1;
    }
    imgrepl_diagnostics_free(diagnostics); /* the warnings, none here */

    const char *images[] = {"harbor.domain/team/app:1.0", "nginx:1.27", "quay.io/x/y", "Bad"};
    char buf[256];
    for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) {
        size_t len = 0;
        int64_t rule = -1;
        imgrepl_error *error = NULL;
        status = imgrepl_policy_rewrite(policy, images[i], strlen(images[i]), buf, sizeof buf,
                                        &len, &rule, &error);
        if (status == IMGREPL_STATUS_OK) {
            printf("%s -> %.*s (rule %lld)\n", images[i], (int)len, buf, (long long)rule);
        } else {
            imgrepl_str message = imgrepl_error_message(error);
            printf("%s: %s: %.*s\n", images[i], imgrepl_status_name(status), (int)message.len,
                   message.ptr);
            imgrepl_error_free(error);
        }
    }
    imgrepl_policy_free(policy);
    return 0;
}
