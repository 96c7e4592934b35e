import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { NetworkInterfaceInfo } from 'node:os'
import { ClusterOptionsError, defaultAdvertise, parseClusterOptions, parseJoinAddresses } from '../../../src/cluster/options.js'

const lan: NetworkInterfaceInfo = { address: '10.1.2.3', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: null }
const loopback: NetworkInterfaceInfo = { ...lan, address: '127.0.0.1', internal: true }
const host = { hostname: 'box-7', interfaces: { lo: [loopback], eth0: [lan] } }

describe('parseClusterOptions', () => {
  it('defaults the node name to the hostname and advertises the first non-internal IPv4 for 0.0.0.0', () => {
    const o = parseClusterOptions({ 'cluster.enabled': true }, host)
    assert.equal(o.nodeName, 'box-7')
    assert.deepEqual(o.listen, { host: '0.0.0.0', port: 12346 })
    assert.deepEqual(o.advertise, { host: '10.1.2.3', port: 12346 })
    assert.equal(o.clusterName, 'shardscope')
    assert.equal(o.swim.probeIntervalMs, 1000)
    assert.equal(o.swim.probeTimeoutMs, 500)
    assert.equal(o.rejoinIntervalMs, 60_000)
    assert.equal(o.maxConnections, 128)
  })

  it('advertises loopback when the host has no other IPv4 address', () => {
    assert.deepEqual(defaultAdvertise({ host: '0.0.0.0', port: 7 }, { lo: [loopback] }), { host: '127.0.0.1', port: 7 })
  })

  it('advertises the listen address itself when it is a specific one', () => {
    const o = parseClusterOptions({ 'cluster.listen-address': '127.0.0.1:23000' }, host)
    assert.deepEqual(o.advertise, { host: '127.0.0.1', port: 23000 })
  })

  it('derives the hand-off grace from the probe interval, and the shortest suspicion from --cluster.failure-timeout', () => {
    const o = parseClusterOptions({ 'cluster.heartbeat-interval': '500ms', 'cluster.failure-timeout': '2s' }, host)
    assert.equal(o.handoffGraceMs, 2 * 500 + 1000)
    assert.equal(o.swim.probeIntervalMs, 500)
    assert.equal(o.swim.suspicionMult * o.swim.probeIntervalMs, 2000)
    assert.equal(parseClusterOptions({ 'cluster.probe-interval': '2s', 'cluster.rejoin-interval': '30s' }, host).swim.probeIntervalMs, 2000)
    assert.equal(parseClusterOptions({ 'cluster.rejoin-interval': '30s' }, host).rejoinIntervalMs, 30_000)
  })

  for (const [flag, value, pattern] of [
    ['cluster.listen-address', 'localhost', /host:port/],
    ['cluster.listen-address', '127.0.0.1:70000', /host:port/],
    ['cluster.name', 'a/b', /--cluster.name/],
    ['cluster.node-name', 'has space', /--cluster.node-name/],
    ['cluster.wait-for-size', 'three', /--cluster.wait-for-size/],
    ['cluster.heartbeat-interval', 'soon', /--cluster.heartbeat-interval: time: invalid duration/],
    ['cluster.failure-timeout', '1s', /at least twice/],
    ['cluster.advertise-address', '0.0.0.0:1', /other nodes can dial/],
    ['cluster.join-addresses', '/ip4/1.2.3.4/udp/5', /not a TCP multiaddr/],
    ['cluster.max-connections', '2', /--cluster.max-connections/]
  ] as const) {
    it(`refuses --${flag}=${value} with a message naming the flag`, () => {
      assert.throws(() => parseClusterOptions({ [flag]: value }, host), (err: unknown) => err instanceof ClusterOptionsError && pattern.test(err.message))
    })
  }
})

describe('parseJoinAddresses', () => {
  it('accepts host:port, DNS names, bracketed IPv6 and multiaddrs in one comma list', () => {
    assert.deepEqual(parseJoinAddresses(' a.example:1, [::1]:2,/dns4/seed/tcp/3 ,, /ip4/10.0.0.1/tcp/4'), [
      { kind: 'host-port', host: 'a.example', port: 1 },
      { kind: 'host-port', host: '::1', port: 2 },
      { kind: 'multiaddr', text: '/dns4/seed/tcp/3' },
      { kind: 'multiaddr', text: '/ip4/10.0.0.1/tcp/4' }
    ])
  })

  it('gives a bare host the cluster port, as Alloy does', () => {
    assert.deepEqual(parseJoinAddresses('alloy-0, 10.0.0.2,[::1], seed:7', 12346), [
      { kind: 'host-port', host: 'alloy-0', port: 12346 },
      { kind: 'host-port', host: '10.0.0.2', port: 12346 },
      { kind: 'host-port', host: '::1', port: 12346 },
      { kind: 'host-port', host: 'seed', port: 7 }
    ])
  })

  it('gives an empty list for an empty flag', () => {
    assert.deepEqual(parseJoinAddresses(''), [])
  })
})
