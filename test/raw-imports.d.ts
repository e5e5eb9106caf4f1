/** Vite's `?raw` import: a file's text (the recipe test compares docs/api.md with its fixture). */
declare module '*?raw' {
  const text: string;
  export default text;
}
