import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Deployment } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { Job } from 'kubernetes-models/batch/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1'
import { describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'

const k8sRoot = join(import.meta.dirname, '..')
const repoRoot = join(k8sRoot, '../..')

interface Manifest {
  apiVersion: string
  kind: string
  metadata: { name: string; labels?: Record<string, string> }
  // The shapes below are checked by the models first; the checks read them as plain data.
  spec?: Record<string, unknown>
}

/** The schema of each kind (kubernetes-models 4.5.1); HTTPRoute is Gateway API's, checked by hand below. */
const models: Record<string, (manifest: Manifest) => { validate(): void }> = {
  'apps/v1/Deployment': (manifest) => new Deployment(manifest as never),
  'v1/Service': (manifest) => new Service(manifest as never),
  'v1/ConfigMap': (manifest) => new ConfigMap(manifest as never),
  'v1/Secret': (manifest) => new Secret(manifest as never),
  'autoscaling/v2/HorizontalPodAutoscaler': (manifest) => new HorizontalPodAutoscaler(manifest as never),
  'policy/v1/PodDisruptionBudget': (manifest) => new PodDisruptionBudget(manifest as never),
  'batch/v1/Job': (manifest) => new Job(manifest as never),
}

function documents(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null)
}

/** The base's files as written (no kubectl needed). */
function baseManifests(): Manifest[] {
  const files = [
    ...readdirSync(join(k8sRoot, 'base'))
      .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
      .map((file) => join(k8sRoot, 'base', file)),
    ...readdirSync(join(k8sRoot, 'base/apps')).map((file) => join(k8sRoot, 'base/apps', file)),
  ]
  return files.flatMap((file) => documents(readFileSync(file, 'utf8')))
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0
/**
 * An overlay as kubectl would apply it. kustomize folds a Secret's base64 over lines; the API
 * server reads it whole, so the schema (format "byte") is given it unfolded.
 */
function built(overlay: string): Manifest[] {
  const text = execFileSync('kubectl', ['kustomize', join(k8sRoot, 'overlays', overlay)], {
    encoding: 'utf8',
  })
  return documents(text).map((manifest) => {
    const data = (manifest as { data?: Record<string, string> }).data
    if (manifest.kind !== 'Secret' || !data) return manifest
    return {
      ...manifest,
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/\s+/g, '')])),
    }
  })
}

/** Every app of apps/ that runs as a service (the web shop's files are served by the gateway). */
const appNames = readdirSync(join(repoRoot, 'apps')).filter((name) => name !== 'web')

/** Each app's port as docker-compose runs it: the manifests must agree. */
function composePorts(): Record<string, number> {
  const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, unknown> }>
  }
  return Object.fromEntries(
    Object.entries(compose.services)
      .filter(([, service]) => service.environment?.PORT !== undefined)
      .map(([name, service]) => [name, Number(service.environment?.PORT)]),
  )
}

interface Container {
  name: string
  ports?: Array<{ name?: string; containerPort: number }>
  readinessProbe?: { httpGet?: { path?: string; port?: string | number } }
  livenessProbe?: { httpGet?: { path?: string; port?: string | number } }
}
interface PodSpecShape {
  selector: { matchLabels: Record<string, string> }
  template: {
    metadata: { labels: Record<string, string> }
    spec: { containers: Container[]; terminationGracePeriodSeconds?: number }
  }
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value)

