// Bootstrap Italia loads its web fonts from this path (kept out of inline scripts for CSP).
window.__PUBLIC_PATH__ = "/static/fonts/";
