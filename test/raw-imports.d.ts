/** Vite's `?raw` import: a file's text (the README recipe test compares README.md with its fixture). */
declare module '*?raw' {
  const text: string;
  export default text;
}
