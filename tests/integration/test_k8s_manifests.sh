#!/bin/bash
# test_k8s_manifests.sh: deploy/kubernetes checked offline, as far as a
# machine without a cluster can: Debian's yamllint on the YAML, then every
# document against the Kubernetes API with deploy/kubernetes/validate.mjs
# (npm: kubernetes-models' JSON schemas for types and enums, and
# kubernetes-types through the TypeScript compiler for fields the API does
# not have). Also: the Indexed Job is what docs/hosts.md says (Indexed,
# parallelism = completions = --shards), pods are annotated for scraping on
# the port --metrics serves. Not run here: kubectl apply against a cluster
# (none), the image build (deploy/Dockerfile; no container runtime).
. "$(dirname "$0")/lib.sh"
mc_need jq yamllint node npm
K8S=$(cd "$(dirname "$0")/../../deploy/kubernetes" && pwd)

yamllint -s "$K8S" || mc_fail "yamllint deploy/kubernetes"
echo "ok: yamllint -s deploy/kubernetes"

# the validators, pinned, installed once into a cache shared by test runs
NPM_DIR=${MC_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/maxconn-test-npm}
mc_lock npm
mkdir -p "$NPM_DIR"
PKGS="kubernetes-models@5.1.0 kubernetes-types@1.30.0 js-yaml@4.1.0 typescript@5.9.3"
if [ "$(cat "$NPM_DIR/.installed" 2>/dev/null)" != "$PKGS" ]; then
	(cd "$NPM_DIR" && timeout 240 npm install --no-audit --no-fund --silent $PKGS) ||
		mc_skip registry npm "npm install $PKGS failed (no npm registry?)"
	echo "$PKGS" >"$NPM_DIR/.installed"
fi
cp "$K8S/validate.mjs" "$NPM_DIR/validate.mjs"
(cd "$NPM_DIR" && node validate.mjs "$K8S"/*.yaml) || mc_fail "the manifests do not validate"

# the validator must refuse a field the API does not have, and a wrong type
sed 's/completionMode: Indexed/completionsMode: Indexed/' "$K8S/clients.yaml" >"$MC_TMP/typo.yaml"
sed 's/parallelism: 4/parallelism: four/' "$K8S/clients.yaml" >"$MC_TMP/type.yaml"
for bad in typo type; do
	if (cd "$NPM_DIR" && node validate.mjs "$MC_TMP/$bad.yaml") >"$MC_TMP/$bad.out" 2>&1; then
		mc_fail "validate.mjs took $bad.yaml: $(cat "$MC_TMP/$bad.out")"
	fi
	echo "ok: $bad.yaml refused: $(grep -m1 -E 'error|must' "$MC_TMP/$bad.out")"
done

# what docs/hosts.md relies on, read from the manifests themselves
J=$(cd "$NPM_DIR" && node -e '
	const y = require("js-yaml"), fs = require("fs");
	const docs = process.argv.slice(1).flatMap(f => y.loadAll(fs.readFileSync(f, "utf8")));
	console.log(JSON.stringify(docs.filter(Boolean)));' "$K8S"/*.yaml)
job() { jq -r "$1" <<<"$(jq '.[]|select(.kind == "Job")' <<<"$J")"; }
mc_eq "Job completionMode" Indexed "$(job .spec.completionMode)"
mc_eq "Job parallelism = completions" "$(job .spec.completions)" "$(job .spec.parallelism)"
args=$(job '.spec.template.spec.containers[0].args|join(" ")')
mc_eq "the clients' --shards = completions" "$(job .spec.completions)" \
	"$(sed -n 's/.*--shards \([0-9]*\).*/\1/p' <<<"$args")"
for kind in Job Deployment; do
	port=$(jq -r ".[]|select(.kind == \"$kind\")|.spec.template.metadata.annotations[\"prometheus.io/port\"]" <<<"$J")
	mc_eq "$kind scraped on the --metrics port" "$port" \
		"$(jq -r ".[]|select(.kind == \"$kind\")|.spec.template.spec.containers[0].args|join(\" \")" <<<"$J" | sed -n 's/.*--metrics :\([0-9]*\).*/\1/p')"
done
# the arguments parse: the same command line, with the Service address
# and the shard the Job would give (no connection is made: --help after)
svc_args=$(sed 's/\$(MAXCONN_SERVER_SERVICE_HOST)/127.0.0.1/' <<<"$args")
JOB_COMPLETION_INDEX=3 "$MAXCONN" $svc_args --help >/dev/null ||
	mc_fail "maxconn rejects the Job's arguments: $svc_args"
echo "ok: the Job's command line parses: maxconn $svc_args"
