// A realistic cluster dump, as `kubectl get nodes,ns,pods,svc,endpointslices,cnp,ccnp,netpol,
// ciliumnodes,ciliumendpoints,ciliumidentities,deployments,replicasets -A -o yaml|json`
// prints it: every object with managedFields, uid, resourceVersion and timestamps; objects
// made with `kubectl apply` (Namespaces, Deployments, Services, policies) carry the
// last-applied-configuration annotation; Pods belong to ReplicaSets of Deployments
// (ownerReferences), have defaulted specs (volumes, tolerations) and full status; Nodes have
// conditions, images and nodeInfo; one Cilium agent pod (hostNetwork, a DaemonSet's) per
// node and CoreDNS in kube-system. Deterministic for a seed.
//
// `lean: true` gives the same objects without that noise (what a person would write, plus
// the addresses): the benchmark compares the two. `core: true` leaves out EndpointSlices
// and Cilium's objects (CiliumNodes, CiliumEndpoints, CiliumIdentities): the dump of
// `kubectl get nodes,ns,pods,svc,cnp,ccnp,netpol,deployments,replicasets -A`.
import { rng } from './prng.mjs';

const TIERS = ['web', 'api', 'db', 'cache', 'worker', 'frontend', 'backend'];
const WORDS = ['cart', 'checkout', 'catalog', 'search', 'auth', 'billing', 'ledger', 'notify', 'report', 'ingest', 'render', 'media', 'profile', 'orders', 'stock', 'ship', 'pricing', 'review', 'geo', 'audit'];
const ENVS = ['prod', 'staging', 'dev'];
const ipText = (n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const ip = (a, b, c, d) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const pad = (n, w) => String(n).padStart(w, '0');
const BASE_TIME = Date.UTC(2024, 4, 13, 9, 12, 44);
const time = (seconds) => new Date(BASE_TIME + seconds * 1000).toISOString().replace('.000Z', 'Z');

/** managedFields' fieldsV1 for a set of paths: {"f:a": {"f:b": {}}} with "." for a set that has its own entry. */
function fieldsOf(value, own = false) {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return {};
  const out = own ? { '.': {} } : {};
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v)) {
      const f = {};
      v.forEach((item) => {
        if (item && typeof item === 'object' && !Array.isArray(item)) {
          const id = item.name !== undefined ? { name: item.name } : item.containerPort !== undefined ? { containerPort: item.containerPort, protocol: item.protocol ?? 'TCP' } : item.port !== undefined ? { port: item.port, protocol: item.protocol ?? 'TCP' } : item.type !== undefined ? { type: item.type } : undefined;
          if (id) f[`k:${JSON.stringify(id)}`] = fieldsOf(item, true);
        } else f[`v:${JSON.stringify(item)}`] = {};
      });
      out[`f:${k}`] = Object.keys(f).length > 0 ? { '.': {}, ...f } : {};
    } else if (v !== null && typeof v === 'object') out[`f:${k}`] = fieldsOf(v, Object.keys(v).length > 0);
    else out[`f:${k}`] = {};
  }
  return out;
}

function entry(manager, operation, t, fields, subresource) {
  return { apiVersion: fields.apiVersion ?? 'v1', fieldsType: 'FieldsV1', fieldsV1: fields.v1, manager, operation, ...(subresource ? { subresource } : {}), time: t };
}

