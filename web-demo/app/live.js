// Live data by polling, with a visible indicator: "Live" while replies arrive, the error while
// they don't, "Paused" while the tab is hidden (no requests are made then).
import { describeError, h, replace } from './dom.js';

/**
 * Calls `refresh()` now and every `intervalMs` until `stop()`. `indicator` is the element to
 * place in the view.
 */
export function poll(refresh, intervalMs = 2000) {
  const indicator = h('span', { class: 'live', role: 'status', 'aria-live': 'polite' });
  let timer = null;
  let stopped = false;
  let running = false;

  function show(tone, text, title) {
    indicator.className = `live ${tone}`;
    indicator.title = title ?? '';
    replace(indicator, h('span', { class: 'dot' }), text);
  }

  async function tick() {
    timer = null;
    if (stopped) return;
    if (document.hidden) {
      show('paused', 'Paused while hidden');
      return; // resumed by the visibilitychange listener
    }
    if (running) return;
    running = true;
    try {
      await refresh();
      if (stopped) return; // stopped by the refresh itself (e.g. nothing left to watch)
      show('on', 'Live', `Updated ${new Date().toLocaleTimeString()}, every ${intervalMs / 1000} s`);
    } catch (error) {
      if (stopped) return;
      show('off', 'Reconnecting…', describeError(error));
    } finally {
      running = false;
      if (!stopped) timer = setTimeout(tick, intervalMs);
    }
  }

  function onVisibility() {
    if (!document.hidden && !timer && !running && !stopped) tick();
  }
  document.addEventListener('visibilitychange', onVisibility);
  show('paused', 'Connecting…');
  tick();

  return {
    indicator,
    /** Refreshes now (after an action of the user). */
    now() {
      if (timer) clearTimeout(timer);
      return tick();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
