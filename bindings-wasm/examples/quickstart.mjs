import { validatePolicy, Policy } from "imgrepl";

// The policy: the JSON of the coordinator.cci.io/image-replacement annotation.
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
for (const row of policy.rewriteAll(["harbor.domain/ubuntu:22.04", "Bad:image"])) {
  console.log(row.image, row.rule, row.error?.code ?? "ok");
}
try {
  policy.rewrite("team/App");
} catch (e) {
  console.log(e.code, e.offset);
}
policy.free();