/** What schemas cannot see: selectors, ports, probes, references between objects. */
function problems(manifests: Manifest[]): string[] {
  const found: string[] = []
  const of = (kind: string) => manifests.filter((manifest) => manifest.kind === kind)
  const deployments = of('Deployment')
  const services = of('Service')
  const ports = composePorts()
  for (const manifest of manifests) {
    const model = models[`${manifest.apiVersion}/${manifest.kind}`]
    if (model) {
      try {
        model(manifest).validate()
      } catch (error) {
        found.push(`${manifest.kind} ${manifest.metadata.name}: ${String(error)}`)
      }
    } else if (manifest.kind !== 'HTTPRoute')
      found.push(`${manifest.kind} ${manifest.metadata.name}: no schema`)
  }
  for (const app of appNames)
    if (!deployments.some((deployment) => deployment.metadata.name === app))
      found.push(`${app}: no Deployment`)
  for (const deployment of deployments) {
    const spec = deployment.spec as unknown as PodSpecShape
    const name = deployment.metadata.name
    if (!matches(spec.selector.matchLabels, spec.template.metadata.labels))
      found.push(`Deployment ${name}: selector does not match its pods' labels`)
    // Longer than close-with-grace's 10 s drain, so Kubernetes never kills a pod mid-drain.
    if ((spec.template.spec.terminationGracePeriodSeconds ?? 30) <= 10)
      found.push(`Deployment ${name}: terminationGracePeriodSeconds not longer than the 10 s drain`)
    for (const container of spec.template.spec.containers) {
      const http = container.ports?.find((port) => port.name === 'http')
      if (!http) found.push(`Deployment ${name}: no http port`)
      else if (ports[name] !== undefined && http.containerPort !== ports[name])
        found.push(`Deployment ${name}: port ${http.containerPort}, compose runs it on ${ports[name]}`)
      if (container.readinessProbe?.httpGet?.path !== '/health/ready')
        found.push(`Deployment ${name}: readiness probe is not /health/ready`)
      if (container.livenessProbe?.httpGet?.path !== '/health/live')
        found.push(`Deployment ${name}: liveness probe is not /health/live`)
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        const port = probe?.httpGet?.port
        if (port !== undefined && !container.ports?.some((p) => p.name === port || p.containerPort === port))
          found.push(`Deployment ${name}: a probe's port ${port} is not a container port`)
      }
    }
  }
  for (const service of services) {
    const spec = service.spec as {
      selector: Record<string, string>
      ports: Array<{ port: number; targetPort?: string | number }>
    }
    const target = deployments.find((deployment) =>
      matches(spec.selector, (deployment.spec as unknown as PodSpecShape).template.metadata.labels),
    )
    if (!target) {
      found.push(`Service ${service.metadata.name}: selects no Deployment's pods`)
      continue
    }
    const containerPorts = (target.spec as unknown as PodSpecShape).template.spec.containers.flatMap(
      (container) => container.ports ?? [],
    )
    for (const port of spec.ports) {
      const targetPort = port.targetPort ?? port.port
      const container = containerPorts.find((p) => p.name === targetPort || p.containerPort === targetPort)
      if (!container)
        found.push(`Service ${service.metadata.name}: targetPort ${targetPort} is no container port`)
      else if (container.containerPort !== port.port)
        found.push(
          `Service ${service.metadata.name}: port ${port.port} differs from the container's ${container.containerPort}`,
        )
    }
  }
  for (const hpa of of('HorizontalPodAutoscaler')) {
    const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef
    if (target.kind !== 'Deployment' || !deployments.some((d) => d.metadata.name === target.name))
      found.push(`HorizontalPodAutoscaler ${hpa.metadata.name}: scales no Deployment of these`)
  }
  for (const budget of of('PodDisruptionBudget')) {
    const selector = (budget.spec as { selector: { matchLabels: Record<string, string> } }).selector
      .matchLabels
    if (
      !deployments.some((d) =>
        matches(selector, (d.spec as unknown as PodSpecShape).template.metadata.labels),
      )
    )
      found.push(`PodDisruptionBudget ${budget.metadata.name}: selects no Deployment's pods`)
  }
  for (const route of of('HTTPRoute')) {
    const rules = (route.spec as { rules: Array<{ backendRefs: Array<{ name: string; port: number }> }> })
      .rules
    for (const backend of rules.flatMap((rule) => rule.backendRefs)) {
      const service = services.find((s) => s.metadata.name === backend.name)
      const servicePorts = (service?.spec as { ports?: Array<{ port: number }> } | undefined)?.ports ?? []
      if (!servicePorts.some((port) => port.port === backend.port))
        found.push(`HTTPRoute ${route.metadata.name}: no Service ${backend.name} on port ${backend.port}`)
    }
  }
  return found
}

describe('the Kubernetes manifests', () => {
  it('the base: every object valid for its schema, every app deployed, selectors, ports and probes agree', () => {
    const manifests = baseManifests()
    expect(problems(manifests)).toEqual([])
    const autoscaled = manifests
      .filter((m) => m.kind === 'HorizontalPodAutoscaler')
      .map((m) => m.metadata.name)
    expect(autoscaled.sort()).toEqual(['cart-api', 'gateway', 'realtime-gateway'])
    const budgets = manifests.filter((m) => m.kind === 'PodDisruptionBudget').map((m) => m.metadata.name)
    expect(budgets.sort()).toEqual(['cart-api', 'gateway', 'realtime-gateway'])
  })

  it('finds what it is there to find: a selector that misses, a wrong port, a probe elsewhere', () => {
    const broken = baseManifests().map((manifest) => structuredClone(manifest))
    const deployment = (name: string) =>
      broken.find((m) => m.kind === 'Deployment' && m.metadata.name === name)?.spec as unknown as PodSpecShape
    deployment('cart-api').selector.matchLabels = { 'app.kubernetes.io/name': 'cart' }
    const orderApi = deployment('order-api').template.spec.containers[0]
    if (orderApi?.ports?.[0]) orderApi.ports[0].containerPort = 3999
    const scheduler = deployment('scheduler').template.spec.containers[0]
    if (scheduler?.readinessProbe?.httpGet) scheduler.readinessProbe.httpGet.path = '/'
    const found = problems(
      broken.filter((m) => !(m.kind === 'Deployment' && m.metadata.name === 'mail-worker')),
    )
    expect(found).toEqual(
      expect.arrayContaining([
        "Deployment cart-api: selector does not match its pods' labels",
        'Deployment order-api: port 3999, compose runs it on 3011',
        'Deployment scheduler: readiness probe is not /health/ready',
        'mail-worker: no Deployment',
      ]),
    )
  })

  it.runIf(kubectl)('each overlay builds with kubectl kustomize and passes the same checks', () => {
    for (const overlay of ['local', 'production']) {
      const manifests = built(overlay)
      expect(problems(manifests), overlay).toEqual([])
      expect(manifests.every((m) => m.kind === 'HTTPRoute' || m.metadata.name !== undefined)).toBe(true)
    }
    const local = built('local')
    expect(local.some((m) => m.kind === 'Secret' && m.metadata.name === 'bookstore-database')).toBe(true)
    // Production keeps its secrets out of the repository.
    expect(built('production').some((m) => m.kind === 'Secret')).toBe(false)
  })
})
