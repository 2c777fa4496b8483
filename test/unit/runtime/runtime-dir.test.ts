import assert from 'node:assert/strict'
import { chmodSync, chownSync, mkdirSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { runtimeDirFor } from '../../../gateway/base/runtime-dir.js'
import { freshDirs } from '../../helpers/fresh-dirs.js'

const freshDir = freshDirs('runtime-dir')

test('runtime dir - systemd\'s $RUNTIME_DIRECTORY first, then $XDG_RUNTIME_DIR/sparkplug-gateway, then a directory of the user\'s own in /dev/shm', () => {
  const state = '/var/lib/sparkplug-gateway'
  assert.match(runtimeDirFor(state, { RUNTIME_DIRECTORY: '/run/sparkplug-gateway', XDG_RUNTIME_DIR: '/run/user/1000' }, 1000).path, /^\/run\/sparkplug-gateway\/var-lib-sparkplug-gateway-[0-9a-f]{8}$/)
  assert.match(runtimeDirFor(state, { XDG_RUNTIME_DIR: '/run/user/1000' }, 1000).path, /^\/run\/user\/1000\/sparkplug-gateway\/var-lib-sparkplug-gateway-[0-9a-f]{8}$/)
  assert.match(runtimeDirFor(state, {}, 1000).path, /^\/dev\/shm\/sparkplug-gateway-1000\/var-lib-sparkplug-gateway-[0-9a-f]{8}$/)
  // Two state directories never share one.
  assert.notEqual(runtimeDirFor('/srv/a-b', {}, 0).path, runtimeDirFor('/srv/a/b', {}, 0).path)
})

test('runtime dir - created 0700 when needed; a shared place taken by another user, a symbolic link or an open mode is refused, naming the directory', () => {
  const xdg = freshDir()
  const runtime = runtimeDirFor('/var/lib/x', { XDG_RUNTIME_DIR: xdg })
  assert.equal(runtime.ensure(), runtime.path)
  assert.equal(statSync(runtime.path).mode & 0o777, 0o700)
  assert.equal(statSync(join(xdg, 'sparkplug-gateway')).mode & 0o777, 0o700)

  const open = freshDir()
  mkdirSync(join(open, 'sparkplug-gateway'), { mode: 0o777 })
  chmodSync(join(open, 'sparkplug-gateway'), 0o777)
  assert.throws(() => runtimeDirFor('/var/lib/x', { XDG_RUNTIME_DIR: open }).ensure(), /sparkplug-gateway is open to group or others \(mode 777\); chmod 700 it/)

  const linked = freshDir()
  symlinkSync(freshDir(), join(linked, 'sparkplug-gateway'))
  assert.throws(() => runtimeDirFor('/var/lib/x', { XDG_RUNTIME_DIR: linked }).ensure(), /is not a directory \(a symbolic link/)

  const foreign = freshDir()
  mkdirSync(join(foreign, 'sparkplug-gateway'), { mode: 0o700 })
  chownSync(join(foreign, 'sparkplug-gateway'), 4242, 4242)
  assert.throws(() => runtimeDirFor('/var/lib/x', { XDG_RUNTIME_DIR: foreign }, 0).ensure(), /belongs to user 4242, not to the gateway's user 0/)
})
