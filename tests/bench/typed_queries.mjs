// What widget_bench types, a key at a time, and the Node tests and benches
// that replay its typing over the lazily read index (tests/wasm/lazy_index.test.mjs,
// keystroke_guess_bench.mjs): the tasks customers come for, as they word them.
export const TYPED_QUERIES = ['reset password', 'track my order', 'refund', 'cancel subscription', 'wifi offline', 'payment declined',
  'reschedule appointment', 'camera no video', 'change email', 'return item'];
