// Loaded after the Bootstrap Italia bundle: web fonts from our static path (no inline
// script, so the Content-Security-Policy can forbid inline code).
if (window.bootstrap && typeof window.bootstrap.loadFonts === "function") {
  window.bootstrap.loadFonts("/static/fonts");
}
