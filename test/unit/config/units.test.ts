import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatDuration, parseDuration, parseSize } from '../../../gateway/base/units.js'

test('units - durations in ms, s, m, h and combined parts', () => {
  assert.equal(parseDuration('250ms'), 250)
  assert.equal(parseDuration('5s'), 5000)
  assert.equal(parseDuration('1.5s'), 1500)
  assert.equal(parseDuration('2m'), 120_000)
  assert.equal(parseDuration('1h'), 3_600_000)
  assert.equal(parseDuration('1m30s'), 90_000)
  assert.equal(parseDuration('0s'), 0)
})

test('units - a bare number is not a duration, since seconds and milliseconds cannot be told apart', () => {
  assert.equal(parseDuration(5), undefined)
  assert.equal(parseDuration('5'), undefined)
  assert.equal(parseDuration('5 sec'), undefined)
  assert.equal(parseDuration('-1s'), undefined)
})

test('units - sizes in binary and decimal units; a bare number is bytes', () => {
  assert.equal(parseSize('64KiB'), 65_536)
  assert.equal(parseSize('512MiB'), 536_870_912)
  assert.equal(parseSize('1GiB'), 1_073_741_824)
  assert.equal(parseSize('1GB'), 1_000_000_000)
  assert.equal(parseSize('1.5 KiB'), 1536)
  assert.equal(parseSize(4096), 4096)
  assert.equal(parseSize('4096'), 4096)
  assert.equal(parseSize('12 parsecs'), undefined)
  assert.equal(parseSize(-1), undefined)
})

test('units - durations print back in the form users write', () => {
  assert.equal(formatDuration(90_000), '1m30s')
  assert.equal(formatDuration(250), '250ms')
  assert.equal(formatDuration(0), '0s')
})
