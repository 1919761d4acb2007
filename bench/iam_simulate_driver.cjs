// Runs iam-simulate's core engine over the cases bench_engine.py sends, in one Node process.
// Usage: node iam_simulate_driver.cjs CASES.json ROUNDS  (run by bench_engine.py, not by hand)
// It does exactly what bench_engine.py's Python worker does (same input, same measures):
//   cold:   one pass over every case from its JSON text (parse, load policies, build the request,
//           authorize), right after start-up;
//   unique: ROUNDS passes; in each the case text carries a round number in every policy's Id, so
//           no policy is ever the same object or the same text twice; timed: JSON.parse + load +
//           authorize (one untimed warm-up round first);
//   objects: in the same passes, right after each case's unique sample, another unique copy of the
//           case decoded before timing (timed: load + authorize);
//   warm:   ROUNDS passes deciding with policies loaded once before timing (authorize only).
// Prints one JSON object.
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

// Case JSON -> the engine's input: load every policy, build the request.
function prepare(raw) {
  const r = raw.request
  const request = new AwsRequestImpl(
    r.principal,
    { resource: r.resource.resource, accountId: r.resource.accountId },
    r.action,
    new RequestContextImpl(r.context || {}),
    r.wildcardOnlyAction || false
  )
  return {
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
  }
}

function fromText(text) {
  try {
    return authorize(prepare(JSON.parse(text))).result
  } catch (error) {
    return 'InputError'
  }
}

const [casesFile, roundsText] = process.argv.slice(2)
const rounds = Number(roundsText)
const input = JSON.parse(fs.readFileSync(casesFile, 'utf8'))
const { placeholder, cases } = input
const clock = () => process.hrtime.bigint()

// cold: the original texts, first time through.
const coldStart = clock()
const decisions = cases.map((c) => fromText(c.text))
const coldNs = Number(clock() - coldStart)

// unique and objects, timed case by case side by side (the same machine load for both).
const uniqueSamples = cases.map(() => [])
const objectSamples = cases.map(() => [])
let uniqueDecisions = []
for (let round = -1; round < rounds; round++) {
  const texts = cases.map((c) => c.template.split(placeholder).join(String(round + 1)))
  const raws = cases.map((c) => JSON.parse(c.template.split(placeholder).join(`o${round + 1}`)))
  const seen = []
  texts.forEach((text, i) => {
    let start = clock()
    seen.push(fromText(text))
    const elapsed = Number(clock() - start)
    start = clock()
    try {
      authorize(prepare(raws[i]))
    } catch (error) {}
    const elapsedObjects = Number(clock() - start)
    if (round >= 0) {
      uniqueSamples[i].push(elapsed)
      objectSamples[i].push(elapsedObjects)
    }
  })
  uniqueDecisions = seen
}

// warm: policies loaded once, authorize only.
const prepared = cases.map((c) => {
  try {
    return prepare(JSON.parse(c.text))
  } catch (error) {
    return null
  }
})
const warmSamples = cases.map(() => [])
for (let round = -1; round < rounds; round++) {
  prepared.forEach((args, i) => {
    const start = clock()
    try {
      if (args) authorize(args)
    } catch (error) {}
    const elapsed = Number(clock() - start)
    if (round >= 0) warmSamples[i].push(elapsed)
  })
}

const median = (values) => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
process.stdout.write(
  JSON.stringify({
    version: require(path.join(root, 'iam-simulate', 'package.json')).version,
    runtime: `Node ${process.version}`,
    coldNs,
    maxRssKb: process.resourceUsage().maxRSS,
    results: cases.map((c, i) => ({
      id: c.id,
      decision: decisions[i],
      uniqueDecision: uniqueDecisions[i],
      uniqueNs: median(uniqueSamples[i]),
      objectsNs: median(objectSamples[i]),
      warmNs: median(warmSamples[i])
    }))
  })
)
