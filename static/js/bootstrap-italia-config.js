// Settings read by Bootstrap Italia's bundle, in a static file because the
// Content-Security-Policy forbids inline scripts. Load it before the bundle.

// video.js, inside the bundle, injects <style> elements on every page, which the CSP
// (style-src 'self') blocks; Zonale shows no videos, so it is told not to.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
