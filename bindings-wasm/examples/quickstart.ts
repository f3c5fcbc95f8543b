import { Policy, validatePolicy, type Diagnostic, type Rewritten } from "imgrepl";

const found: Diagnostic[] = validatePolicy(`[{"repositoryPrefix": "a.io"}]`).diagnostics;
const policy: Policy = Policy.parse(`[{"repositoryPrefix": "", "replaceWith": "mirror.example.com/hub"}]`);
const result: Rewritten = policy.rewrite("nginx:1.27");
console.log(found.map((d) => d.code), result.image, result.rule);
policy.free();
