// The median the Node bench scripts report: the lower middle of an even-length
// list (their rounds are odd). pool.mjs averages the two middles instead, and
// the *-case.js files run inside pages, so they keep their own.
export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