export class RealisticCluster {
  /** @param {{nodes: number, pods: number, policies: number, services: number, seed?: number}} o */
  constructor(o) {
    const r = (this.r = rng(o.seed ?? 1));
    this.seed = o.seed ?? 1;
    const N = Math.max(1, o.nodes | 0);
    const P = Math.max(0, o.pods | 0);
    this.opts = { nodes: N, pods: P, policies: Math.max(0, o.policies | 0), services: Math.max(0, o.services | 0) };
    const perNode = Math.ceil(P / N) + 8;
    if (perNode > 4000) throw new Error(`${P} pods on ${N} nodes is more than 4,000 per node (Cilium's endpoint IDs); add nodes`);
    const bits = Math.max(8, Math.ceil(Math.log2(perNode)));
    if (N * 2 ** bits > 2 ** 23) throw new Error('too many pod addresses for 10.128.0.0/9');
    this.rv = 100_000;
    this.identity = 20_000;
    this.deployments = [];
    for (let left = P, i = 0; left > 0; i++) {
      const replicas = Math.min(left, r.int(1, 19));
      this.deployments.push({ i, replicas });
      left -= replicas;
    }
    const nsCount = Math.max(1, Math.ceil(this.deployments.length / 50));
    this.namespaces = [];
    for (let i = 0; i < nsCount; i++) this.namespaces.push({ name: `ns-${pad(i, 3)}`, env: ENVS[i % ENVS.length], team: `team-${i % 17}`, uid: this.uid(), t: i * 7 });
    this.nodes = [];
    for (let i = 0; i < N; i++) {
      const name = `node-${pad(i, 4)}`;
      const base = (ip(10, 128, 0, 0) + i * 2 ** bits) >>> 0;
      this.nodes.push({ name, cidr: `${ipText(base)}/${32 - bits}`, base, next: 2, epid: 100, addr: ipText((ip(172, 16, 0, 10) + i) >>> 0), hostIp: ipText(base + 1), uid: this.uid(), cnUid: this.uid() });
    }
    this.pods = [];
    // kube-system: CoreDNS (a Deployment) and one Cilium agent per node (hostNetwork, DaemonSet).
    const dns = { i: -1, ns: 'kube-system', app: 'coredns', labels: { 'k8s-app': 'kube-dns' }, tier: 'dns', replicas: 2, sa: 'coredns', port: 53, hash: r.id(10), uid: this.uid(), rsUid: this.uid(), identity: 19_999, system: true };
    this.deployments.unshift(dns);
    let cursor = r.int(0, N - 1);
    for (const d of this.deployments) {
      if (!d.system) {
        const ns = this.namespaces[d.i % nsCount];
        Object.assign(d, { ns: ns.name, app: `${r.pick(WORDS)}-${d.i}`, tier: r.pick(TIERS), team: ns.team, hash: r.id(10), metrics: r.chance(0.3), uid: this.uid(), rsUid: this.uid(), identity: this.identity++, port: 8080 });
        d.sa = r.chance(0.5) ? d.app : 'default';
        d.labels = { app: d.app, tier: d.tier, team: d.team };
      }
      d.pods = [];
      for (let k = 0; k < d.replicas; k++) {
        const node = this.nodes[cursor];
        cursor = (cursor + 1) % N;
        const pod = { d, name: `${d.app}-${d.hash}-${r.id(5)}`, node, ip: ipText((node.base + node.next++) >>> 0), uid: this.uid(), epid: node.epid++, t: 600 + this.pods.length, container: r.id(64), hostNetwork: false };
        d.pods.push(pod);
        this.pods.push(pod);
      }
    }
    for (const node of this.nodes) {
      this.pods.push({ d: { ns: 'kube-system', app: 'cilium', labels: { 'k8s-app': 'cilium', 'app.kubernetes.io/name': 'cilium-agent', 'controller-revision-hash': '5d8f7c9b4', 'pod-template-generation': '1' }, sa: 'cilium', hash: 'ds', daemonSet: true, uid: this.dsUid ??= this.uid() }, name: `cilium-${r.id(5)}`, node, ip: node.addr, uid: this.uid(), t: 60, container: r.id(64), hostNetwork: true });
    }
    this.services = [];
    let nodePort = 30000;
    const apps = this.deployments.filter((d) => !d.system);
    for (let i = 0; i < this.opts.services && apps.length > 0; i++) {
      const d = apps[i % apps.length];
      const isNodePort = r.chance(0.005) && nodePort <= 32767;
      this.services.push({ name: `svc-${pad(i, 4)}-${d.app}`, ns: d.ns, d, type: isNodePort ? 'NodePort' : 'ClusterIP', clusterIP: ipText((ip(10, 96, 16, 0) + i) >>> 0), named: r.chance(0.5), nodePort: isNodePort ? nodePort++ : undefined, uid: this.uid(), sliceUid: this.uid(), slice: r.id(5), t: 300 + i });
    }
    this.services.push({ name: 'kube-dns', ns: 'kube-system', d: dns, type: 'ClusterIP', clusterIP: '10.96.0.10', dns: true, uid: this.uid(), sliceUid: this.uid(), slice: r.id(5), t: 5 });
    this.policies = this.makePolicies(apps);
    const first = this.policies[0];
    if (first?.hint) this.hints = first.hint;
    else if (this.pods.length > 1) this.hints = { src: `${this.pods[0].d.ns}/${this.pods[0].name}`, dst: `${this.pods[1].d.ns}/${this.pods[1].name}`, proto: 'tcp/8080' };
  }

