const { validatePolicy, Policy } = require("imgrepl");

const text = `[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"}
]`;

// Every diagnostic, with its span in UTF-16 code units (what String.prototype.slice takes).
const typo = `[{"repositoryPrefix": "harbor.domain", "replacewith": "m.io"}]`;
for (const d of validatePolicy(typo).diagnostics) {
  console.log(`${d.code} ${typo.slice(d.span.start, d.span.end)}: ${d.message}`);
}

const policy = Policy.parse(text);
console.log(policy.rewrite("nginx:latest").image);
// swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest
for (const row of policy.rewriteAll(["harbor.domain/ubuntu:22.04", "Bad:image"])) {
  console.log(row.image, row.rule, row.error?.code ?? "");
}
try {
  policy.rewrite("team/App");
} catch (e) {
  console.log(e.code, e.offset); // uppercase 5
}
policy.free();
