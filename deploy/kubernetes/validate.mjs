// validate.mjs: check every document of the manifests named on the command
// line against the Kubernetes API, offline (kubectl cannot: even
// --dry-run=client asks an API server). Two checks, both from npm:
//   - kubernetes-models: each kind's JSON schema (types, enums, formats);
//   - kubernetes-types with the TypeScript compiler: each document as a
//     typed object literal, so a field the API does not have (a typo such
//     as completionsMode) is an error, as the API server's strict field
//     validation would make it.
//   node validate.mjs deploy/kubernetes/*.yaml   (run where node_modules is)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import yaml from "js-yaml";

let bad = 0;
let checked = 0;
const ts = [];
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (!doc) continue;
    const where = `${basename(file)}: ${doc.kind} ${doc.metadata?.name ?? "?"}`;
    let Model;
    try {
      Model = (await import(`kubernetes-models/${doc.apiVersion}/${doc.kind}`))[doc.kind];
    } catch (e) {
      console.error(`${where}: no schema for ${doc.apiVersion} ${doc.kind}`);
      bad++;
      continue;
    }
    try {
      new Model(doc).validate();
      console.log(`ok: ${where} (${doc.apiVersion}, schema)`);
      checked++;
    } catch (e) {
      console.error(`${where}: ${e.message}`);
      bad++;
    }
    ts.push({ where, doc });
  }
}

// the field check: one TypeScript file per document
const dir = mkdtempSync(join(process.cwd(), "check-")); /* beside node_modules */
const files = ts.map(({ where, doc }, i) => {
  const group = doc.apiVersion.includes("/") ? doc.apiVersion : `core/${doc.apiVersion}`;
  const name = join(dir, `${i}-${where.replace(/[^A-Za-z0-9]+/g, "_")}.ts`);
  writeFileSync(name, `import type { ${doc.kind} } from "kubernetes-types/${group}";\n` +
    `export const doc: ${doc.kind} = ${JSON.stringify(doc, null, 2)};\n`);
  return name;
});
try {
  execFileSync(join(process.cwd(), "node_modules/.bin/tsc"),
    ["--noEmit", "--strict", "--skipLibCheck", "--moduleResolution", "node",
     "--target", "es2020", ...files],
    { stdio: ["ignore", "pipe", "pipe"], cwd: process.cwd() });
  console.log(`ok: ${files.length} documents: no field the API does not have (kubernetes-types)`);
} catch (e) {
  console.error(`fields the API does not have:\n${e.stdout}${e.stderr}`);
  bad++;
}
rmSync(dir, { recursive: true, force: true });
console.log(`manifests: ${checked} valid, ${bad} invalid`);
process.exit(bad || !checked ? 1 : 0);
