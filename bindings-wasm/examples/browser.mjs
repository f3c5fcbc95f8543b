import init, { Policy } from "imgrepl/web";

await init(); // fetches imgrepl_bg.wasm, beside the module
const rules = `[{"repositoryPrefix": "", "replaceWith": "mirror.example.com/hub"}]`;
const policy = Policy.parse(rules);
console.log(policy.rewrite("nginx:1.27").image);
policy.free();

// Whole manifests and the toolkit: the second module, loaded when needed.
const full = await import("imgrepl/web/full");
await full.default();
const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:1.27 # the mirror's
`;
console.log(full.rewriteWorkload(manifest, { policy: rules }).output);
