// What `kubectl kustomize` renders from deploy/k8s, checked offline (no API server can run here):
//   - every object against its Kubernetes schema (kubernetes-models: required fields, types, formats;
//     the ServiceMonitor against @kubernetes-models/prometheus-operator's CRD schema);
//   - every field name and value type against the same models' TypeScript types (tsc), since the
//     schemas above accept unknown fields: a misspelt `readinesProbe` would pass them, and an API
//     server would refuse it (kubectl's strict field validation) or drop it;
//   - the objects against one another: selectors select pods, named ports exist, the HPA's target,
//     the ConfigMaps and Secrets the pods use exist with the keys they read, and the Secrets the prod
//     overlay expects are exactly those the README's `kubectl create secret` commands make;
//   - the service's Deployment keeps the rules of deploy/k8s/base (rolling without dropping below the
//     desired count, non-root, read-only, no capabilities, probes, requests and limits, spread).
// What the service itself serves (probe paths, environment variables, the image's tag) is held
// against the running service by KubernetesDeploymentTest (src/test/java).
// Run: deploy/k8s/test/run.sh (or npm ci && npm test here); needs kubectl with kustomize on PATH.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const k8sDir = resolve(here, "..");
const repo = resolve(k8sDir, "../..");

/** Each kustomization that is rendered, by name. */
const RENDERS = {
  dev: "overlays/dev",
  prod: "overlays/prod",
  "prod+servicemonitor": "test/with-servicemonitor",
};
/** The renders whose Secrets are made by hand, with the README's commands. */
const SECRETS_BY_README = new Set(["prod", "prod+servicemonitor"]);
const SERVICE = "credit-ledger"; // the service's Deployment, Service, HPA, PDB and NetworkPolicy

function render(path) {
  const out = execFileSync("kubectl", ["kustomize", join(k8sDir, path)], { encoding: "utf8" });
  return parseAllDocuments(out, { uniqueKeys: true }).map((doc) => {
    assert.deepEqual(doc.errors, [], `YAML errors in the render of ${path}`);
    return doc.toJS();
  }).filter((o) => o !== null);
}

const rendered = Object.fromEntries(Object.entries(RENDERS).map(([name, path]) => [name, render(path)]));
const id = (o) => `${o.kind}/${o.metadata?.name}`;

/** The module of an object's model: kubernetes-models, or the Prometheus Operator's for its CRDs. */
function modelModule(o) {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : [null, o.apiVersion];
  const pkg = group === "monitoring.coreos.com" ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
  return group ? `${pkg}/${group}/${version}/${o.kind}` : `${pkg}/${version}/${o.kind}`;
}

/** Type-checks every rendered object with tsc, once; returns the errors by render and object index. */
const typeErrors = (() => {
  const build = join(here, ".build");
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build);
  const lines = [];
  const owners = []; // line number (1-based) -> [render, index]
  const imports = new Map();
  const objects = [];
  for (const [name, objs] of Object.entries(rendered)) {
    objs.forEach((o, i) => {
      const type = `I${o.kind}`;
      const alias = `${type}_${o.apiVersion.replace(/[^A-Za-z0-9]/g, "_")}`;
      imports.set(alias, `import type { ${type} as ${alias} } from "${modelModule(o)}";`);
      objects.push({ name, i, alias, json: JSON.stringify(o, null, 2) });
    });
  }
  lines.push(...imports.values());
  for (const { name, i, alias, json } of objects) {
    const body = `export const o_${lines.length} = ${json} satisfies ${alias};`.split("\n");
    for (const line of body) {
      lines.push(line);
      owners[lines.length] = [name, i];
    }
  }
  writeFileSync(join(build, "objects.ts"), lines.join("\n") + "\n");
  writeFileSync(join(build, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler",
      types: [], skipLibCheck: true,
    },
    files: ["objects.ts"],
  }));
  const tsc = spawnSync(process.execPath, [join(here, "node_modules/typescript/bin/tsc"), "-p", build], { encoding: "utf8" });
  const errors = {};
  for (const line of tsc.stdout.split("\n")) {
    const m = /objects\.ts\((\d+),\d+\): (error .*)$/.exec(line);
    if (m) {
      const [name, i] = owners[Number(m[1])] ?? ["(imports)", -1];
      ((errors[name] ??= {})[i] ??= []).push(m[2]);
    } else if (/error TS/.test(line)) {
      ((errors["(tsc)"] ??= {})[-1] ??= []).push(line);
    }
  }
  assert.equal(errors["(tsc)"], undefined, `tsc failed: ${tsc.stdout}${tsc.stderr}`);
  assert.equal(errors["(imports)"], undefined, `a model's type could not be imported: ${JSON.stringify(errors["(imports)"])}`);
  assert.ok(tsc.status === 0 || Object.keys(errors).length > 0, `tsc exited ${tsc.status}: ${tsc.stdout}${tsc.stderr}`);
  return errors;
})();

