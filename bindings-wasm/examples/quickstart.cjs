const { Policy } = require("imgrepl");

const policy = Policy.parse(`[{"repositoryPrefix": "", "replaceWith": "mirror.example.com/hub"}]`);
console.log(policy.rewrite("nginx:1.27").image);
policy.free();
