// Runs before first paint so the page never flashes the wrong theme.
const script = `(() => {
  try {
    const saved = localStorage.getItem('optiscope-theme');
    const dark = saved ? saved === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    document.documentElement.classList.toggle('dark', dark);
  } catch {}
})();`;

export function ThemeScript() {
  return <script dangerouslySetInnerHTML={{ __html: script }} />;
}
