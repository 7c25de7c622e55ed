// Validates every object in the given YAML files against the Kubernetes API
// schemas compiled into kubernetes-models (no cluster, no network).
// Usage: node validate.mjs FILE.yaml...   Exit 1 on the first invalid file.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

let failed = false;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.error(`${file}: ${doc.errors[0].message}`);
      failed = true;
      continue;
    }
    const obj = doc.toJS();
    const [group, version] = obj.apiVersion.includes("/")
      ? obj.apiVersion.split("/")
      : [null, obj.apiVersion];
    const module = await import(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`);
    const Model = module[obj.kind];
    if (!Model) {
      console.error(`${file}: no schema for ${obj.apiVersion} ${obj.kind}`);
      failed = true;
      continue;
    }
    try {
      new Model(obj).validate();
      console.log(`${file}: ${obj.kind}/${obj.metadata.name} valid`);
    } catch (e) {
      console.error(`${file}: ${obj.kind}/${obj.metadata.name}: ${e.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