  uid() {
    const h = (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.r.int(0, 15)];
      return s;
    };
    return `${h(8)}-${h(4)}-4${h(3)}-a${h(3)}-${h(12)}`;
  }

  makePolicies(apps) {
    const r = this.r;
    const out = [];
    const byNs = new Map();
    for (const d of apps) byNs.set(d.ns, [...(byNs.get(d.ns) ?? []), d]);
    for (let i = 0; i < this.opts.policies && apps.length > 0; i++) {
      const d = apps[r.int(0, apps.length - 1)];
      const peers = byNs.get(d.ns) ?? [d];
      const peer = peers[r.int(0, peers.length - 1)];
      const roll = r.next();
      const name = `pol-${pad(i, 5)}`;
      const meta = { name, namespace: d.ns };
      if (i === 0 || roll < 0.45) {
        const other = i === 0 ? apps.find((x) => x !== d && x.ns === d.ns) ?? peer : peer;
        let hint;
        if (i === 0) {
          const dst = d.pods[0];
          const src = other.pods.find((p) => p.node !== dst.node) ?? other.pods[0];
          hint = { src: `${other.ns}/${src.name}`, dst: `${d.ns}/${dst.name}`, proto: 'tcp/8080' };
        }
        out.push({ hint, t: 900 + i, uid: this.uid(), obj: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: meta, spec: {
          endpointSelector: { matchLabels: { app: d.app } },
          ingress: [
            { fromEndpoints: [{ matchLabels: { app: other.app } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
            { fromEndpoints: [{ matchLabels: { tier: r.pick(TIERS) } }], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] },
          ],
          egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }, { toEndpoints: [{ matchLabels: { app: other.app } }] }],
        } } });
      } else if (roll < 0.75) {
        out.push({ t: 900 + i, uid: this.uid(), obj: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta, spec: {
          podSelector: { matchLabels: { app: d.app } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: r.pick(ENVS) } }, podSelector: { matchLabels: { tier: r.pick(TIERS) } } }, { podSelector: { matchLabels: { app: peer.app } } }], ports: [{ port: 'http', protocol: 'TCP' }, { port: 9090, protocol: 'TCP' }] }],
        } } });
      } else if (roll < 0.92) {
        out.push({ t: 900 + i, uid: this.uid(), obj: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: meta, spec: {
          endpointSelector: { matchLabels: { app: d.app } },
          egress: [{ toCIDRSet: [{ cidr: `52.${i % 256}.${(i * 13) % 256}.0/24`, except: [`52.${i % 256}.${(i * 13) % 256}.128/25`] }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, { toEntities: ['kube-apiserver'] }],
        } } });
      } else {
        out.push({ t: 900 + i, uid: this.uid(), obj: { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec: {
          endpointSelector: { matchLabels: { tier: d.tier, team: d.team } },
          ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: [r.pick(TIERS), r.pick(TIERS)] }] }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }, { fromEntities: ['host', 'remote-node'] }],
        } } });
      }
    }
    return out;
  }

  /** What `kubectl apply` records, and metadata as the API server returns it. */
  applied(obj, uid, t, extraFields = {}, annotations = {}) {
    const lastApplied = `${JSON.stringify({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { annotations: {}, ...obj.metadata }, ...(obj.spec ? { spec: obj.spec } : {}) })}\n`;
    const metadata = {
      ...obj.metadata,
      annotations: { ...annotations, 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
      creationTimestamp: time(t),
      generation: 1,
      resourceVersion: String(this.rv++),
      uid,
    };
    const fields = { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} }, ...fieldsOf({ labels: obj.metadata.labels ?? {} }) }, ...(obj.spec ? { 'f:spec': fieldsOf(obj.spec) } : {}) };
    if (!obj.metadata.labels) delete fields['f:metadata']['f:labels'];
    metadata.managedFields = [entry('kubectl-client-side-apply', 'Update', time(t), { apiVersion: obj.apiVersion, v1: fields }), ...(extraFields.status ? [entry(extraFields.manager ?? 'kube-controller-manager', 'Update', time(t + 5), { apiVersion: obj.apiVersion, v1: { 'f:status': fieldsOf(extraFields.status) } }, 'status')] : [])];
    if (obj.kind === 'NetworkPolicy' || obj.kind.startsWith('Cilium')) delete metadata.generation;
    return { ...obj, metadata };
  }

  // ---- objects ---------------------------------------------------------------------------

  namespace(ns, lean) {
    const obj = { apiVersion: 'v1', kind: 'Namespace', metadata: { labels: { env: ns.env, 'kubernetes.io/metadata.name': ns.name, team: ns.team }, name: ns.name } };
    if (lean) return obj;
    const out = this.applied({ ...obj, metadata: { labels: { env: ns.env, team: ns.team }, name: ns.name } }, ns.uid, ns.t);
    out.metadata.labels = obj.metadata.labels;
    delete out.metadata.generation;
    return { ...out, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  }

  node(n, lean) {
    const i = this.nodes.indexOf(n);
    const labels = { 'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'm5.2xlarge', 'topology.kubernetes.io/region': 'eu-west-1', 'topology.kubernetes.io/zone': `eu-west-1${'abc'[i % 3]}` };
    const addresses = [{ address: n.addr, type: 'InternalIP' }, { address: n.name, type: 'Hostname' }];
    if (lean) return { apiVersion: 'v1', kind: 'Node', metadata: { labels, name: n.name }, spec: { podCIDR: n.cidr, podCIDRs: [n.cidr] }, status: { addresses } };
    const cond = (type, status, reason, message) => ({ lastHeartbeatTime: time(86_000), lastTransitionTime: time(30), message, reason, status, type });
    const images = [];
    for (let k = 0; k < 24; k++) images.push({ names: [`registry.example.com/team-${k % 17}/service-${k}@sha256:${this.r.id(40)}`, `registry.example.com/team-${k % 17}/service-${k}:1.${k}.0`], sizeBytes: 10_000_000 + k * 1_234_567 });
    const status = {
      addresses,
      allocatable: { cpu: '7910m', 'ephemeral-storage': '76224326324', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '31561968Ki', pods: '110' },
      capacity: { cpu: '8', 'ephemeral-storage': '83873772Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '32579824Ki', pods: '110' },
      conditions: [
        cond('NetworkUnavailable', 'False', 'CiliumIsUp', 'Cilium is running on this node'),
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status. AppArmor enabled'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      images,
      nodeInfo: { architecture: 'amd64', bootID: this.uid(), containerRuntimeVersion: 'containerd://1.6.20', kernelVersion: '5.15.0-1034-aws', kubeProxyVersion: 'v1.26.4', kubeletVersion: 'v1.26.4', machineID: this.r.id(32), operatingSystem: 'linux', osImage: 'Ubuntu 22.04.2 LTS', systemUUID: this.uid() },
    };
    const annotations = { 'io.cilium.network.ipv4-cilium-host': n.hostIp, 'io.cilium.network.ipv4-health-ip': ipText(ip(...n.hostIp.split('.').map(Number)) + 100), 'io.cilium.network.ipv4-pod-cidr': n.cidr, 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock', 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' };
    const metadata = { annotations, creationTimestamp: time(i), labels, name: n.name, resourceVersion: String(this.rv++), uid: n.uid };
    metadata.managedFields = [
      entry('kubeadm', 'Update', time(i), { v1: { 'f:metadata': { 'f:annotations': { 'f:kubeadm.alpha.kubernetes.io/cri-socket': {} } } } }),
      entry('kube-controller-manager', 'Update', time(i + 20), { v1: { 'f:metadata': { 'f:annotations': { 'f:node.alpha.kubernetes.io/ttl': {} } }, 'f:spec': { 'f:podCIDR': {}, 'f:podCIDRs': { '.': {}, [`v:"${n.cidr}"`]: {} } } } }),
      entry('cilium-agent', 'Update', time(i + 40), { v1: { 'f:metadata': { 'f:annotations': { 'f:io.cilium.network.ipv4-cilium-host': {}, 'f:io.cilium.network.ipv4-health-ip': {}, 'f:io.cilium.network.ipv4-pod-cidr': {} } } } }),
      entry('cilium-agent', 'Update', time(i + 41), { v1: { 'f:status': { 'f:conditions': { 'k:{"type":"NetworkUnavailable"}': { '.': {}, 'f:lastHeartbeatTime': {}, 'f:lastTransitionTime': {}, 'f:message': {}, 'f:reason': {}, 'f:status': {}, 'f:type': {} } } } } }, 'status'),
      entry('kubelet', 'Update', time(86_000), { v1: { 'f:metadata': { 'f:labels': fieldsOf(labels, true) }, 'f:status': fieldsOf({ allocatable: status.allocatable, capacity: status.capacity, conditions: status.conditions.slice(1), images: [], nodeInfo: status.nodeInfo }) } }, 'status'),
    ];
    return { apiVersion: 'v1', kind: 'Node', metadata, spec: { podCIDR: n.cidr, podCIDRs: [n.cidr] }, status };
  }

  template(d) {
    const ports = d.system ? [{ containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' }] : [{ containerPort: 8080, name: 'http', protocol: 'TCP' }, ...(d.metrics ? [{ containerPort: 9090, name: 'metrics', protocol: 'TCP' }] : [])];
    return { metadata: { labels: d.labels }, spec: { containers: [{ image: d.system ? 'registry.k8s.io/coredns/coredns:v1.9.3' : `registry.example.com/${d.app}:1.${d.i % 10}`, name: d.system ? 'coredns' : 'app', ports }], serviceAccountName: d.sa } };
  }

  deployment(d, lean) {
    const tpl = this.template(d);
    const obj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { labels: d.labels, name: d.app, namespace: d.ns }, spec: { replicas: d.replicas, selector: { matchLabels: d.labels }, template: tpl } };
    if (lean) return obj;
    const status = { availableReplicas: d.replicas, conditions: [{ lastTransitionTime: time(620), lastUpdateTime: time(620), message: 'Deployment has minimum availability.', reason: 'MinimumReplicasAvailable', status: 'True', type: 'Available' }, { lastTransitionTime: time(500), lastUpdateTime: time(620), message: `ReplicaSet "${d.app}-${d.hash}" has successfully progressed.`, reason: 'NewReplicaSetAvailable', status: 'True', type: 'Progressing' }], observedGeneration: 1, readyReplicas: d.replicas, replicas: d.replicas, updatedReplicas: d.replicas };
    const out = this.applied(obj, d.uid, 500, { status }, { 'deployment.kubernetes.io/revision': '1' });
    out.spec = { ...obj.spec, progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' }, template: this.fullTemplate(d, tpl) };
    out.status = status;
    return out;
  }

  fullTemplate(d, tpl) {
    const c = tpl.spec.containers[0];
    return { metadata: { creationTimestamp: null, labels: d.labels }, spec: { containers: [{ ...c, imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }], dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, serviceAccount: d.sa, serviceAccountName: d.sa, terminationGracePeriodSeconds: 30 } };
  }

  replicaSet(d, lean) {
    const labels = { ...d.labels, 'pod-template-hash': d.hash };
    const name = `${d.app}-${d.hash}`;
    if (lean) return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { labels, name, namespace: d.ns }, spec: { replicas: d.replicas, selector: { matchLabels: labels } } };
    const owner = [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'Deployment', name: d.app, uid: d.uid }];
    const spec = { replicas: d.replicas, selector: { matchLabels: labels }, template: this.fullTemplate({ ...d, labels }, this.template(d)) };
    const status = { availableReplicas: d.replicas, fullyLabeledReplicas: d.replicas, observedGeneration: 1, readyReplicas: d.replicas, replicas: d.replicas };
    const metadata = { annotations: { 'deployment.kubernetes.io/desired-replicas': String(d.replicas), 'deployment.kubernetes.io/max-replicas': String(d.replicas + Math.ceil(d.replicas / 4)), 'deployment.kubernetes.io/revision': '1' }, creationTimestamp: time(500), generation: 1, labels, name, namespace: d.ns, ownerReferences: owner, resourceVersion: String(this.rv++), uid: d.rsUid };
    metadata.managedFields = [entry('kube-controller-manager', 'Update', time(500), { apiVersion: 'apps/v1', v1: { 'f:metadata': { 'f:annotations': fieldsOf(metadata.annotations, true), 'f:labels': fieldsOf(labels, true), 'f:ownerReferences': { '.': {}, [`k:{"uid":"${d.uid}"}`]: {} } }, 'f:spec': fieldsOf(spec) } }), entry('kube-controller-manager', 'Update', time(620), { apiVersion: 'apps/v1', v1: { 'f:status': fieldsOf(status) } }, 'status')];
    return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata, spec, status };
  }

  pod(p, lean) {
    const d = p.d;
    const tpl = d.daemonSet ? { spec: { containers: [{ image: 'quay.io/cilium/cilium:v1.13.0', name: 'cilium-agent', ports: [{ containerPort: 9962, hostPort: 9962, name: 'prometheus', protocol: 'TCP' }] }], serviceAccountName: 'cilium' } } : this.template(d);
    const labels = d.daemonSet ? d.labels : { ...d.labels, 'pod-template-hash': d.hash };
    const c = tpl.spec.containers[0];
    if (lean) {
      return { apiVersion: 'v1', kind: 'Pod', metadata: { labels, name: p.name, namespace: d.ns }, spec: { containers: [{ image: c.image, name: c.name, ports: c.ports }], ...(p.hostNetwork ? { hostNetwork: true } : {}), nodeName: p.node.name, serviceAccountName: d.sa }, status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] } };
    }
    const vol = `kube-api-access-${p.name.slice(-5)}`;
    const owner = d.daemonSet ? { apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'DaemonSet', name: 'cilium', uid: d.uid } : { apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: `${d.app}-${d.hash}`, uid: d.rsUid };
    const spec = {
      containers: [{ ...c, imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', volumeMounts: [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: vol, readOnly: true }] }],
      dnsPolicy: p.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst', enableServiceLinks: true, ...(p.hostNetwork ? { hostNetwork: true } : {}), nodeName: p.node.name, preemptionPolicy: 'PreemptLowerPriority', priority: 0, restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, serviceAccount: d.sa, serviceAccountName: d.sa, terminationGracePeriodSeconds: 30,
      tolerations: [{ effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 }, { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 }],
      volumes: [{ name: vol, projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } }, { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } }] } }],
    };
    const cond = (type, t) => ({ lastProbeTime: null, lastTransitionTime: time(t), status: 'True', type });
    const status = {
      conditions: [cond('Initialized', p.t), cond('Ready', p.t + 4), cond('ContainersReady', p.t + 4), cond('PodScheduled', p.t)],
      containerStatuses: [{ containerID: `containerd://${p.container}`, image: c.image, imageID: `${c.image.split(':')[0]}@sha256:${p.container}`, lastState: {}, name: c.name, ready: true, restartCount: 0, started: true, state: { running: { startedAt: time(p.t + 3) } } }],
      hostIP: p.node.addr, phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], qosClass: 'BestEffort', startTime: time(p.t),
    };
    const annotations = d.metrics ? { 'prometheus.io/port': '9090', 'prometheus.io/scrape': 'true' } : undefined;
    const metadata = { ...(annotations ? { annotations } : {}), creationTimestamp: time(p.t), generateName: d.daemonSet ? 'cilium-' : `${d.app}-${d.hash}-`, labels, name: p.name, namespace: d.ns, ownerReferences: [owner], resourceVersion: String(this.rv++), uid: p.uid };
    metadata.managedFields = [
      entry('kube-controller-manager', 'Update', time(p.t), { v1: { 'f:metadata': { ...(annotations ? { 'f:annotations': fieldsOf(annotations, true) } : {}), 'f:generateName': {}, 'f:labels': fieldsOf(labels, true), 'f:ownerReferences': { '.': {}, [`k:{"uid":"${owner.uid}"}`]: {} } }, 'f:spec': fieldsOf({ ...spec, nodeName: undefined }) } }),
      entry('kubelet', 'Update', time(p.t + 4), { v1: { 'f:status': { 'f:conditions': { [`k:{"type":"ContainersReady"}`]: { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} }, [`k:{"type":"Initialized"}`]: { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} }, [`k:{"type":"Ready"}`]: { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:podIPs': { '.': {}, [`k:{"ip":"${p.ip}"}`]: { '.': {}, 'f:ip': {} } }, 'f:startTime': {} } } }, 'status'),
    ];
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status };
  }

  service(s, lean) {
    const d = s.d;
    const ports = s.dns ? [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }] : [{ name: 'http', port: 80, protocol: 'TCP', targetPort: s.named ? 'http' : 8080, ...(s.nodePort ? { nodePort: s.nodePort } : {}) }];
    const obj = { apiVersion: 'v1', kind: 'Service', metadata: { ...(s.dns ? { labels: { 'k8s-app': 'kube-dns' } } : {}), name: s.name, namespace: s.ns }, spec: { ports, selector: s.dns ? { 'k8s-app': 'kube-dns' } : { app: d.app }, type: s.type } };
    if (lean) return { ...obj, spec: { ...obj.spec, clusterIP: s.clusterIP, clusterIPs: [s.clusterIP] } };
    const out = this.applied(obj, s.uid, s.t);
    delete out.metadata.generation;
    out.spec = { ...obj.spec, clusterIP: s.clusterIP, clusterIPs: [s.clusterIP], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', ...(s.type === 'NodePort' ? { externalTrafficPolicy: 'Cluster' } : {}) };
    out.status = { loadBalancer: {} };
    return out;
  }

  endpointSlice(s, lean) {
    const d = s.d;
    const labels = { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': s.name };
    const endpoints = d.pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: p.node.name, targetRef: { kind: 'Pod', name: p.name, namespace: d.ns, uid: p.uid } }));
    const ports = s.dns ? [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] : [{ name: 'http', port: 8080, protocol: 'TCP' }];
    const name = `${s.name.slice(0, 57)}-${s.slice}`;
    if (lean) return { addressType: 'IPv4', apiVersion: 'discovery.k8s.io/v1', endpoints: endpoints.map((e) => ({ addresses: e.addresses, nodeName: e.nodeName })), kind: 'EndpointSlice', metadata: { labels, name, namespace: s.ns }, ports };
    const metadata = { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': time(s.t + 400) }, creationTimestamp: time(s.t), generateName: `${s.name.slice(0, 57)}-`, generation: d.pods.length, labels, name, namespace: s.ns, ownerReferences: [{ apiVersion: 'v1', blockOwnerDeletion: true, controller: true, kind: 'Service', name: s.name, uid: s.uid }], resourceVersion: String(this.rv++), uid: s.sliceUid };
    metadata.managedFields = [entry('kube-controller-manager', 'Update', time(s.t + 400), { apiVersion: 'discovery.k8s.io/v1', v1: { 'f:addressType': {}, 'f:endpoints': {}, 'f:metadata': { 'f:annotations': fieldsOf(metadata.annotations, true), 'f:generateName': {}, 'f:labels': fieldsOf(labels, true), 'f:ownerReferences': { '.': {}, [`k:{"uid":"${s.uid}"}`]: {} } }, 'f:ports': {} } })];
    return { addressType: 'IPv4', apiVersion: 'discovery.k8s.io/v1', endpoints, kind: 'EndpointSlice', metadata, ports };
  }

  policy(p, lean) {
    if (lean) return p.obj;
    return this.applied(p.obj, p.uid, p.t);
  }

  ciliumNode(n, lean) {
    const spec = { addresses: [{ ip: n.addr, type: 'InternalIP' }, { ip: n.hostIp, type: 'CiliumInternalIP' }], ipam: { podCIDRs: [n.cidr] } };
    if (lean) return { apiVersion: 'cilium.io/v2', kind: 'CiliumNode', metadata: { name: n.name }, spec };
    const i = this.nodes.indexOf(n);
    const full = { ...spec, alibaba_cloud: {}, azure: {}, encryption: {}, eni: {}, health: { ipv4: ipText(ip(...n.hostIp.split('.').map(Number)) + 100) }, ingress: {}, ipam: { ...spec.ipam, pools: {} } };
    const metadata = { creationTimestamp: time(i + 40), generation: 1, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux' }, name: n.name, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: n.name, uid: n.uid }], resourceVersion: String(this.rv++), uid: n.cnUid };
    metadata.managedFields = [entry('cilium-agent', 'Update', time(i + 40), { apiVersion: 'cilium.io/v2', v1: { 'f:metadata': { 'f:labels': fieldsOf(metadata.labels, true), 'f:ownerReferences': { '.': {}, [`k:{"uid":"${n.uid}"}`]: {} } }, 'f:spec': fieldsOf(full) } }), entry('cilium-operator', 'Update', time(i + 42), { apiVersion: 'cilium.io/v2', v1: { 'f:status': { '.': {}, 'f:ipam': { '.': {}, 'f:operator-status': {} } } } }, 'status')];
    return { apiVersion: 'cilium.io/v2', kind: 'CiliumNode', metadata, spec: full, status: { alibaba_cloud: {}, azure: {}, eni: {}, ipam: { 'operator-status': {} } } };
  }

  securityLabels(d) {
    const out = { 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': d.ns, 'k8s:io.cilium.k8s.policy.cluster': 'default', 'k8s:io.cilium.k8s.policy.serviceaccount': d.sa, 'k8s:io.kubernetes.pod.namespace': d.ns };
    for (const [k, v] of Object.entries(d.labels)) out[`k8s:${k}`] = v;
    return out;
  }

  ciliumEndpoint(p, lean) {
    const d = p.d;
    const status = { id: p.epid, identity: { id: d.identity, labels: Object.entries(this.securityLabels(d)).map(([k, v]) => `${k}=${v}`).sort() }, networking: { addressing: [{ ipv4: p.ip }], node: p.node.addr } };
    if (lean) return { apiVersion: 'cilium.io/v2', kind: 'CiliumEndpoint', metadata: { name: p.name, namespace: d.ns }, status };
    const full = { ...status, encryption: {}, 'external-identifiers': { 'container-id': p.container, 'k8s-namespace': d.ns, 'k8s-pod-name': p.name, 'pod-name': `${d.ns}/${p.name}` }, ...(d.system ? { 'named-ports': [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] } : { 'named-ports': [{ name: 'http', port: 8080, protocol: 'TCP' }] }), state: 'ready' };
    const metadata = { creationTimestamp: time(p.t + 2), generation: 1, labels: { ...d.labels, 'pod-template-hash': d.hash }, name: p.name, namespace: d.ns, ownerReferences: [{ apiVersion: 'v1', blockOwnerDeletion: true, kind: 'Pod', name: p.name, uid: p.uid }], resourceVersion: String(this.rv++), uid: this.uid() };
    metadata.managedFields = [entry('cilium-agent', 'Update', time(p.t + 2), { apiVersion: 'cilium.io/v2', v1: { 'f:metadata': { 'f:labels': fieldsOf(metadata.labels, true), 'f:ownerReferences': { '.': {}, [`k:{"uid":"${p.uid}"}`]: {} } }, 'f:status': fieldsOf(full) } })];
    return { apiVersion: 'cilium.io/v2', kind: 'CiliumEndpoint', metadata, status: full };
  }

  ciliumIdentity(d, lean) {
    const labels = this.securityLabels(d);
    const obj = { apiVersion: 'cilium.io/v2', kind: 'CiliumIdentity', metadata: { name: String(d.identity) }, 'security-labels': labels };
    if (lean) return obj;
    const metaLabels = { 'io.cilium.k8s.policy.cluster': 'default', 'io.cilium.k8s.policy.serviceaccount': d.sa, 'io.kubernetes.pod.namespace': d.ns, ...d.labels };
    const metadata = { creationTimestamp: time(590), generation: 1, labels: metaLabels, name: String(d.identity), resourceVersion: String(this.rv++), uid: this.uid() };
    metadata.managedFields = [entry('cilium-agent', 'Update', time(590), { apiVersion: 'cilium.io/v2', v1: { 'f:metadata': { 'f:labels': fieldsOf(metaLabels, true) }, 'f:security-labels': fieldsOf(labels, true) } })];
    return { ...obj, metadata };
  }

  /** Every object, in the order `kubectl get` prints the resources named above (each sorted by namespace and name). */
  *objects({ lean = false, core = false } = {}) {
    const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    const nsName = (ns, name) => `${ns}/${name}`;
    for (const n of this.nodes) yield this.node(n, lean);
    const nss = [{ name: 'default', system: true }, { name: 'kube-system', system: true }, ...this.namespaces].sort((a, b) => byName(a.name, b.name));
    for (const ns of nss) yield ns.system ? this.systemNamespace(ns.name, lean) : this.namespace(ns, lean);
    for (const p of [...this.pods].sort((a, b) => byName(nsName(a.d.ns, a.name), nsName(b.d.ns, b.name)))) yield this.pod(p, lean);
    const svcs = [...this.services].sort((a, b) => byName(nsName(a.ns, a.name), nsName(b.ns, b.name)));
    for (const s of svcs) yield this.service(s, lean);
    if (!core) for (const s of svcs) yield this.endpointSlice(s, lean);
    const pol = (kind) => this.policies.filter((p) => p.obj.kind === kind).sort((a, b) => byName(nsName(a.obj.metadata.namespace ?? '', a.obj.metadata.name), nsName(b.obj.metadata.namespace ?? '', b.obj.metadata.name)));
    for (const kind of ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'NetworkPolicy']) for (const p of pol(kind)) yield this.policy(p, lean);
    if (!core) {
      for (const n of this.nodes) yield this.ciliumNode(n, lean);
      for (const p of this.pods.filter((x) => !x.hostNetwork).sort((a, b) => byName(nsName(a.d.ns, a.name), nsName(b.d.ns, b.name)))) yield this.ciliumEndpoint(p, lean);
      for (const d of [...this.deployments].sort((a, b) => a.identity - b.identity)) yield this.ciliumIdentity(d, lean);
    }
    const deps = [...this.deployments].sort((a, b) => byName(nsName(a.ns, a.app), nsName(b.ns, b.app)));
    for (const d of deps) yield this.deployment(d, lean);
    for (const d of deps) yield this.replicaSet(d, lean);
  }

  systemNamespace(name, lean) {
    const labels = { 'kubernetes.io/metadata.name': name };
    if (lean) return { apiVersion: 'v1', kind: 'Namespace', metadata: { labels, name } };
    const metadata = { creationTimestamp: time(0), labels, name, resourceVersion: String(this.rv++), uid: this.uid() };
    metadata.managedFields = [entry('kube-apiserver', 'Update', time(0), { v1: { 'f:metadata': { 'f:labels': fieldsOf(labels, true) } } })];
    return { apiVersion: 'v1', kind: 'Namespace', metadata, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  }

  counts() {
    const kinds = {};
    for (const p of this.policies) kinds[p.obj.kind] = (kinds[p.obj.kind] ?? 0) + 1;
    return { nodes: this.nodes.length, namespaces: this.namespaces.length + 2, deployments: this.deployments.length, pods: this.pods.length, services: this.services.length, policies: this.policies.length, ...kinds };
  }
}
