// Reads a rendered kustomization (multi-document YAML) on stdin, validates every object against the
// Kubernetes schemas (kubernetes-models) and KEDA's (@kubernetes-models/keda), and prints one JSON
// document: {"objects": [...], "errors": [...]}. An object of a kind neither package knows is an error,
// so nothing goes unchecked. Exits 0 either way; the caller decides what an error means.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const modules = {
  "v1": () => import("kubernetes-models/v1"),
  "apps/v1": () => import("kubernetes-models/apps/v1"),
  "batch/v1": () => import("kubernetes-models/batch/v1"),
  "policy/v1": () => import("kubernetes-models/policy/v1"),
  "autoscaling/v2": () => import("kubernetes-models/autoscaling/v2"),
  "networking.k8s.io/v1": () => import("kubernetes-models/networking.k8s.io/v1"),
  "rbac.authorization.k8s.io/v1": () => import("kubernetes-models/rbac.authorization.k8s.io/v1"),
  "keda.sh/v1alpha1": () => import("@kubernetes-models/keda/keda.sh/v1alpha1"),
};

const objects = [];
const errors = [];

for (const document of parseAllDocuments(readFileSync(0, "utf8"))) {
  if (document.errors.length > 0) {
    errors.push({ object: "(yaml)", message: document.errors.map((e) => e.message).join("; ") });
    continue;
  }
  const object = document.toJS();
  if (object === null || object === undefined) {
    continue;
  }
  objects.push(object);
  const name = `${object.apiVersion}/${object.kind} ${object.metadata?.name ?? "(no name)"}`;
  const load = modules[object.apiVersion];
  const model = load && (await load())[object.kind];
  if (typeof model !== "function") {
    errors.push({ object: name, message: "no schema for this apiVersion and kind" });
    continue;
  }
  try {
    new model(withUnwrappedSecretData(object)).validate();
  } catch (error) {
    const details = (error.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
    errors.push({ object: name, message: details.length > 0 ? details.join("; ") : String(error.message ?? error) });
  }
}

// kustomize wraps long base64 values over several lines; the API server's decoder skips line breaks
// (and only those), the schema's "byte" format does not.
function withUnwrappedSecretData(object) {
  if (object.apiVersion !== "v1" || object.kind !== "Secret" || object.data === undefined) {
    return object;
  }
  const data = Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, String(value).replace(/[\r\n]/g, "")]));
  return { ...object, data };
}

process.stdout.write(JSON.stringify({ objects, errors }));
