/** The simulator's validated configuration: a device and its tags, one interface per signal. */
import type { SparkplugType, Value } from '../../gateway/model/value.js'

/** A validated simulator device. */
export interface SimulatorConfig {
  /** While this file exists the device does not answer: open, read and write reject with 'timeout'. */
  readonly darkFile?: string
  /** Delay added to every read, ms. */
  readonly latencyMs: number
  /**
   * With a value, the device pushes (as an OPC UA subscription does): every tag's reading every
   * `pushMs`, through the driver's `watch`, and the gateway does not poll it.
   */
  readonly pushMs?: number
  /** One per tag, in tag-file order. */
  readonly tags: readonly SimTag[]
}

export type Signal = SimTag['signal']

/** What every simulated tag carries. */
export interface SimTagBase {
  /** The tag's name, which is also its point name. */
  readonly name: string
  /** The SparkplugType of the raw value. */
  readonly type: SparkplugType
}

/** counter: +1 every period, wrapping at the type's largest value; boolean: toggles every period. */
export interface StepTag extends SimTagBase {
  /** Which signal. */
  readonly signal: 'counter' | 'boolean'
  /** Time between two changes. */
  readonly periodMs: number
}

/** ramp: low to high over one period, then back to low; sine: one cycle between low and high per period. */
export interface WaveTag extends SimTagBase {
  /** Which signal. */
  readonly signal: 'ramp' | 'sine'
  /** Lowest value. */
  readonly low: number
  /** Highest value. */
  readonly high: number
  /** Length of one ramp or one cycle. */
  readonly periodMs: number
}

/** A random walk inside [low, high] that takes one step per read. */
export interface WalkTag extends SimTagBase {
  /** Which signal. */
  readonly signal: 'random-walk'
  /** Lowest value. */
  readonly low: number
  /** Highest value. */
  readonly high: number
  /** Largest change per read. */
  readonly step: number
  /** Where the walk starts. */
  readonly initial: number
}

/** Cycles through `values`, one per period. */
export interface ChoiceTag extends SimTagBase {
  /** Which signal. */
  readonly signal: 'string'
  /** The values in the order they appear. */
  readonly values: readonly string[]
  /** How long each value lasts. */
  readonly periodMs: number
}

/** Holds the last value written to it, `initial` until the first write. */
export interface SetpointTag extends SimTagBase {
  /** Which signal. */
  readonly signal: 'setpoint'
  /** The value before any write, already of `type`'s JS type. */
  readonly initial: Value
  /** The tag file marked the tag `writable: true`. */
  readonly writable: boolean
}

export type SimTag = StepTag | WaveTag | WalkTag | ChoiceTag | SetpointTag
