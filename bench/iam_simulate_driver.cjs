// Runs iam-simulate's core engine over the cases bench_engine.py sends, in one Node process.
// Usage: node iam_simulate_driver.cjs CASES.json ROUNDS  (run by bench_engine.py, not by hand)
// Per case it times what policyproof's side also does: turn the case JSON into the engine's
// input (load policies, build the request) and authorize it. Prints one JSON object.
'use strict'
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '.node', 'node_modules', '@cloud-copilot')
// The core engine is not re-exported by the package's entry point, so load its module file.
const { authorize } = require(path.join(root, 'iam-simulate', 'dist', 'cjs', 'core_engine', 'CoreSimulatorEngine.js'))
const { AwsRequestImpl } = require(path.join(root, 'iam-simulate', 'dist', 'cjs', 'request', 'request.js'))
const { RequestContextImpl } = require(path.join(root, 'iam-simulate', 'dist', 'cjs', 'requestContext.js'))
const { DiscoveryContextKeyConstraints } = require(
  path.join(root, 'iam-simulate', 'dist', 'cjs', 'context_keys', 'discoveryContextKeyConstraints.js')
)
const { loadPolicy } = require(path.join(root, 'iam-policy', 'dist', 'cjs', 'parser.js'))

const RCP_FULL_AWS_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]
}

function named(document, name) {
  return loadPolicy(document, { name })
}

function levels(list, kind, addFullAccess) {
  return (list || []).map((level, i) => {
    const policies = level.policies.map((p, j) => named(p, `${kind}-${i}-${j}`))
    if (addFullAccess) policies.push(named(RCP_FULL_AWS_ACCESS, `RCPFullAWSAccess-${i}`))
    return { orgIdentifier: level.orgIdentifier, policies }
  })
}

function decide(raw) {
  const r = raw.request
  const request = new AwsRequestImpl(
    r.principal,
    { resource: r.resource.resource, accountId: r.resource.accountId },
    r.action,
    new RequestContextImpl(r.context || {}),
    r.wildcardOnlyAction || false
  )
  const analysis = authorize({
    request,
    identityPolicies: raw.identityPolicies.map((p, i) => named(p, `identity-${i}`)),
    serviceControlPolicies: levels(raw.serviceControlPolicies, 'scp', false),
    resourceControlPolicies: levels(raw.resourceControlPolicies, 'rcp', true),
    resourcePolicy: raw.resourcePolicy ? named(raw.resourcePolicy, 'resource') : undefined,
    permissionBoundaries: raw.permissionBoundaries ? raw.permissionBoundaries.map((p, i) => named(p, `pb-${i}`)) : undefined,
    sessionPolicy: raw.sessionPolicy ? named(raw.sessionPolicy, 'session') : undefined,
    vpcEndpointPolicies: raw.endpointPolicies ? raw.endpointPolicies.map((p, i) => named(p, `vpce-${i}`)) : undefined,
    simulationParameters: {
      simulationMode: 'Strict',
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([])
    }
  })
  return analysis.result
}

const [casesFile, roundsText] = process.argv.slice(2)
const rounds = Number(roundsText)
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'))

const coldStart = process.hrtime.bigint()
const decisions = cases.map((c) => decide(c.raw))
const coldNs = Number(process.hrtime.bigint() - coldStart)

const samples = cases.map(() => [])
for (let round = 0; round < rounds; round++) {
  cases.forEach((c, i) => {
    const start = process.hrtime.bigint()
    decide(c.raw)
    samples[i].push(Number(process.hrtime.bigint() - start))
  })
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
process.stdout.write(
  JSON.stringify({
    version: require(path.join(root, 'iam-simulate', 'package.json')).version,
    node: process.version,
    coldNs,
    maxRssKb: process.resourceUsage().maxRSS,
    results: cases.map((c, i) => ({ id: c.id, decision: decisions[i], medianNs: median(samples[i]) }))
  })
)