const podTemplates = (objs) => objs.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind));
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const podsSelectedBy = (objs, matchLabels) =>
  podTemplates(objs).filter((w) => matches(matchLabels, w.spec.template.metadata?.labels));
const containerPorts = (w) => w.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
const dataKeys = (o) => new Set([...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})]);

/** Every Secret and ConfigMap key a pod reads: [kind, name, key or null for envFrom, optional]. */
function references(objs) {
  const refs = [];
  for (const w of podTemplates(objs)) {
    for (const c of [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers]) {
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef) refs.push({ w, kind: "ConfigMap", name: from.configMapRef.name, key: null, optional: !!from.configMapRef.optional });
        if (from.secretRef) refs.push({ w, kind: "Secret", name: from.secretRef.name, key: null, optional: !!from.secretRef.optional });
      }
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef;
        const m = e.valueFrom?.configMapKeyRef;
        if (s) refs.push({ w, kind: "Secret", name: s.name, key: s.key, optional: !!s.optional });
        if (m) refs.push({ w, kind: "ConfigMap", name: m.name, key: m.key, optional: !!m.optional });
      }
    }
  }
  return refs;
}

/** The Secrets the README's `kubectl create secret generic` commands make: namespace, name -> keys. */
function secretsTheReadmeCreates() {
  const readme = readFileSync(join(repo, "README.md"), "utf8");
  const section = /^## Deploy on Kubernetes$([\s\S]*?)^## /m.exec(readme);
  assert.ok(section, "README.md has no '## Deploy on Kubernetes' section");
  const commands = section[1].replace(/\\\n\s*/g, " ").split("\n").filter((l) => /kubectl .*create secret generic/.test(l));
  return commands.map((line) => {
    const name = /create secret generic (\S+)/.exec(line)[1];
    const namespace = /(?:-n|--namespace)[ =](\S+)/.exec(line)?.[1] ?? null;
    const keys = [...line.matchAll(/--from-(?:literal|file)=([^=\s]+)=/g)].map((m) => m[1]).sort();
    return { name, namespace, keys };
  });
}

