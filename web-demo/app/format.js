// How protocol values are shown: state names and colours, times, durations, JSON.
import { h } from './dom.js';

export const PROCESS_STATES = [
  { value: 0, name: 'Waiting', tone: 'waiting' },
  { value: 1, name: 'Running', tone: 'running' },
  { value: 2, name: 'Successful', tone: 'success' },
  { value: 3, name: 'Failed', tone: 'failed' },
  { value: 4, name: 'Cancelled', tone: 'cancelled' },
];

export const EXECUTOR_STATES = [
  { value: 0, name: 'Pending', tone: 'waiting' },
  { value: 1, name: 'Approved', tone: 'success' },
  { value: 2, name: 'Rejected', tone: 'failed' },
  { value: 3, name: 'Unregistered', tone: 'cancelled' },
];

const unknown = (value) => ({ value, name: `state ${value}`, tone: 'cancelled' });

export function processState(value) {
  return PROCESS_STATES[value] ?? unknown(value);
}

export function stateBadge(value, states = PROCESS_STATES) {
  const state = states[value] ?? unknown(value);
  return h('span', { class: `badge ${state.tone}`, dataset: { state: state.name.toLowerCase() } }, state.name);
}

/** Whether a protocol time is set: Go's zero time (year 1, in any offset) means unset. */
export function isSet(timestamp) {
  return typeof timestamp === 'string' && timestamp !== '' && !timestamp.startsWith('0001-');
}

export function when(timestamp) {
  if (!isSet(timestamp)) return '—';
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  return h('time', { datetime: timestamp, title: date.toLocaleString() }, ago(date));
}

/** "12 s ago", "3 min ago", then the date. */
export function ago(date) {
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  if (seconds < 0) return `in ${duration(-seconds * 1000)}`;
  if (seconds < 5) return 'just now';
  if (seconds < 3600 * 24) return `${duration(seconds * 1000)} ago`;
  return date.toLocaleDateString();
}

export function duration(ms) {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** The time between two protocol times, or null when either is unset. */
export function between(from, to) {
  if (!isSet(from) || !isSet(to)) return null;
  return duration(new Date(to).getTime() - new Date(from).getTime());
}

export function shortId(id) {
  return id ? h('code', { class: 'id', title: id }, id.slice(0, 10), '…') : '—';
}

export function json(value) {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}
