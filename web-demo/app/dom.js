// A few lines of DOM building instead of a framework: every view is a function that returns
// elements, and re-renders the parts that change by replacing them.

/** Creates `tag` with `props` (attributes; `class`; `on…` listeners; `dataset`) and children. */
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The SVG counterpart of `h`. */
export function s(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

function build(element, props, children) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'value' || name === 'checked' || name === 'disabled' || name === 'selected') {
      element[name] = value; // properties, so later reads see what the user changed
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** Text of an error for people: the server's status and message, or why no reply came. */
export function describeError(error) {
  if (error && error.name === 'ColoniesError') {
    switch (error.reason) {
      case 'server': return `${error.message} (HTTP ${error.status})`;
      case 'network': return `The server could not be reached: ${error.message}`;
      case 'timeout': return `No reply in time: ${error.message}`;
      case 'aborted': return 'Cancelled.';
      default: return error.message;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** An inline error shown where the failed action is. */
export function errorNote(error, title) {
  return h('div', { class: 'note error', role: 'alert' },
    title ? h('strong', {}, title, ' ') : null, describeError(error));
}

/** A neutral explanation for an empty list or a missing prerequisite. */
export function emptyState(title, ...body) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), ...body);
}

/** A one-line empty state, for a section of a details page. */
export function emptyLine(title) {
  return h('div', { class: 'empty compact' }, h('p', { class: 'empty-title' }, title));
}

/** A button that disables itself while `action` runs and shows its error next to it. */
export function actionButton(label, action, props = {}) {
  const status = h('span', { class: 'action-status', role: 'status' });
  const button = h('button', {
    type: 'button', ...props,
    onclick: async () => {
      button.disabled = true;
      replace(status);
      try {
        await action();
      } catch (error) {
        replace(status, errorNote(error));
      } finally {
        if (button.isConnected) button.disabled = false;
      }
    },
  }, label);
  return h('span', { class: 'action' }, button, status);
}

/** Copies `text` to the clipboard and says so on `button`. */
export async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    const before = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = before; }, 1200);
  } catch {
    // Clipboard access is refused outside secure contexts: select the text for a manual copy.
    button.textContent = 'Copy failed: select and copy by hand';
  }
}
