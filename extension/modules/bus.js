// A tiny event bus: modules announce state changes here; the popups and
// the options page are told through runtime messages, the end-to-end test
// hook (present only in test builds) listens here.

const listeners = new Set();

export function on(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function emit(event, detail) {
  for (const fn of listeners) {
    try {
      fn(event, detail);
    } catch (e) {
      console.error("dane-smime: listener failed", e);
    }
  }
}
