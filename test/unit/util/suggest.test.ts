import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { closestName, didYouMean, editDistance } from '../../../src/util/suggest.js'

describe('edit distance and "did you mean"', () => {
  it('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('', ''), 0)
    assert.equal(editDistance('abc', ''), 3)
    assert.equal(editDistance('kitten', 'sitting'), 3)
    assert.equal(editDistance('scrape_intervall', 'scrape_interval'), 1)
    assert.equal(editDistance('basic_auht', 'basic_auth'), 2)
  })

  it('names the closest known name within a third of the length', () => {
    const known = ['scrape_interval', 'scrape_timeout', 'job_name', 'targets']
    assert.equal(closestName('scrape_intervall', known), 'scrape_interval')
    assert.equal(closestName('jobname', known), 'job_name')
    assert.equal(closestName('target', known), 'targets')
    assert.equal(closestName('Job_Name', known), 'job_name', 'a difference of case only is the closest')
  })

  it('names nothing for an unrelated word, an exact match or an empty list', () => {
    assert.equal(closestName('profiling', ['profiling_config', 'targets']), undefined)
    assert.equal(closestName('url', ['uri']), 'uri', 'a short name still allows one edit')
    assert.equal(closestName('ab', ['xy']), undefined)
    assert.equal(closestName('targets', ['targets']), undefined)
    assert.equal(closestName('x', []), undefined)
  })

  it('keeps the first of equally close names, and stays bounded on long names', () => {
    assert.equal(closestName('cat', ['bat', 'hat']), 'bat')
    assert.equal(closestName('a'.repeat(10_000), ['a'.repeat(9_999)]), undefined)
  })

  it('formats the suffix of a message', () => {
    assert.equal(didYouMean('recieve', ['receive']), '; did you mean "receive"?')
    assert.equal(didYouMean('zzz', ['receive']), '')
  })
})