for (const [name, objs] of Object.entries(rendered)) {
  test(`${name}: every object is valid against its Kubernetes schema`, async () => {
    assert.ok(objs.length > 0, "nothing rendered");
    for (const o of objs) {
      let Model;
      try {
        Model = (await import(modelModule(o)))[o.kind];
      } catch (e) {
        assert.fail(`${id(o)}: no schema for ${o.apiVersion} ${o.kind} (${e.message})`);
      }
      assert.ok(Model, `${id(o)}: no model ${o.kind} in ${modelModule(o)}`);
      try {
        new Model(o).validate();
      } catch (e) {
        assert.fail(`${id(o)} (${o.apiVersion}) is invalid: ${e.message}`);
      }
    }
  });

  test(`${name}: every field is one its kind has, with a value of its type (tsc)`, () => {
    const found = Object.entries(typeErrors[name] ?? {}).map(([i, errs]) => `${id(objs[i])}:\n  ${errs.join("\n  ")}`);
    assert.deepEqual(found, []);
  });

  test(`${name}: workloads, Services, policies and autoscalers refer to what exists`, () => {
    for (const w of podTemplates(objs)) {
      assert.ok(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels), `${id(w)}: its selector does not select its own pods`);
      const volumes = new Set([...(w.spec.template.spec.volumes ?? []), ...(w.spec.volumeClaimTemplates ?? []).map((t) => t.metadata)].map((v) => v.name));
      for (const c of w.spec.template.spec.containers) {
        const ports = c.ports ?? [];
        for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
          const port = c[probe]?.httpGet?.port;
          if (port === undefined) continue;
          assert.ok(ports.some((p) => p.name === port || p.containerPort === port), `${id(w)}: ${probe} uses port ${port}, which container ${c.name} does not declare`);
        }
        for (const m of c.volumeMounts ?? []) assert.ok(volumes.has(m.name), `${id(w)}: mounts volume ${m.name}, which it does not have`);
      }
      if (w.kind === "StatefulSet") {
        assert.ok(objs.some((s) => s.kind === "Service" && s.metadata.name === w.spec.serviceName && s.spec.clusterIP === "None"),
          `${id(w)}: its serviceName ${w.spec.serviceName} is no headless Service of this render`);
      }
    }
    for (const s of objs.filter((o) => o.kind === "Service")) {
      const pods = podsSelectedBy(objs, s.spec.selector);
      assert.equal(pods.length, 1, `${id(s)} selects the pods of ${pods.map(id).join(", ") || "nothing"}, expected one workload`);
      for (const p of s.spec.ports) {
        if (typeof p.targetPort === "string") {
          assert.ok(containerPorts(pods[0]).some((c) => c.name === p.targetPort), `${id(s)}: targetPort ${p.targetPort} is no port name of ${id(pods[0])}`);
        }
      }
    }
    for (const o of objs.filter((o) => ["PodDisruptionBudget", "NetworkPolicy"].includes(o.kind))) {
      const selector = o.kind === "NetworkPolicy" ? o.spec.podSelector.matchLabels : o.spec.selector.matchLabels;
      const pods = podsSelectedBy(objs, selector);
      assert.equal(pods.length, 1, `${id(o)} selects the pods of ${pods.map(id).join(", ") || "nothing"}, expected one workload`);
      for (const rule of o.spec.ingress ?? []) {
        for (const p of rule.ports ?? []) {
          if (typeof p.port === "string") assert.ok(containerPorts(pods[0]).some((c) => c.name === p.port), `${id(o)}: port ${p.port} is no port name of ${id(pods[0])}`);
        }
        for (const peer of rule.from ?? []) {
          if (peer.podSelector) assert.ok(podsSelectedBy(objs, peer.podSelector.matchLabels).length > 0, `${id(o)}: an ingress peer selects no pods`);
        }
      }
    }
    for (const h of objs.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
      const target = objs.find((o) => o.kind === h.spec.scaleTargetRef.kind && o.metadata.name === h.spec.scaleTargetRef.name && o.apiVersion === h.spec.scaleTargetRef.apiVersion);
      assert.ok(target, `${id(h)}: its scaleTargetRef ${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name} is not in this render`);
      for (const c of target.spec.template.spec.containers) {
        assert.ok(c.resources?.requests?.cpu, `${id(h)} scales on CPU utilization, a share of the request: ${c.name} requests no CPU`);
      }
    }
    for (const m of objs.filter((o) => o.kind === "ServiceMonitor")) {
      const services = objs.filter((s) => s.kind === "Service" && matches(m.spec.selector.matchLabels, s.metadata.labels) && s.metadata.namespace === m.metadata.namespace);
      assert.equal(services.length, 1, `${id(m)} selects the Services ${services.map(id).join(", ") || "none"} in its namespace, expected one`);
      for (const e of m.spec.endpoints) {
        assert.ok(services[0].spec.ports.some((p) => p.name === e.port), `${id(m)}: endpoint port ${e.port} is no port name of ${id(services[0])}`);
      }
    }
  });

  test(`${name}: the ConfigMaps and Secrets the pods read exist with the keys they read`, () => {
    const external = {};
    for (const r of references(objs)) {
      const target = objs.find((o) => o.kind === r.kind && o.metadata.name === r.name);
      if (target) {
        if (r.key !== null) assert.ok(dataKeys(target).has(r.key), `${id(r.w)} reads key ${r.key} of ${r.kind}/${r.name}, which has ${[...dataKeys(target)].join(", ")}`);
      } else if (r.kind === "Secret" && SECRETS_BY_README.has(name)) {
        assert.notEqual(r.key, null, `${id(r.w)} takes all of Secret/${r.name} (envFrom): name each key it needs, so that the README can say what to create`);
        (external[r.name] ??= new Set()).add(r.key);
      } else {
        assert.ok(r.optional, `${id(r.w)} reads ${r.kind}/${r.name}${r.key ? ` key ${r.key}` : ""}, which this render does not make`);
      }
    }
    if (SECRETS_BY_README.has(name)) {
      const namespace = podTemplates(objs).find((w) => w.metadata.name === SERVICE).metadata.namespace;
      const expected = Object.entries(external).map(([n, keys]) => ({ name: n, namespace, keys: [...keys].sort() }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const documented = secretsTheReadmeCreates().sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(documented, expected, "the README's `kubectl create secret generic` commands must make exactly the Secrets (namespace, name, keys) the pods read");
    }
  });

  test(`${name}: the service's Deployment rolls without dropping below the desired count, runs locked down and is probed, spread, autoscaled and protected`, () => {
    const d = objs.find((o) => o.kind === "Deployment" && o.metadata.name === SERVICE);
    assert.ok(d, `no Deployment/${SERVICE}`);
    assert.equal(d.spec.strategy?.type, "RollingUpdate");
    assert.equal(d.spec.strategy.rollingUpdate?.maxUnavailable, 0, "maxUnavailable must be 0");
    assert.ok((d.spec.strategy.rollingUpdate?.maxSurge ?? 0) !== 0, "maxSurge 0 with maxUnavailable 0 cannot roll");
    const pod = d.spec.template.spec;
    assert.equal(pod.securityContext?.runAsNonRoot, true, "runAsNonRoot");
    assert.equal(pod.securityContext?.seccompProfile?.type, "RuntimeDefault", "seccomp RuntimeDefault");
    assert.ok((pod.topologySpreadConstraints ?? []).some((t) => t.topologyKey === "kubernetes.io/hostname" && matches(t.labelSelector?.matchLabels, d.spec.template.metadata.labels)),
      "a topology spread over nodes that counts the service's own pods");
    assert.ok(pod.terminationGracePeriodSeconds > 0, "terminationGracePeriodSeconds");
    for (const c of pod.containers) {
      const sc = c.securityContext ?? {};
      assert.equal(sc.readOnlyRootFilesystem, true, `${c.name}: read-only root filesystem`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${c.name}: no privilege escalation`);
      assert.ok((sc.capabilities?.drop ?? []).includes("ALL"), `${c.name}: all capabilities dropped`);
      assert.equal(sc.capabilities?.add, undefined, `${c.name}: no capability added`);
      assert.equal(sc.privileged ?? false, false, `${c.name}: not privileged`);
      for (const kind of ["requests", "limits"]) {
        for (const r of ["cpu", "memory"]) assert.ok(c.resources?.[kind]?.[r], `${c.name}: ${kind}.${r}`);
      }
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) assert.ok(c[probe]?.httpGet, `${c.name}: an HTTP ${probe}`);
      const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
      assert.ok(tmp && pod.volumes.find((v) => v.name === tmp.name)?.emptyDir, `${c.name}: /tmp is an emptyDir (the JVM writes there)`);
    }
    // No replicas in the Deployment (the autoscaler owns the count), or at least two.
    assert.ok(d.spec.replicas === undefined || d.spec.replicas >= 2, `replicas ${d.spec.replicas}`);
    const hpa = objs.find((o) => o.kind === "HorizontalPodAutoscaler" && o.spec.scaleTargetRef.name === SERVICE);
    assert.ok(hpa, "a HorizontalPodAutoscaler for the Deployment");
    assert.ok(hpa.spec.minReplicas >= 2, `the autoscaler keeps at least 2 replicas (minReplicas ${hpa.spec.minReplicas})`);
    assert.ok(hpa.spec.maxReplicas >= hpa.spec.minReplicas);
    for (const kind of ["Service", "PodDisruptionBudget", "NetworkPolicy"]) {
      const o = objs.find((x) => x.kind === kind && x.metadata.name === SERVICE);
      assert.ok(o, `a ${kind} for the service`);
      const selector = kind === "Service" ? o.spec.selector : kind === "NetworkPolicy" ? o.spec.podSelector.matchLabels : o.spec.selector.matchLabels;
      assert.ok(matches(selector, d.spec.template.metadata.labels), `${kind}/${SERVICE} selects the service's pods`);
    }
  });
}
