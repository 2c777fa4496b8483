import assert from 'node:assert/strict'
import { test } from 'node:test'
import { closest, didYouMean } from '../../../gateway/config/suggest.js'

test('suggest - a misspelt key finds the allowed key it was meant to be', () => {
  assert.equal(closest('pol', ['poll', 'tags', 'device']), 'poll')
  assert.equal(closest('adress', ['address', 'name']), 'address')
  assert.equal(closest('unitID', ['unitId', 'host']), 'unitId')
  assert.equal(closest('hots', ['unitId', 'host']), 'host', 'two letters swapped count as one typo')
  assert.equal(didYouMean('keepAlive', ['keepalive', 'servers']), "; did you mean 'keepalive'?")
})

test('suggest - a word unlike any allowed key gets no suggestion', () => {
  assert.equal(closest('colour', ['name', 'address', 'poll']), undefined)
  assert.equal(didYouMean('logging', ['log', 'buffer']), '')
})
